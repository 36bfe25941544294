# goroscope: build, check, install, fuzz, bench.
#
#   make                      build ./goroscope (warnings are errors)
#   make check                every test, ending with prove's summary
#   make SANITIZE=address,undefined check
#   make install PREFIX=/usr/local DESTDIR=
#   make uninstall PREFIX=/usr/local DESTDIR=   remove what install put
#   make deps                 install missing Debian packages
#   make demo                 deps, build, and report on bundled captures
#   make format-check check-headers lint-man
#   make fuzz FUZZTIME=60     libFuzzer on every reader (needs clang)
#   make bench                benchmarks against the peer tools (needs Go)
#   make testdata             regenerate testdata/captures (needs Go)

VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
FUZZTIME ?= 60

SANITIZE ?=
ifeq ($(strip $(SANITIZE)),)
BUILD ?= build/default
# Functions start on a cache line: a change in one function moved the
# hot loops of others by a few bytes, which swung the old-format trace
# reader by 9 % on the development machine (bench/README.md).
OPT ?= -O2 -g -falign-functions=64
else
BUILD ?= build/sanitize
OPT ?= -O1 -g -fno-omit-frame-pointer
SANFLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
endif

PKGS = zlib libdeflate jansson libprotobuf-c libcgraph libgvc
# libcurl's headers only: formats/fetch.c loads the library with dlopen.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libcurl 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl

WARN = -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wvla \
	-Wformat=2 -Wundef
