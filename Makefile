# attack-origin: a collectd read plugin (attack_origin.so) and a command-line
# tool (attack-origin) built on one pure C core.
#
#   make            build build/attack_origin.so and build/attack-origin
#   make check      unit tests (cmocka) + integration tests (real collectd)
#   make unit       unit tests only
#   make demo       real collectd + the plugin on a live generated log
#   make install    PREFIX=/usr DESTDIR=... (plugin into collectd's plugin dir)
#   make asan       unit tests under AddressSanitizer + UBSan
#   make symbols    check that the plugin exports only module_register
#   make eval       detection recall and false positives on ../shared/data
#   make bench-classify   what classification costs per line
#   make fuzz       every libFuzzer target in tests/fuzz for FUZZ_SECONDS each
#   make sanitize   unit and integration tests under ASan + UBSan
#   make soak       the long fault-injection run (rotations, kill -9, ...)
#
# User CFLAGS/LDFLAGS are honoured; the flags the build needs are kept apart
# in REAL_CFLAGS (the hiredis way), so CFLAGS=-O0 does not lose -fPIC.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
# Debian's collectd-core loads plugins from /usr/lib/collectd whatever the
# prefix; override for other layouts.
PLUGINDIR ?= /usr/lib/collectd
CONFDIR ?= /etc/collectd/collectd.conf.d
DOCDIR ?= $(PREFIX)/share/doc/collectd-attack-origin

# Debian's collectd-dev puts its headers under /usr/include/collectd; they
# include each other both as "collectd/core/..." and as "liboconfig/...", so
# the directory and its parent are both on the include path.
COLLECTD_INCLUDE ?= /usr/include/collectd
PKG_CONFIG ?= pkg-config

CC ?= cc
CFLAGS ?= -O2 -g
USE_WERROR ?= 1
WARNINGS = -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wimplicit-fallthrough -Wundef \
           -Wwrite-strings -Wcast-align
ifeq ($(USE_WERROR),1)
WARNINGS += -Werror
endif

MMDB_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmaxminddb 2>/dev/null)
MMDB_LIBS := $(shell $(PKG_CONFIG) --libs libmaxminddb 2>/dev/null || echo -lmaxminddb)
PCRE2_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcre2-8 2>/dev/null)
PCRE2_LIBS := $(shell $(PKG_CONFIG) --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)
YAJL_CFLAGS := $(shell $(PKG_CONFIG) --cflags yajl 2>/dev/null)
YAJL_LIBS := $(shell $(PKG_CONFIG) --libs yajl 2>/dev/null || echo -lyajl)
# libsystemd (sd-journal) for `Journal true`; without it the plugin builds
# without journal support and refuses that option with a clear message.
SYSTEMD_CFLAGS := $(shell $(PKG_CONFIG) --exists libsystemd 2>/dev/null && \
                    echo -DAO_HAVE_SYSTEMD $$($(PKG_CONFIG) --cflags libsystemd))
SYSTEMD_LIBS := $(shell $(PKG_CONFIG) --libs libsystemd 2>/dev/null)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

REAL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden \
              -MMD -MP -Iplugin/core $(MMDB_CFLAGS) $(PCRE2_CFLAGS) $(YAJL_CFLAGS) \
              $(SYSTEMD_CFLAGS) \
              $(WARNINGS) $(CFLAGS) $(PGO_CFLAGS)
# collectd's headers use GNU and BSD extensions and are not -Wpedantic clean.
ADAPTER_CFLAGS = $(REAL_CFLAGS) -D_GNU_SOURCE -DHAVE_CONFIG_H \
                 -I$(COLLECTD_INCLUDE) -I$(COLLECTD_INCLUDE)/.. -Wno-pedantic -Wno-strict-prototypes \
                 -Wno-missing-prototypes -Wno-cast-align
LIBS = $(MMDB_LIBS) $(PCRE2_LIBS) $(YAJL_LIBS) $(SYSTEMD_LIBS) -lm
# ao_geodb shares database snapshots between collectd's read threads.
LIBS += -pthread

