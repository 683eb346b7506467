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
# libsystemd (sd-journal) for `Journal true`; without it the plugin builds
# without journal support and refuses that option with a clear message.
SYSTEMD_CFLAGS := $(shell $(PKG_CONFIG) --exists libsystemd 2>/dev/null && \
                    echo -DAO_HAVE_SYSTEMD $$($(PKG_CONFIG) --cflags libsystemd))
SYSTEMD_LIBS := $(shell $(PKG_CONFIG) --libs libsystemd 2>/dev/null)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

REAL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden \
              -MMD -MP -Iplugin/core $(MMDB_CFLAGS) $(PCRE2_CFLAGS) \
              $(SYSTEMD_CFLAGS) \
              $(WARNINGS) $(CFLAGS)
# collectd's headers use GNU and BSD extensions and are not -Wpedantic clean.
ADAPTER_CFLAGS = $(REAL_CFLAGS) -D_GNU_SOURCE -DHAVE_CONFIG_H \
                 -I$(COLLECTD_INCLUDE) -I$(COLLECTD_INCLUDE)/.. -Wno-pedantic -Wno-strict-prototypes \
                 -Wno-missing-prototypes -Wno-cast-align
LIBS = $(MMDB_LIBS) $(PCRE2_LIBS) $(SYSTEMD_LIBS) -lm

B = build
CORE_SRC := $(sort $(wildcard plugin/core/*.c))
ADAPTER_SRC := $(sort $(wildcard plugin/collectd/*.c))
CLI_SRC := $(sort $(wildcard plugin/cli/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
ADAPTER_OBJ := $(ADAPTER_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
CORE_LIB := $(B)/libaocore.a

PLUGIN := $(B)/attack_origin.so
CLI := $(B)/attack-origin

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# Test programs may link helpers from tests/unit/helpers/ and, for the
# adapter, a recording fake of collectd's exported functions.
HELPER_SRC := $(sort $(wildcard tests/unit/helpers/*.c))
HELPER_OBJ := $(HELPER_SRC:%.c=$(B)/%.o)
FAKE_COLLECTD_OBJ := $(B)/tests/fakes/fake_collectd.o

.PHONY: all check unit integration demo install uninstall clean asan symbols \
        deps deps-demo lint bench soak
.DEFAULT_GOAL := all

all: $(PLUGIN) $(CLI)

$(B)/plugin/core/%.o: plugin/core/%.c
	@mkdir -p $(@D)
	$(CC) $(REAL_CFLAGS) -c -o $@ $<

$(B)/plugin/collectd/%.o: plugin/collectd/%.c
	@mkdir -p $(@D)
	$(CC) $(ADAPTER_CFLAGS) -c -o $@ $<

$(B)/plugin/cli/%.o: plugin/cli/%.c
	@mkdir -p $(@D)
	$(CC) $(REAL_CFLAGS) -c -o $@ $<

$(CORE_LIB): $(CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(PLUGIN): $(ADAPTER_OBJ) $(CORE_LIB)
	$(CC) -shared -fvisibility=hidden $(LDFLAGS) -o $@ $(ADAPTER_OBJ) \
	  $(CORE_LIB) $(LIBS)

$(CLI): $(CLI_OBJ) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(CORE_LIB) $(LIBS)

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
	$(MAKE) B=build-asan USE_WERROR=$(USE_WERROR) \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" unit

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

# --- install -----------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(CONFDIR) \
	  $(DESTDIR)$(DOCDIR)
	install -m 0644 $(PLUGIN) $(DESTDIR)$(PLUGINDIR)/attack_origin.so
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/attack-origin
	install -m 0644 conf.d/attack_origin.conf $(DESTDIR)$(DOCDIR)/attack_origin.conf.example
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md

uninstall:
	rm -f $(DESTDIR)$(PLUGINDIR)/attack_origin.so $(DESTDIR)$(BINDIR)/attack-origin
	rm -rf $(DESTDIR)$(DOCDIR)

lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
	  --inline-suppr -Iplugin/core plugin/core plugin/cli

clean:
	rm -rf build build-asan

-include $(CORE_OBJ:.o=.d) $(ADAPTER_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(HELPER_OBJ:.o=.d)
