#!/bin/bash
# make install honours PREFIX and DESTDIR, and what it installs works: the
# programs, the configuration with installed paths, models, templates and
# man pages.
. "$(dirname "$0")/lib.sh"
# A build folder of its own: the prefix is compiled in, so installing with
# another PREFIX rebuilds part of the build, which must not touch the build
# the other tests run. It is first built plainly (PREFIX=/usr/local), as an
# admin would run `make` and then `make install PREFIX=...`.
B="$T/build"
R="$T/root"
check "make (default PREFIX) in a build folder of its own" \
    make -s -j2 -C "$TOP" BUILD="$B" OPT=-O0 all
check "make install DESTDIR=... PREFIX=/opt/ardent" \
    make -s -C "$TOP" BUILD="$B" OPT=-O0 install DESTDIR="$R" PREFIX=/opt/ardent
P="$R/opt/ardent"
check "the installed programs look for /opt/ardent/etc/ardent/ardent.conf" \
    bash -c "'$P/bin/ardentctl' --help | grep -q /opt/ardent/etc/ardent/ardent.conf"
check "and for the models under /opt/ardent/share/ardent" \
    grep -q /opt/ardent/share/ardent/models "$P/sbin/ardent-milter"
for f in bin/ardentctl bin/ardent-agent sbin/ardent-milter etc/ardent/ardent.conf \
         share/ardent/models/intent.model share/ardent/models/sentiment.model \
         share/ardent/models/features.meta etc/ardent/templates/en/message.ini \
         share/man/man1/ardentctl.1 share/man/man8/ardent-agent.8 share/man/man8/ardent-milter.8 \
         share/man/man5/ardent.conf.5; do
    check "installed $f" [ -e "$P/$f" ]
done
check "the installed configuration keeps the store in /var/lib/ardent" \
    grep -qx "path = /var/lib/ardent/ardent.db" "$P/etc/ardent/ardent.conf"
check "and reads the installed models" grep -qx "models = /opt/ardent/share/ardent/models" "$P/etc/ardent/ardent.conf"
# the installed programs work with the installed files (paths under DESTDIR)
"$P/bin/ardentctl" -c "$P/etc/ardent/ardent.conf" -o classify.models="$P/share/ardent/models" \
    classify "$TOP/tests/fixtures/classify/"*.eml >"$T/c.json" 2>"$T/c.err"
check "installed ardentctl classifies with the installed models" json "$T/c.json" 'len(rows) >= 1 and all("intent" in x for x in rows)'
echo "x = 1" >>"$P/etc/ardent/ardent.conf"
check "a second install keeps an edited configuration" bash -c \
    "make -s -C '$TOP' BUILD='$B' OPT=-O0 install DESTDIR='$R' PREFIX=/opt/ardent && tail -1 '$P/etc/ardent/ardent.conf' | grep -qx 'x = 1'"
done_testing