# Link-time optimisation: a line's path crosses modules (pipeline, parser,
# classifier, brute-force buckets, address, GeoIP), and LTO lets the compiler
# inline across them: about 3% fewer instructions per line (`make profile`,
# README "Performance"). The objects are fat, so the unit tests link their
# ordinary code without LTO (quick); the plugin and the CLI are linked with
# it. LTO=0 turns it off; a compiler that does not take these flags (clang
# before 16) builds without it.
LTO ?= 1
LTO_CFLAGS :=
ifeq ($(LTO),1)
LTO_CFLAGS := $(shell $(CC) -Werror -flto=auto -ffat-lto-objects -x c -c \
                -o /dev/null /dev/null 2>/dev/null && \
                echo -flto=auto -ffat-lto-objects)
endif
LTO_LDFLAGS := $(if $(LTO_CFLAGS),-flto=auto)

# Profile-guided optimisation (PGO=1, into build-pgo/): the core and the CLI
# are first built instrumented, run over a training log, and built again
# with the branch and call counts of that run (gcc -fprofile-use), so that
# the hot path of a line is laid out straight and the rare rules are kept
# out of its way. The training log comes from the benchmark's generator
# with another seed (never the benchmark's own lines): a 200,000-line
# combined log and a 50,000-line sshd log, with the demo's country
# database. Code the training does not reach is optimised as usual
# (-fprofile-partial-training). Any change to a source or to this Makefile
# trains again. About 5% fewer instructions per line (README, "Performance");
# the Debian package is built this way. Needs python3 and Perl's MaxMind DB
# writer (for the training database), like the tests.
PGO ?= 0
ifeq ($(PGO),1)
B = build-pgo
else
B = build
endif
CORE_SRC := $(sort $(wildcard plugin/core/*.c))
ADAPTER_SRC := $(sort $(wildcard plugin/collectd/*.c))
CLI_SRC := $(sort $(wildcard plugin/cli/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
# The maintained phrase lists (signatures/*.data) are compiled into the core
# (ao_signatures.h): signatures/data2c.awk turns them into C arrays.
SIG_DATA := $(sort $(wildcard signatures/*.data))
SIG_GEN := $(B)/gen/ao_signatures_data.c
CORE_OBJ += $(B)/gen/ao_signatures_data.o
ADAPTER_OBJ := $(ADAPTER_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
CORE_LIB := $(B)/libaocore.a

PLUGIN := $(B)/attack_origin.so
CLI := $(B)/attack-origin

PGO_DIR = $(B)/pgo
PGO_PROFILE = $(abspath $(PGO_DIR))/profile
PGO_STAMP = $(PGO_DIR)/trained
PGO_CFLAGS :=
ifeq ($(PGO),1)
PGO_CFLAGS := -fprofile-use -fprofile-partial-training \
              -fprofile-dir=$(PGO_PROFILE) -Wno-missing-profile
endif

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# Test programs may link helpers from tests/unit/helpers/ and, for the
# adapter, a recording fake of collectd's exported functions.
HELPER_SRC := $(sort $(wildcard tests/unit/helpers/*.c))
HELPER_OBJ := $(HELPER_SRC:%.c=$(B)/%.o)
FAKE_COLLECTD_OBJ := $(B)/tests/fakes/fake_collectd.o

.PHONY: all check unit integration demo install uninstall clean asan symbols \
        deps deps-demo lint bench bench-json bench-formats eval \
        bench-classify bench-stages fuzz fuzz-build fuzz-regress \
        sanitize bench-geoip soak
.PHONY: e2e deb rpm chart
.PHONY: verdicts-diff profile pgo-check
.PHONY: e2e-fleet fleet-scale
.DEFAULT_GOAL := all

all: $(PLUGIN) $(CLI)

$(B)/plugin/core/%.o: plugin/core/%.c
	@mkdir -p $(@D)
	$(CC) $(REAL_CFLAGS) $(LTO_CFLAGS) -c -o $@ $<

$(B)/plugin/collectd/%.o: plugin/collectd/%.c
	@mkdir -p $(@D)
	$(CC) $(ADAPTER_CFLAGS) $(LTO_CFLAGS) -c -o $@ $<

$(B)/plugin/cli/%.o: plugin/cli/%.c
	@mkdir -p $(@D)
	$(CC) $(REAL_CFLAGS) $(LTO_CFLAGS) -c -o $@ $<

$(SIG_GEN): $(SIG_DATA) signatures/data2c.awk
	@mkdir -p $(@D)
	awk -f signatures/data2c.awk $(SIG_DATA) > $@.tmp && mv $@.tmp $@

$(B)/gen/ao_signatures_data.o: $(SIG_GEN)
	$(CC) $(REAL_CFLAGS) $(LTO_CFLAGS) -c -o $@ $<

$(CORE_LIB): $(CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(PLUGIN): $(ADAPTER_OBJ) $(CORE_LIB)
	$(CC) -shared -fvisibility=hidden $(LTO_LDFLAGS) $(CFLAGS) $(PGO_CFLAGS) $(LDFLAGS) \
	  -o $@ $(ADAPTER_OBJ) \
	  $(CORE_LIB) $(LIBS)

$(CLI): $(CLI_OBJ) $(CORE_LIB)
	$(CC) $(LTO_LDFLAGS) $(CFLAGS) $(PGO_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) \
	  $(CORE_LIB) $(LIBS)

# PGO=1: the training run. The instrumented build uses the same object paths
# as the final one (gcc finds a profile by the object's path), then its
# objects are removed; every object depends on the stamp, so the final
# build follows. Profiles of an earlier training are removed first (gcc
# would add the counts up).
ifeq ($(PGO),1)
PGO_TRAIN_GEO = tests/data/demo-geo.tsv
$(PGO_STAMP): $(CORE_SRC) $(CLI_SRC) $(ADAPTER_SRC) $(SIG_DATA) \
              $(wildcard plugin/*/*.h) Makefile tests/bench/benchlog.py \
              tests/tools/loggen.py tests/tools/mkmmdb.pl $(PGO_TRAIN_GEO)
	rm -rf $(PGO_DIR) $(B)/plugin $(B)/gen $(CORE_LIB) $(CLI) $(PLUGIN)
	mkdir -p $(PGO_DIR)
	$(MAKE) PGO=0 B=$(B) LTO=$(LTO) USE_WERROR=$(USE_WERROR) \
	  CFLAGS="$(CFLAGS) -fprofile-generate -fprofile-update=single -fprofile-dir=$(PGO_PROFILE)" \
	  $(CLI)
	python3 tests/bench/benchlog.py combined --geo $(PGO_TRAIN_GEO) \
	  --lines 200000 --seed 7 $(PGO_DIR)/train-combined.log 2>/dev/null
	python3 tests/bench/benchlog.py sshd --geo $(PGO_TRAIN_GEO) \
	  --lines 50000 --seed 7 $(PGO_DIR)/train-sshd.log 2>/dev/null
	perl tests/tools/mkmmdb.pl --layout geolite2 $(PGO_TRAIN_GEO) \
	  $(PGO_DIR)/train.mmdb
	$(CLI) scan --geoip $(PGO_DIR)/train.mmdb $(PGO_DIR)/train-combined.log \
	  > /dev/null
	$(CLI) scan --format sshd --geoip $(PGO_DIR)/train.mmdb \
	  $(PGO_DIR)/train-sshd.log > /dev/null
	rm -rf $(B)/plugin $(B)/gen $(CORE_LIB) $(CLI)
	touch $@

$(CORE_OBJ) $(ADAPTER_OBJ) $(CLI_OBJ) $(SIG_GEN): $(PGO_STAMP)
endif

# --- unit tests --------------------------------------------------------------
TEST_CFLAGS = $(REAL_CFLAGS) $(CMOCKA_CFLAGS) -Itests/unit -Itests/unit/helpers \
              -Wno-missing-prototypes

$(B)/tests/unit/helpers/%.o: tests/unit/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<

$(FAKE_COLLECTD_OBJ): tests/fakes/fake_collectd.c
	@mkdir -p $(@D)
	$(CC) $(ADAPTER_CFLAGS) $(CMOCKA_CFLAGS) -c -o $@ $<

# The adapter's test compiles the adapter in (to reach its statics) and links
# the recording fake in place of the collectd daemon.
$(B)/tests/test_adapter: tests/unit/test_adapter.c $(ADAPTER_SRC) \
                         $(FAKE_COLLECTD_OBJ) $(HELPER_OBJ) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ADAPTER_CFLAGS) $(CMOCKA_CFLAGS) -Itests/unit -Itests/unit/helpers \
	  -Iplugin/collectd -o $@ $< \
	  $(FAKE_COLLECTD_OBJ) $(HELPER_OBJ) $(CORE_LIB) $(CMOCKA_LIBS) $(LIBS)

