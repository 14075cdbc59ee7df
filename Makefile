# canyon: a Gemini and Gopher capsule server for Hexo blogs.
#
#   make            release build (build/rel/canyon)
#   make SAN=1      AddressSanitizer + UndefinedBehaviorSanitizer build (build/san/canyon)
#   make run        install what is missing, build, convert capsule/, serve it
#   make test       install what is missing, build with sanitizers, run every test
#   make bench      benchmarks (never part of make test)
#
# Layering is enforced by include paths: each folder of src/ is compiled
# with only the headers it may use, so a converter file that includes a
# server header (or the reverse) fails to compile.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DOCDIR   ?= $(PREFIX)/share/doc/canyon
# make install-systemd: where systemd and logrotate look (Debian's layout).
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
LOGROTATEDIR ?= /etc/logrotate.d
DESTDIR  ?=
VERSION  := 0.1.0

CC       ?= cc
PKGS     := openssl libevent libevent_openssl md4c yaml-0.1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARNINGS := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
            -Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE -DCANYON_VERSION='"$(VERSION)"' $(WARNINGS) -MMD -MP

ifeq ($(SAN),1)
MODE     := san
OPTFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
MODE     := rel
OPTFLAGS := -O2 -g
endif
CFLAGS   ?=
LDFLAGS  ?=
ALL_CFLAGS  = $(BASE_CFLAGS) $(OPTFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(OPTFLAGS) $(LDFLAGS)

B := build/$(MODE)

# Who may include whom: common <- gmi <- conv, common <- gmi <- srv, app sees all.
# -iquote: only "x.h" includes search these folders, so a project header
# never hides a system one (a src/srv/limits.h once hid <limits.h>).
INC_common := -iquote src/common
INC_gmi    := -iquote src/common -iquote src/gmi
INC_conv   := -iquote src/common -iquote src/gmi -iquote src/conv
INC_srv    := -iquote src/common -iquote src/gmi -iquote src/srv
INC_app    := -iquote src/common -iquote src/gmi -iquote src/conv -iquote src/srv -iquote src/app
LAYERS     := common gmi conv srv app

define layer_objs
$(patsubst src/%.c,$(B)/%.o,$(wildcard src/$(1)/*.c))
endef
$(foreach l,$(LAYERS),$(eval OBJ_$(l) := $(call layer_objs,$(l))))
LIB_OBJS := $(OBJ_common) $(OBJ_gmi) $(OBJ_conv) $(OBJ_srv)
APP_OBJS := $(OBJ_app)
# The binary make install copies; `make install BIN=build/san/canyon`
# installs an already built one as it is, without building in this mode.
BIN      := $(B)/canyon

.PHONY: all deps run test test-haproxy unit golden integration fuzz fuzz-build bench lint format \
        check-layers format-check install uninstall install-systemd uninstall-systemd \
        clean tests-build
all: $(B)/canyon

$(foreach l,$(LAYERS),$(eval $(B)/$(l)/%.o: src/$(l)/%.c ; @mkdir -p $$(@D) && $$(CC) $$(ALL_CFLAGS) $(INC_$(l)) -c $$< -o $$@))

$(B)/libcanyon.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# The app layer without main(), for unit tests of its config readers.
$(B)/libcanyon-app.a: $(filter-out $(B)/app/main.o,$(APP_OBJS))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/canyon: $(APP_OBJS) $(B)/libcanyon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(APP_OBJS) $(B)/libcanyon.a $(PKG_LIBS) -lm

# Unit tests: tests/unit/test_<module>.c, one per pure module, with cmocka;
# the other tests/unit/*.c are fixtures the tests share, linked into each.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
UNIT_LIB_OBJS := $(patsubst tests/unit/%.c,$(B)/tests/%.o,$(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c)))
$(B)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC_app) -c $< -o $@
$(B)/tests/%: tests/unit/%.c $(UNIT_LIB_OBJS) $(B)/libcanyon-app.a $(B)/libcanyon.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC_app) -Wno-missing-prototypes $< -o $@ \
	    $(UNIT_LIB_OBJS) $(B)/libcanyon-app.a $(B)/libcanyon.a \
	    $(PKG_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null) -lm

# Tools the tests and benchmarks build (load generator, ...): tests/tools/*.c
# and tests/bench/*.c, one program each, but for the modules the test tools
# share (TOOL_LIB_SRCS), linked into each of them.
TOOL_LIB_SRCS := tests/tools/dial.c
TOOL_LIB_OBJS := $(patsubst tests/%.c,$(B)/%.o,$(TOOL_LIB_SRCS))
TOOL_SRCS := $(filter-out $(TOOL_LIB_SRCS),$(wildcard tests/tools/*.c tests/bench/*.c))
TOOL_BINS := $(patsubst tests/%.c,$(B)/%,$(TOOL_SRCS))
$(B)/tools/%.o: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
define tool_rule
$(B)/$(1)/%: tests/$(1)/%.c $(2) $(B)/libcanyon.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $(INC_app) -Wno-missing-prototypes $$< -o $$@ $(2) $(B)/libcanyon.a $$(PKG_LIBS) -lm -lpthread
endef
$(eval $(call tool_rule,tools,$(TOOL_LIB_OBJS)))
$(eval $(call tool_rule,bench))

deps:
	@sh contrib/deps.sh

run: deps
	$(MAKE) all
	sh contrib/run.sh $(B)/canyon

# make test: everything under sanitizers, one summary line at the end.
test: deps
	$(MAKE) SAN=1 all tests-build
	sh tests/run.sh build/san

tests-build: $(UNIT_BINS) $(TOOL_BINS) $(UNIT_LIB_OBJS) $(TOOL_LIB_OBJS)

# Two instances behind HAProxy (PROXY protocol v1/v2, spread, client
# address, session resumption across instances); also part of make test.
test-haproxy: deps
	$(MAKE) SAN=1 all tests-build
	sh tests/run.sh build/san integration/haproxy

bench:
	@sh contrib/deps.sh bench
	$(MAKE) all tests-build
	sh tests/bench/run.sh build/rel

# Fuzzing (libFuzzer, clang): tests/fuzz/fuzz_<target>.c, each linked with
# the library built again by clang with coverage instrumentation, into
# build/fuzz/. `make fuzz` runs each for FUZZ_SECONDS from its seed corpus
# tests/fuzz/corpus/<target>/ (found inputs go to build/fuzz/corpus/,
# crashes to build/fuzz/<target>-crash-*); make test runs each for a few seconds.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FZ           := build/fuzz
FUZZ_CFLAGS  := $(BASE_CFLAGS) -O1 -g -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                $(PKG_CFLAGS)
FUZZ_LIB_OBJS := $(patsubst src/%.c,$(FZ)/%.o,$(foreach l,common gmi conv srv,$(wildcard src/$(l)/*.c)))
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FZ)/%,$(wildcard tests/fuzz/fuzz_*.c))
$(foreach l,common gmi conv srv,$(eval $(FZ)/$(l)/%.o: src/$(l)/%.c ; @mkdir -p $$(@D) && $$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(INC_$(l)) -c $$< -o $$@))
$(FZ)/libcanyon.a: $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FZ)/libcanyon.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(INC_app) $< -o $@ \
	    $(FZ)/libcanyon.a $(PKG_LIBS) -lm

fuzz-build: $(FUZZ_BINS)

fuzz: deps
	$(MAKE) fuzz-build
	ROOT=$(CURDIR) CANYON=$(CURDIR)/$(BIN) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILT=1 \
	    FUZZ_WORK=$(CURDIR)/$(FZ)/corpus sh tests/fuzz/fuzz.sh

lint: check-layers format-check
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE \
	    $(subst -iquote ,-I,$(foreach l,$(LAYERS),$(INC_$(l)))) src

# Belt and braces for the include-path rule: no header reached by a relative path.
check-layers:
	@! grep -rn '#include "\.\./' src || (echo "relative include found" >&2; exit 1)

FORMAT_SRCS = $(wildcard src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h tests/tools/*.c tests/tools/*.h tests/bench/*.c tests/fuzz/*.c)
format:
	clang-format -i $(FORMAT_SRCS)

# Part of make lint: the code is laid out as make format leaves it.
format-check:
	clang-format --dry-run -Werror $(FORMAT_SRCS)

MANPAGES := doc/canyon.1 doc/canyon.yaml.5

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/canyon
	install -m 644 doc/canyon.1 $(DESTDIR)$(MANDIR)/man1/canyon.1
	install -m 644 doc/canyon.yaml.5 $(DESTDIR)$(MANDIR)/man5/canyon.yaml.5
	install -m 644 canyon.yaml $(DESTDIR)$(DOCDIR)/canyon.yaml.example

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/canyon $(DESTDIR)$(MANDIR)/man1/canyon.1 \
	    $(DESTDIR)$(MANDIR)/man5/canyon.yaml.5
	rm -rf $(DESTDIR)$(DOCDIR)

# The systemd units, sysusers and logrotate files of contrib/, with the
# binary's path set to where make install puts it.
SYSTEMD_UNITS := canyon.service canyon-build.service canyon-build.path

install-systemd:
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(LOGROTATEDIR)
	for u in $(SYSTEMD_UNITS); do \
	    sed 's|/usr/bin/canyon|$(BINDIR)/canyon|g' contrib/$$u >$(DESTDIR)$(UNITDIR)/$$u && \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	install -m 644 contrib/canyon.sysusers $(DESTDIR)$(SYSUSERSDIR)/canyon.conf
	install -m 644 contrib/canyon.logrotate $(DESTDIR)$(LOGROTATEDIR)/canyon

uninstall-systemd:
	rm -f $(foreach u,$(SYSTEMD_UNITS),$(DESTDIR)$(UNITDIR)/$(u)) \
	    $(DESTDIR)$(SYSUSERSDIR)/canyon.conf $(DESTDIR)$(LOGROTATEDIR)/canyon

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# The include flags of a layer, for tests/integration/layers.sh.
print-inc-%:
	@echo $(INC_$*)
