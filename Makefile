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
INC_common := -Isrc/common
INC_gmi    := -Isrc/common -Isrc/gmi
INC_conv   := -Isrc/common -Isrc/gmi -Isrc/conv
INC_srv    := -Isrc/common -Isrc/gmi -Isrc/srv
INC_app    := -Isrc/common -Isrc/gmi -Isrc/conv -Isrc/srv -Isrc/app
LAYERS     := common gmi conv srv app

define layer_objs
$(patsubst src/%.c,$(B)/%.o,$(wildcard src/$(1)/*.c))
endef
$(foreach l,$(LAYERS),$(eval OBJ_$(l) := $(call layer_objs,$(l))))
LIB_OBJS := $(OBJ_common) $(OBJ_gmi) $(OBJ_conv) $(OBJ_srv)
APP_OBJS := $(OBJ_app)
BIN      := $(B)/canyon

.PHONY: all deps run test unit golden integration fuzz bench lint format \
        check-layers install uninstall clean tests-build
all: $(BIN)

$(foreach l,$(LAYERS),$(eval $(B)/$(l)/%.o: src/$(l)/%.c ; @mkdir -p $$(@D) && $$(CC) $$(ALL_CFLAGS) $(INC_$(l)) -c $$< -o $$@))

$(B)/libcanyon.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(APP_OBJS) $(B)/libcanyon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(APP_OBJS) $(B)/libcanyon.a $(PKG_LIBS) -lm

# Unit tests: tests/unit/test_<module>.c, one per pure module, with cmocka.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
$(B)/tests/%: tests/unit/%.c $(B)/libcanyon.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(INC_app) -Wno-missing-prototypes $< -o $@ $(B)/libcanyon.a \
	    $(PKG_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null) -lm

# Tools the tests and benchmarks build (load generator, ...): tests/tools/*.c
TOOL_SRCS := $(wildcard tests/tools/*.c tests/bench/*.c)
TOOL_BINS := $(patsubst tests/%.c,$(B)/%,$(TOOL_SRCS))
define tool_rule
$(B)/$(1)/%: tests/$(1)/%.c $(B)/libcanyon.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $(INC_app) -Wno-missing-prototypes $$< -o $$@ $(B)/libcanyon.a $$(PKG_LIBS) -lm -lpthread
endef
$(eval $(call tool_rule,tools))
$(eval $(call tool_rule,bench))

deps:
	@sh contrib/deps.sh

run: deps
	$(MAKE) all
	sh contrib/run.sh $(BIN)

# make test: everything under sanitizers, one summary line at the end.
test: deps
	$(MAKE) SAN=1 all tests-build
	sh tests/run.sh build/san

tests-build: $(UNIT_BINS) $(TOOL_BINS)

bench:
	@sh contrib/deps.sh bench
	$(MAKE) all tests-build
	sh tests/bench/run.sh build/rel

lint: check-layers
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE \
	    $(foreach l,$(LAYERS),$(INC_$(l))) src

# Belt and braces for the include-path rule: no header reached by a relative path.
check-layers:
	@! grep -rn '#include "\.\./' src || (echo "relative include found" >&2; exit 1)

format:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*.c

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/canyon
	for m in doc/*.1; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/ || true; done
	for m in doc/*.5; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/ || true; done
	install -m 644 canyon.yaml $(DESTDIR)$(DOCDIR)/canyon.yaml.example

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/canyon $(DESTDIR)$(MANDIR)/man1/canyon.1 \
	    $(DESTDIR)$(MANDIR)/man5/canyon.yaml.5
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