$(B)/tests/test_%: tests/unit/test_%.c $(HELPER_OBJ) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(HELPER_OBJ) $(CORE_LIB) \
	  $(CMOCKA_LIBS) $(LIBS)

# Unit tests find generated fixtures (a test .mmdb) through AO_TEST_DATA.
TEST_DATA = $(B)/testdata
$(TEST_DATA)/stamp: tests/tools/mkmmdb.pl tests/data/test-geo.tsv
	@mkdir -p $(@D)
	perl tests/tools/mkmmdb.pl --layout maxmind tests/data/test-geo.tsv \
	  $(TEST_DATA)/test-country.mmdb
	perl tests/tools/mkmmdb.pl --layout flat tests/data/test-geo.tsv \
	  $(TEST_DATA)/test-flat.mmdb
	perl tests/tools/mkmmdb.pl --layout maxmind --type GeoLite2-City \
	  tests/data/test-geo.tsv $(TEST_DATA)/test-city.mmdb
	perl tests/tools/mkmmdb.pl --layout asn tests/data/test-geo.tsv \
	  $(TEST_DATA)/test-asn.mmdb
	touch $@

unit: deps $(UNIT_BIN) $(TEST_DATA)/stamp
	@AO_TEST_DATA=$(abspath $(TEST_DATA)) AO_SHARED_DATA=$(abspath ../shared/data) \
	  tests/run-unit.sh $(UNIT_BIN)