DEFS = -D_POSIX_C_SOURCE=200809L -DGOROSCOPE_VERSION='"$(VERSION)"'
ALL_CFLAGS = $(WARN) $(OPT) $(SANFLAGS) $(DEFS) -I. -I$(GEN) $(PKG_CFLAGS) \
	$(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm -pthread

LIB_SRCS := $(sort $(wildcard lib/*.c) $(wildcard formats/*.c))
CMD_SRCS := $(sort $(wildcard cmd/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
HEADERS := $(sort $(wildcard lib/*.h formats/*.h cmd/*.h tests/*.h \
	tests/fuzz/*.h))
MANPAGES := $(sort $(wildcard man/*.1 man/*.5))

# formats/profile.proto is compiled by protoc-c into the build folder.
GEN = $(BUILD)/gen
PROTO_C = $(GEN)/profile.pb-c.c
PROTO_H = $(GEN)/profile.pb-c.h

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/profile.pb-c.o
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
REPLAY_BINS := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=$(BUILD)/tests/replay_%)
LIBGOROSCOPE := $(BUILD)/libgoroscope.a
BIN := $(BUILD)/goroscope
STAMP := $(BUILD)/.flags

.PHONY: all check unit-tests format format-check check-headers lint-man \
	install uninstall deps demo fuzz bench testdata clean FORCE

# ./goroscope is the default build's; another BUILD= (a profiling or
# throwaway build) stays in its folder unless `goroscope` is asked for.
ifeq ($(BUILD),build/default)
all: goroscope
else
all: $(BIN)
endif

goroscope: $(BIN)
ifeq ($(strip $(SANITIZE)),)
	cp $(BIN) $@
else
	@true
endif

# Rebuild everything when the flags change (build folders per
# configuration, and a stamp of the flags inside each).
$(STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LIBS)' > $@.new
	@cmp -s $@.new $@ 2>/dev/null && rm -f $@.new || mv $@.new $@

$(BUILD)/%.o: %.c $(STAMP) | $(PROTO_H)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(PROTO_C) $(PROTO_H) &: formats/profile.proto
	@mkdir -p $(GEN)
	protoc-c --c_out=$(GEN) --proto_path=formats formats/profile.proto

$(BUILD)/gen/profile.pb-c.o: $(PROTO_C) $(STAMP)
	$(CC) $(ALL_CFLAGS) -c -o $@ $(PROTO_C)

$(LIBGOROSCOPE): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(CMD_OBJS) $(LIBGOROSCOPE)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJS) $(LIBGOROSCOPE) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/tap.h tests/testutil.h $(LIBGOROSCOPE) \
		$(STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBGOROSCOPE) $(LIBS)

# goroscope's per-goroutine summary of a trace, for tests/tracecheck.sh.
TRACESUM := $(BUILD)/tests/tracesum
$(TRACESUM): tests/tracesum.c $(LIBGOROSCOPE) $(STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBGOROSCOPE) $(LIBS)

FUZZ_COMMON = tests/fuzz/pipeline.c
$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c \
		$(FUZZ_COMMON) tests/fuzz/fuzz.h tests/testutil.h $(LIBGOROSCOPE) \
		$(STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay.c \
		$(FUZZ_COMMON) $(LIBGOROSCOPE) $(LIBS)

unit-tests: $(UNIT_BINS) $(REPLAY_BINS) $(TRACESUM)

check: $(BIN) unit-tests
	GOROSCOPE=$(CURDIR)/$(BIN) BUILD=$(CURDIR)/$(BUILD) \
		GOROSCOPE_SANITIZED=$(SANITIZE) \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		prove --exec '' $(UNIT_BINS) $(REPLAY_BINS) tests/golden.sh \
		tests/readme.sh tests/roundtrip.sh tests/append.sh tests/gotool.sh \
		tests/dot.sh tests/tracecheck.sh tests/progress.sh tests/threads.sh \
		tests/series.sh tests/capture.sh tests/faults.sh tests/samemoment.sh \
		tests/html.sh tests/jsonframes.sh tests/install.sh

# Style and hygiene.
FORMAT_SRCS = $(filter-out %.pb-c.c %.pb-c.h, \
	$(LIB_SRCS) $(CMD_SRCS) $(UNIT_SRCS) $(FUZZ_SRCS) tests/fuzz/replay.c \
	tests/tracesum.c \
	$(FUZZ_COMMON) $(HEADERS))

format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

check-headers: $(PROTO_H)
	@set -e; for h in $(filter-out %.pb-c.h, $(HEADERS)); do \
		echo "  HDR $$h"; \
		printf '#include "%s"\n#include "%s"\ntypedef int check_headers_tu;\n' $$h $$h | \
		$(CC) $(WARN) $(DEFS) -I. -I$(GEN) $(PKG_CFLAGS) -fsyntax-only \
			-x c -; \
	done

lint-man:
	mandoc -Tlint -W warning $(MANPAGES)

install: goroscope
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5
	install -m 755 goroscope $(DESTDIR)$(BINDIR)/goroscope
	install -m 644 $(filter %.1, $(MANPAGES)) $(DESTDIR)$(MANDIR)/man1/
	$(if $(filter %.5, $(MANPAGES)), \
		install -m 644 $(filter %.5, $(MANPAGES)) \
		$(DESTDIR)$(MANDIR)/man5/)

# The files install put, and nothing else: not the folders, which other
# software shares.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/goroscope \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/, \
			$(notdir $(filter %.1, $(MANPAGES)))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/, \
			$(notdir $(filter %.5, $(MANPAGES))))

deps:
	@.ci/deps

demo: deps goroscope
	./goroscope report testdata/captures/leaky/*.debug2.txt

# Fuzzing with libFuzzer (clang only): each reader for FUZZTIME seconds,
# starting from its corpus; crashes land in build/fuzz/crashers.
FUZZ_CC ?= clang
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -O1 -g $(DEFS) -I. \
	$(PKG_CFLAGS)
fuzz: $(PROTO_C)
	@mkdir -p build/fuzz/crashers
	@set -e; for f in $(if $(FUZZ_TARGET),tests/fuzz/fuzz_$(FUZZ_TARGET).c,$(FUZZ_SRCS)); do \
		name=$$(basename $$f .c | sed 's/^fuzz_//'); \
		echo "  FUZZ $$name ($(FUZZTIME)s)"; \
		$(FUZZ_CC) $(FUZZ_FLAGS) -I$(GEN) -o build/fuzz/fuzz_$$name $$f \
			$(FUZZ_COMMON) $(LIB_SRCS) $(PROTO_C) $(PKG_LIBS) -lm \
			-pthread; \
		mkdir -p build/fuzz/corpus-$$name; \
		build/fuzz/fuzz_$$name -max_total_time=$(FUZZTIME) \
			-artifact_prefix=build/fuzz/crashers/$$name- \
			-rss_limit_mb=4096 -print_final_stats=1 \
			build/fuzz/corpus-$$name tests/fuzz/corpus/$$name; \
	done

bench: goroscope
	bench/run-text.sh ./goroscope
	bench/run-pprof.sh ./goroscope
	bench/run-trend.sh ./goroscope
	bench/run-gsnap.sh ./goroscope
	bench/run-trace.sh ./goroscope
	bench/run-memory.sh ./goroscope

testdata:
	testdata/gen/generate.sh

clean:
	rm -rf build goroscope

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)
