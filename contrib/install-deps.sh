#!/bin/sh
# Installs the Debian packages ardent's build, tests and demo need, when they
# are missing. With --check-only it only reports and exits 1 if any is missing.
set -e
PKGS="build-essential pkg-config libglib2.0-dev libgmime-3.0-dev libjson-glib-dev
libxml2-dev libsqlite3-dev sqlite3 libcurl4-gnutls-dev libmilter-dev libsvm-dev
libcsv-dev libcmocka-dev postfix miltertest mandoc python3 valgrind clang
libclang-rt-14-dev"

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$1" = "--check-only" ]; then
    echo "ardent: missing Debian packages:$missing" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "ardent: these Debian packages are missing:$missing" >&2
        echo "ardent: run 'make deps' as root to install them" >&2
        exit 1
    fi
fi
echo "ardent: installing Debian packages:$missing"
# postfix asks which setup to use; ardent's tests run their own instance.
echo "postfix postfix/main_mailer_type select No configuration" | ${SUDO:-} debconf-set-selections
${SUDO:-} apt-get update -qq
DEBIAN_FRONTEND=noninteractive ${SUDO:-} apt-get install -y -qq --no-install-recommends $missing