integration: deps all $(TEST_DATA)/stamp
	@AO_TEST_DATA=$(abspath $(TEST_DATA)) python3 tests/integration/run.py

check: unit symbols integration
# The profile-guided build (PGO=1) passes the unit tests and gives the
# default build's verdicts byte for byte.
check: pgo-check
# The end-to-end tests with real Graphite, InfluxDB and Prometheus (issue 7).
check: e2e

# The fault-injection harness, long version (tests/integration/faults.py):
# at least 100 rotations and 50 restarts (some kill -9) against real
# collectd; prints missing, duplicated and bogus lines (all must be 0) and
# writes the report to $(B)/soak-report.json.
SOAK_STEPS ?= 600
SOAK_SEED ?= 1
soak: deps all $(TEST_DATA)/stamp
	@AO_TEST_DATA=$(abspath $(TEST_DATA)) python3 tests/integration/faults.py \
	  --cover --steps $(SOAK_STEPS) --seed $(SOAK_SEED) \
	  --report $(B)/soak-report.json

asan:
	$(MAKE) B=build-asan LTO=0 USE_WERROR=$(USE_WERROR) \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" unit

# --- detection evaluation and benchmark (README "Detection") ---------------
# `make eval` runs the real command-line tool over the public corpora in
# ../shared/data (skipping with a message where they are absent) and prints
# recall, false positives and the category confusion per corpus and row
# kind; EVAL_ARGS are passed on (e.g. EVAL_ARGS=--markdown, --misses).
eval: all
	@python3 tests/eval/eval.py --cli $(B)/attack-origin \
	  --data $(abspath ../shared/data) --out $(B)/eval $(EVAL_ARGS)

BENCH_SECONDS ?= 2
$(B)/bench/bench_classify: tests/bench/bench_classify.c $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(REAL_CFLAGS) -o $@ $< $(CORE_LIB) $(LIBS)

bench-classify: $(B)/bench/bench_classify
	@AO_SHARED_DATA=$(abspath ../shared/data) $(B)/bench/bench_classify \
	  $(BENCH_SECONDS)

# Where the time of a line goes, stage by stage, on the benchmark log
# (README, "Performance"); generates the log and database when missing.
$(B)/bench/bench_stages: tests/bench/bench_stages.c $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(REAL_CFLAGS) -o $@ $< $(CORE_LIB) $(LIBS)

bench-stages: $(B)/bench/bench_stages
	@python3 tests/bench/bench.py --prepare-only >/dev/null
	@$(B)/bench/bench_stages $(B)/bench/combined-1000000.log \
	  $(B)/bench/bench-country.mmdb $(BENCH_ROUNDS_STAGES)

