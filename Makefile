# bpfcost build. `make` builds ./bpfcost and its BPF objects, nothing else
# (only what `bash scripts/deps.sh` installs is needed); `make test` builds
# the unit tests and test helpers too and runs every test tier available on
# this machine (needs `deps.sh --test`); `make SAN=1` builds with ASan+UBSan.
PREFIX ?= /usr/local
DESTDIR ?=
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
BUILD ?= build
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
VERSION := 0.1.0
BIN ?= bpfcost

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 -Wstrict-prototypes
CFLAGS ?= -O2 -g
CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -DBPFCOST_VERSION='"$(VERSION)"' \
	-I$(BUILD) -Isrc
LDLIBS := -lbpf -lelf -lz -ljansson -lcapstone -lncursesw -lmicrohttpd -lyaml -lcrypt -lm -lpthread
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

BPF_SRCS := $(wildcard src/bpf/*.bpf.c)
BPF_OBJS := $(patsubst src/bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst src/bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
# Test helpers (tests/helpers/*.c): small libbpf programs e2e tests drive.
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/%,$(HELPER_SRCS))
# bpfloop.bpf.c built with 50, 200 and 800 iterations: one program, bc_loop,
# in three objects of known, growing cost (tests and benchmarks).
BPFLOOP_OBJS := $(foreach n,50 200 800,$(BUILD)/bpfloop$(n).bpf.o)

# libFuzzer harnesses, one per parser of outside input (tests/fuzz/README.md):
# built with clang, the library objects instrumented too, into $(FUZZ_BUILD).
# A new tests/fuzz/fuzz_NAME.c is picked up by `make fuzz` and the runner.
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))
# Parsers live below the commands: the cmd_*.c front ends are left out.
FUZZ_OBJS := $(patsubst src/%.c,$(FUZZ_BUILD)/%.o,$(filter-out src/cmd_%.c,$(LIB_SRCS)))
FUZZ_CFLAGS := -O1 -g $(WARN) -std=gnu11 -D_GNU_SOURCE -DBPFCOST_VERSION='"$(VERSION)"' \
	-I$(BUILD) -Isrc -fno-omit-frame-pointer -fno-sanitize-recover=all \
	-fsanitize=address,undefined

# Keep BPF objects and skeletons: tests load the objects with bpftool.
.SECONDARY:

.PHONY: all all-unit helpers clean install man deps test unit e2e vmtest bench fuzz fuzz-run
# What running needs; never anything a test-only package provides (CI checks
# this by building in a root that has only the plain deps.sh packages).
all: $(BPF_OBJS) $(SKELS) $(BIN)
all-unit: $(UNIT_BINS)
helpers: $(HELPER_BINS) $(BPFLOOP_OBJS)

$(BUILD):
	mkdir -p $(BUILD)/tests

# vmlinux.h is generated from the running kernel's BTF; CO-RE relocates the
# programs onto whatever kernel runs them (the 6.1 test guest included).
$(BUILD)/vmlinux.h: | $(BUILD)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# Syscall number -> name table for this architecture, from the uapi headers.
$(BUILD)/syscall_names.h: | $(BUILD)
	echo '#include <asm/unistd.h>' | $(CC) -E -dM - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$$/\t[\2] = "\1",/p' > $@.tmp && mv $@.tmp $@

$(BUILD)/syscalls.o $(FUZZ_BUILD)/syscalls.o: $(BUILD)/syscall_names.h

$(BUILD)/%.bpf.o: src/bpf/%.bpf.c $(BUILD)/vmlinux.h $(wildcard src/bpf/*.h) $(wildcard src/*.h) | $(BUILD)
	$(CLANG) -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$(ARCH) \
		-I$(BUILD) -Isrc -Isrc/bpf -c $< -o $@

$(BUILD)/bpfloop%.bpf.o: src/bpf/bpfloop.bpf.c $(BUILD)/vmlinux.h | $(BUILD)
	$(CLANG) -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$(ARCH) -DLOOP_N=$* \
		-I$(BUILD) -Isrc -Isrc/bpf -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: src/%.c $(SKELS) $(wildcard src/*.h src/bpf/*.h) | $(BUILD)
	$(CC) $(CFLAGS) -c $< -o $@

$(BIN): $(BUILD)/main.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

$(HELPER_BINS): $(BUILD)/tests/%: tests/helpers/%.c | $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) $< -lbpf -lelf -lz -o $@

$(FUZZ_BUILD)/%.o: src/%.c $(SKELS) $(wildcard src/*.h src/bpf/*.h)
	@mkdir -p $(FUZZ_BUILD)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

# An archive, so each harness links only the objects its parser needs.
$(FUZZ_BUILD)/libbpfcost.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_BUILD)/libbpfcost.a
	$(CLANG) $(FUZZ_CFLAGS) -Itests/fuzz -fsanitize=fuzzer $< $(FUZZ_BUILD)/libbpfcost.a \
		$(LDLIBS) -o $@

fuzz: $(FUZZ_BINS)

# Each harness for FUZZ_SECONDS (CI: a few seconds; bench/fuzz: ten minutes).
fuzz-run: fuzz
	BUILD=$(BUILD) bash tests/fuzz/run.sh -t $(or $(FUZZ_SECONDS),10)

# Benchmarks (bench/): scripts, not tests. Figures go to stdout; see
# bench/README.md. The fleet helper is built only for them.
$(BUILD)/bench/fleet_loader: bench/fleet_loader.c
	mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) $(LDFLAGS) $< -lbpf -lelf -lz -o $@

bench: all helpers $(BUILD)/bench/fleet_loader
	BUILD=$(BUILD) BPFCOST_BIN=$(BIN) bash bench/run.sh

# Man pages from the help text itself (scripts/mkman.sh: help -> Markdown ->
# go-md2man, which the plain deps.sh installs; `make` alone does not need it).
$(BUILD)/man/bpfcost.1: $(BIN) scripts/mkman.sh scripts/help2md.awk
	sh scripts/mkman.sh $(abspath $(BIN)) $(BUILD)/man

man: $(BUILD)/man/bpfcost.1

# The binary, a man page per command and the bash completion (which reads
# commands, options and selectors from the installed binary's --help).
install: $(BIN) man
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/bpfcost
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(BUILD)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -D -m 0644 scripts/bpfcost-completion.bash $(DESTDIR)$(BASHCOMPDIR)/bpfcost

deps:
	bash scripts/deps.sh

unit: all-unit
	@for t in $(UNIT_BINS); do $$t || exit 1; done

test: all all-unit helpers
	bash tests/run.sh

# Boots Debian's stock 6.1 and 5.10 kernels under QEMU/TCG (fetched once
# into $BPFCOST_VM_CACHE, default /var/cache/bpfcost-vm) and runs tests/vm
# inside each.
vmtest: all helpers
	BUILD=$(BUILD) BPFCOST_BIN=$(BIN) bash tests/vm/run.sh
	BUILD=$(BUILD) BPFCOST_BIN=$(BIN) VMTEST_SUITE=bullseye bash tests/vm/run.sh

clean:
	rm -rf $(BUILD) bpfcost