# Instructions per line by stage (callgrind, only inside the read loop) on
# the first PROFILE_LINES lines of the benchmark log, and the instruction
# budget of a speed target (README, "Performance"). Needs valgrind.
# `make PGO=1 profile` profiles the profile-guided build.
PROFILE_LINES ?= 200000
profile: all
	@python3 tests/bench/profile.py --lines $(PROFILE_LINES) --cli $(CLI)

# `make asan`, then the integration tests with the plugin and the CLI built
# with ASan + UBSan running inside the real collectd (its sanitizer runtimes
# preloaded; see tests/sanitize/run.sh), then the GeoIP tests, whose Logs
# share database snapshots between threads, under ThreadSanitizer.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
TSAN_FLAGS = -O1 -g -fsanitize=thread -fno-omit-frame-pointer
sanitize: asan
	$(MAKE) B=build-san LTO=0 USE_WERROR=$(USE_WERROR) CFLAGS="$(SAN_FLAGS)" \
	  LDFLAGS="-fsanitize=address,undefined" all build-san/testdata/stamp
	AO_TEST_DATA=$(abspath build-san/testdata) tests/sanitize/run.sh build-san
	$(MAKE) B=build-tsan LTO=0 USE_WERROR=$(USE_WERROR) CFLAGS="$(TSAN_FLAGS)" \
	  LDFLAGS="-fsanitize=thread" build-tsan/tests/test_geodb \
	  build-tsan/tests/test_geo build-tsan/testdata/stamp
	TSAN_OPTIONS="halt_on_error=1" AO_TEST_DATA=$(abspath build-tsan/testdata) \
	  tests/run-unit.sh build-tsan/tests/test_geodb build-tsan/tests/test_geo

# Only module_register may leave the plugin: everything else is hidden.
symbols: $(PLUGIN)
	@tests/check-symbols.sh $(PLUGIN)

# Installs the Debian packages the build, tests and demo need when they are
# missing (as root), or says which ones to install.
deps:
	@tests/tools/deps.sh

# --- demo --------------------------------------------------------------------
# The embedded default country database, used when no real one is installed.
DEMO_DB = $(B)/demo/demo-country.mmdb
$(DEMO_DB): tests/tools/mkmmdb.pl tests/data/demo-geo.tsv
	@mkdir -p $(@D)
	perl tests/tools/mkmmdb.pl --layout maxmind tests/data/demo-geo.tsv $@

demo: deps all $(DEMO_DB)
	@python3 tests/tools/demo.py

# --- end to end, packages, chart (issue 7) -------------------------------------
# Debian's python3: graphite-web, Django and PyYAML are Debian packages.
E2E_PYTHON ?= /usr/bin/python3

e2e: deps all $(DEMO_DB) $(TEST_DATA)/stamp deb rpm
	@AO_TEST_DATA=$(abspath $(TEST_DATA)) $(E2E_PYTHON) tests/e2e/run.py

# README's picture: a real run, drawn by gnuplot from collectd's csv output.
chart: deps all $(DEMO_DB)
	@python3 tests/tools/chart.py docs/attack-origin-chart.png

# --- the fleet (issue 8) ------------------------------------------------------
# fleetgen: the network traffic of simulated agents (real collectd network
# packets, SecurityLevel Encrypt/Sign with libgcrypt), for the scale figure
# and for a test that a real central decodes its packets.
GCRYPT_CFLAGS := $(shell $(PKG_CONFIG) --cflags libgcrypt 2>/dev/null)
GCRYPT_LIBS := $(shell $(PKG_CONFIG) --libs libgcrypt 2>/dev/null || echo -lgcrypt)
FLEETGEN = $(B)/fleet/fleetgen
$(FLEETGEN): tests/fleet/fleetgen.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARNINGS) $(GCRYPT_CFLAGS) \
	  $(CFLAGS) $(LDFLAGS) -o $@ $< $(GCRYPT_LIBS) -lm

# Three collectd agents with the plugin -> encrypted network -> a central
# collectd -> real InfluxDB and Prometheus; restarts, a wrong secret
# (tests/fleet/test_fleet.py, README "Fleet").
e2e-fleet: deps all $(DEMO_DB) $(TEST_DATA)/stamp $(FLEETGEN)
	@AO_TEST_DATA=$(abspath $(TEST_DATA)) AO_FLEETGEN=$(abspath $(FLEETGEN)) \
	  $(E2E_PYTHON) tests/fleet/run.py
check: e2e-fleet

# How many agents one central collectd takes (README "Fleet"): fleetgen
# traffic of FLEET_SIZES simulated agents, FLEET_SECONDS each, against a real
# central; report in $(B)/fleet-scale.json. Not part of make check.
FLEET_SIZES ?= 100 1000 10000
FLEET_SECONDS ?= 60
FLEET_CATEGORIES ?= 8
FLEET_COUNTRIES ?= 250
fleet-scale: deps all $(FLEETGEN)
	@AO_FLEETGEN=$(abspath $(FLEETGEN)) python3 tests/fleet/scale.py \
	  --sizes "$(FLEET_SIZES)" --seconds $(FLEET_SECONDS) \
	  --categories $(FLEET_CATEGORIES) --countries $(FLEET_COUNTRIES) \
	  --report $(B)/fleet-scale$(FLEET_REPORT_SUFFIX).json

# A Debian package with dpkg-buildpackage (packaging/debian), checked by
# lintian (report in build/deb/lintian.txt), and an RPM with rpmbuild
# (packaging/rpm). Both build from a copy of this tree, never in it.
DEB_DIR = $(B)/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	tar --exclude=./build --exclude='./build-*' --exclude=./.git -cf - . | \
	  tar -xf - -C $(DEB_DIR)/src
	cp -r packaging/debian $(DEB_DIR)/src/debian
	cd $(DEB_DIR)/src && dpkg-buildpackage -us -uc -b
	lintian --info $(DEB_DIR)/*.changes > $(DEB_DIR)/lintian.txt 2>&1; \
	  status=$$?; cat $(DEB_DIR)/lintian.txt; exit $$status
	@ls -l $(DEB_DIR)/*.deb

RPM_DIR = $(abspath $(B))/rpm
RPM_VERSION = $(shell sed -n 's/^Version: *//p' packaging/rpm/collectd-attack-origin.spec)
rpm:
	rm -rf $(RPM_DIR) && mkdir -p $(RPM_DIR)/SOURCES
	tar --exclude=./build --exclude='./build-*' --exclude=./.git \
	  --transform 's,^\.,collectd-attack-origin-$(RPM_VERSION),' \
	  -czf $(RPM_DIR)/SOURCES/collectd-attack-origin-$(RPM_VERSION).tar.gz .
	rpmbuild --define "_topdir $(RPM_DIR)" --nodeps \
	  -ba packaging/rpm/collectd-attack-origin.spec
	@ls -l $(RPM_DIR)/RPMS/*/*.rpm $(RPM_DIR)/SRPMS/*.rpm

# --- benchmarks ----------------------------------------------------------------
# attack-origin against GoAccess, collectd's tail plugin, mtail,
# fail2ban-regex and wc -l on the same generated logs (README, "Performance").
bench: deps all
	$(MAKE) B=build-pgo PGO=1 all
	@python3 tests/bench/bench.py

# The performance work must not change a verdict: this tree's CLI against
# the one of VERDICTS_BASE (the last commit before it, by default) on the
# benchmark logs, the evaluation corpora, the real logs and a mutation
# corpus, byte for byte (README, "Performance"). VERDICTS_ARGS=--quick.
verdicts-diff: all
	@python3 tests/bench/verdicts_diff.py $(if $(VERDICTS_BASE),--base $(VERDICTS_BASE)) $(VERDICTS_ARGS)

# PGO=1 (build-pgo/) against the default build: the unit tests on its core,
# then both CLIs' verdicts and reports, byte for byte, on the first 200,000
# lines of the benchmark logs, the evaluation corpora, the real logs and the
# mutation corpus of verdicts-diff.
pgo-check:
	$(MAKE) B=build PGO=0 all
	$(MAKE) B=build-pgo PGO=1 all unit
	python3 tests/bench/verdicts_diff.py --quick --cli build/attack-origin \
	  --base-cli build-pgo/attack-origin --out build/verdicts-pgo

# --- install -----------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(CONFDIR) \
	  $(DESTDIR)$(DOCDIR)
	install -m 0644 $(PLUGIN) $(DESTDIR)$(PLUGINDIR)/attack_origin.so
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/attack-origin
	install -m 0644 conf.d/attack_origin.conf $(DESTDIR)$(DOCDIR)/attack_origin.conf.example
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -d $(DESTDIR)$(DOCDIR)/signatures
	install -m 0644 $(SIG_DATA) $(DESTDIR)$(DOCDIR)/signatures/

uninstall:
	rm -f $(DESTDIR)$(PLUGINDIR)/attack_origin.so $(DESTDIR)$(BINDIR)/attack-origin
	rm -rf $(DESTDIR)$(DOCDIR)

# The JSON parser measurement (README, "Structured JSON"): ns/line, and heap
# allocations per line from valgrind's totals for 1 and 10,001 lines.
JSONC_CFLAGS := $(shell $(PKG_CONFIG) --cflags json-c 2>/dev/null)
JSONC_LIBS := $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null)
$(B)/bench/bench_json: tests/bench/bench_json.c $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(REAL_CFLAGS) $(if $(JSONC_LIBS),-DAO_BENCH_JSONC $(JSONC_CFLAGS)) \
	  -o $@ $< $(CORE_LIB) $(LIBS) $(JSONC_LIBS)

bench-json: $(B)/bench/bench_json
	@for m in ao yajl $(if $(JSONC_LIBS),jsonc); do \
	  $(B)/bench/bench_json $$m 1000000; \
	  for k in 1 10001; do \
	    printf '%s %s lines: ' $$m $$k; \
	    valgrind $(B)/bench/bench_json $$m $$k 2>&1 >/dev/null | \
	      sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1 allocs/p'; \
	  done; \
	done

# Parse-only cost per line of each Format (README, "Log formats").
$(B)/bench/bench_formats: tests/bench/bench_formats.c $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(REAL_CFLAGS) -o $@ $< $(CORE_LIB) $(LIBS)

bench-formats: $(B)/bench/bench_formats
	@python3 tests/bench/bench_formats.py $(B)/bench/bench_formats

# --- fuzzing (libFuzzer) -----------------------------------------------------
# Every tests/fuzz/fuzz_<name>.c is a target over core functions. They are
# built with clang in their own directory (the core instrumented for
# coverage, ASan and UBSan) and run by tests/fuzz/run.sh: first every seed
# and kept regression input (tests/fuzz/seeds, tests/fuzz/regressions),
# then FUZZ_SECONDS of fuzzing each. FUZZ_SECONDS=0 only replays.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FB = build-fuzz
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FB)/%)
FUZZ_CORE_OBJ := $(CORE_SRC:plugin/core/%.c=$(FB)/core/%.o)
# the compiled-in signature lists (the core needs them to link)
FUZZ_CORE_OBJ += $(FB)/gen/ao_signatures_data.o
$(FB)/gen/ao_signatures_data.o: $(SIG_GEN)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer \
              -MMD -MP -Iplugin/core -Itests/fuzz $(MMDB_CFLAGS) $(PCRE2_CFLAGS) \
              $(WARNINGS) -Wno-missing-prototypes $(FUZZ_SAN) \
              -Wno-missing-field-initializers
# (clang, unlike gcc, flags the option table's rows that leave a trailing
# member such as `repeatable` to its zero default)

$(FB)/core/%.o: plugin/core/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/libaocore.a: $(FUZZ_CORE_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FB)/libaocore.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FB)/libaocore.a $(LIBS)

fuzz-build: deps $(FUZZ_BIN) $(TEST_DATA)/stamp

fuzz: fuzz-build
	@AO_TEST_DATA=$(abspath $(TEST_DATA)) tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

fuzz-regress: fuzz-build
	@AO_TEST_DATA=$(abspath $(TEST_DATA)) tests/fuzz/run.sh 0 $(FUZZ_BIN)

# What the private GeoIP database copy costs on a database of real size
# (load time, collectd's memory with 1 and 4 Logs): figures for README.
bench-geoip: deps all
	@python3 tests/bench/geoip_copy.py

lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
	  --inline-suppr -Iplugin/core plugin/core plugin/cli

clean:
	rm -rf build build-asan build-fuzz build-san build-tsan build-pgo

-include $(CORE_OBJ:.o=.d) $(ADAPTER_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(HELPER_OBJ:.o=.d)
-include $(FUZZ_CORE_OBJ:.o=.d)
