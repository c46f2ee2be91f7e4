# SPDX-License-Identifier: GPL-2.0
#
# ktstr: a kselftest suite for sched_ext schedulers.
#
# In a kernel tree (tools/testing/selftests/ktstr):
#	make -C tools/testing/selftests TARGETS=ktstr [run_tests]
# From its own checkout, against any tree:
#	make [KSRC=<kernel tree>] [OUTPUT=<dir>]
# Without KSRC outside a tree: Debian's linux-source, unpacked in the cache.
#
# `make host` builds only what runs on the host (the launcher, its init,
# the unit tests) and needs no kernel build.

KTSTR_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

ifneq ($(wildcard $(KTSTR_DIR)/../lib.mk),)
KSRC ?= $(abspath $(KTSTR_DIR)/../../../..)
SELFTESTS := $(abspath $(KTSTR_DIR)/..)
else
# lib.mk would build into the current directory; keep the checkout clean
OUTPUT ?= $(KTSTR_DIR)/build
# sub-makes run in other directories: a relative OUTPUT would move
override OUTPUT := $(abspath $(OUTPUT))
ifeq ($(strip $(MAKECMDGOALS)),clean)
# From a checkout, `make clean` needs no kernel tree and asks nothing of
# the kernel cache: everything built is under OUTPUT (runs/ is results).
ONLY_CLEAN := 1
clean:
	rm -rf $(addprefix $(OUTPUT)/,bin obj include host tree fuzz .sanitize)
.PHONY: clean
else
# asked once (a few stats; it never unpacks), not at every expansion
ifeq ($(origin KSRC),undefined)
KSRC := $(shell $(KTSTR_DIR)/vmtest/kernel.sh --print-source)
endif
endif
SELFTESTS := $(KSRC)/tools/testing/selftests
endif
ifndef ONLY_CLEAN
ifeq ($(wildcard $(SELFTESTS)/lib.mk),)
$(error no kernel tree at KSRC='$(KSRC)': pass KSRC=<kernel tree> or run vmtest/install-deps.sh)
endif

TEST_PROGS := run_ktstr.sh
# config.tiny: the standalone kernel build (and its cache key) needs it;
# vmtest/kernel.sh, which finds or builds the kernel, goes in by the
# install-scripts rule below (lib.mk's rsync would flatten its path),
# and no C source is installed
TEST_FILES := ktstr config.tiny
# What kselftest builds, installs and cleans, by name: the host tool
# (ktstr), the guest's init (ktstr-init), bpftool, the fixture
# schedulers, the guest helpers (tests/vm) and the case binaries
# (tests/engine, run through run_ktstr.sh, never by kselftest itself).
# They keep their paths under bin/, where the installed ktstr finds them
# as it does in $(OUTPUT): INSTALL_RULE below copies them with their
# paths, where lib.mk's rsync would put them side by side (and bin/ktstr
# on the ktstr script). The unit tests are the project's, not installed.
BPF_SCHEDS := $(patsubst $(KTSTR_DIR)/bpf/%.bpf.c,%,			\
		$(wildcard $(KTSTR_DIR)/bpf/scx_*.bpf.c))
TEST_GEN_PROGS_EXTENDED := $(addprefix bin/,ktstr ktstr-init bpftool	\
	$(BPF_SCHEDS)							\
	$(patsubst $(KTSTR_DIR)/tests/vm/%.c,%,				\
		   $(wildcard $(KTSTR_DIR)/tests/vm/*.c))			\
	$(patsubst $(KTSTR_DIR)/tests/engine/%.c,tests/%,		\
		   $(wildcard $(KTSTR_DIR)/tests/engine/*.c)))
OVERRIDE_TARGETS := 1
include $(SELFTESTS)/lib.mk

# lib.mk's, but the binaries keep their bin/ paths (rsync -R: the part
# of each path after $(OUTPUT)/)
override define INSTALL_RULE
	$(eval INSTALL_LIST = $(TEST_PROGS)) $(INSTALL_SINGLE_RULE)
	$(eval INSTALL_LIST = $(TEST_FILES)) $(INSTALL_SINGLE_RULE)
	cd $(OUTPUT) && rsync -aR --copy-unsafe-links				\
		$(patsubst $(OUTPUT)/%,%,$(TEST_GEN_PROGS_EXTENDED))		\
		$(abspath $(INSTALL_PATH))/
	$(eval INSTALL_LIST = $(wildcard config settings)) $(INSTALL_SINGLE_RULE)
endef

install: install-scripts
install-scripts:
	$(if $(INSTALL_PATH),mkdir -p $(INSTALL_PATH)/vmtest &&		\
		install -m 0755 $(KTSTR_DIR)/vmtest/kernel.sh			\
			$(KTSTR_DIR)/vmtest/install-deps.sh $(INSTALL_PATH)/vmtest/)
.PHONY: install-scripts

# $(CLANG) and $(LLVM_STRIP) as the tools/ makefiles name them. When
# not given: Debian's clang-19 if installed (BPF wants clang 16 or later,
# and a plain `clang` may be an older one), else `clang`.
ifeq ($(origin CLANG),undefined)
CLANG := $(if $(shell command -v clang-19 2>/dev/null),clang-19,clang)
endif
ifeq ($(origin LLVM_STRIP),undefined)
LLVM_STRIP := $(if $(shell command -v llvm-strip-19 2>/dev/null),llvm-strip-19,llvm-strip)
endif

TOOLSDIR := $(KSRC)/tools
BPFDIR := $(TOOLSDIR)/lib/bpf
BPFTOOLDIR := $(TOOLSDIR)/bpf/bpftool
TOOLSINCDIR := $(TOOLSDIR)/include
APIDIR := $(TOOLSINCDIR)/uapi
SCXTOOLSINCDIR := $(TOOLSDIR)/sched_ext/include
# SRCARCH from ARCH (or this machine), as tools/sched_ext has it
include $(TOOLSDIR)/scripts/Makefile.arch

BIN := $(OUTPUT)/bin
OBJ := $(OUTPUT)/obj
INCLUDE_DIR := $(OUTPUT)/include
LIBBPF := $(OBJ)/libbpf/libbpf.a
# one bpftool: it generates the skeletons and goes into guests
BPFTOOL := $(OUTPUT)/bin/bpftool

# The BTF that vmlinux.h comes from: the kernel the tests boot.
VMLINUX_BTF_PATHS ?= $(if $(O),$(O)/vmlinux)					\
		     $(if $(KBUILD_OUTPUT),$(KBUILD_OUTPUT)/vmlinux)		\
		     $(dir $(shell KSRC=$(KSRC) $(KTSTR_DIR)/vmtest/kernel.sh	\
				--lookup 2>/dev/null))../../../vmlinux		\
		     $(KSRC)/vmlinux
# looked up once, and only when something expands it
VMLINUX_BTF ?= $(eval VMLINUX_BTF := $(abspath $(firstword			\
		$(wildcard $(VMLINUX_BTF_PATHS)))))$(VMLINUX_BTF)
NO_BTF := no vmlinux with BTF for the test kernel: run './ktstr kernel build' first, or pass VMLINUX_BTF=<vmlinux>

HOST_CFLAGS := -g -O2 -Wall -Wextra -Wno-unused-parameter			\
	       -Wno-sign-compare -Wno-missing-field-initializers		\
	       -Wno-format-truncation -D_GNU_SOURCE=	\
	       -I$(KTSTR_DIR)/common -I$(KTSTR_DIR)/vmtest -I$(KTSTR_DIR)/lib	\
	       -I$(KTSTR_DIR)/cli						\
	       $(USERCFLAGS)
# the project's own code builds without a warning (WERROR=0 to relax)
WERROR ?= 1
OWN_CFLAGS := $(if $(filter 1,$(WERROR)),-Werror)

# SANITIZE=1: the host tool, the unit tests, the guest's engine binaries
# and helpers and the scheduler loaders with ASan and UBSan (clang; the
# runtimes are in libclang-rt-19-dev), best into their own OUTPUT. A
# finding aborts (lib/sanitize.c). The guest init stays unsanitized: it
# is static, and ASan's runtime cannot be.
# The choice sticks to the OUTPUT (SAN_STATE), so that the ktstr script's
# own rebuilds there stay sanitized; SANITIZE=0 turns it off again, and
# a change rebuilds the binaries (they depend on SAN_STATE).
SAN_STATE := $(OUTPUT)/.sanitize
SANITIZE ?= $(if $(filter 1,$(shell cat $(SAN_STATE) 2>/dev/null)),1,0)
# (none kept for an OUTPUT never sanitized: nothing to rebuild there)
$(shell mkdir -p $(OUTPUT) && s=$$(cat $(SAN_STATE) 2>/dev/null);	\
	[ "$$s" = "$(SANITIZE)" ] || { [ -z "$$s" ] && [ "$(SANITIZE)" = 0 ]; } || \
	echo "$(SANITIZE)" > $(SAN_STATE))
ifeq ($(SANITIZE),1)
# -O1: ASan's usual level, and quicker to build than -O2
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer	\
	     -fno-sanitize-recover=undefined -O1 -DKTSTR_SANITIZE
CC := $(CLANG)
# gcc's warning options that clang does not know are not errors
HOST_CFLAGS += -Wno-unknown-warning-option
$(BIN)/ktstr-init: HOST_CFLAGS := $(HOST_CFLAGS)
HOST_CFLAGS += $(SAN_FLAGS)
endif
CFLAGS += $(HOST_CFLAGS) -I$(INCLUDE_DIR) -I$(APIDIR) -I$(TOOLSINCDIR)	\
	  -I$(OBJ)/include -I$(SCXTOOLSINCDIR)
LDLIBS_BPF := $(LIBBPF) -lelf -lz -lzstd

BPF_CFLAGS := -g -O2 -mcpu=v3 -target bpf -D__TARGET_ARCH_$(SRCARCH)	\
	      -mlittle-endian -I$(INCLUDE_DIR) -I$(OBJ)/include		\
	      -I$(APIDIR) -I$(SCXTOOLSINCDIR) -I$(KTSTR_DIR)/bpf		\
	      -Wall -Wno-compare-distinct-pointer-types

# common/: what the host, the guest's init and the engine all compile
COMMON_SRCS := $(wildcard $(KTSTR_DIR)/common/*.c)
# the guest's init: the helpers and the environment only
UTIL_SRCS := $(KTSTR_DIR)/common/util.c $(KTSTR_DIR)/common/env.c
# libktstr, the guest engine: lib/ and common/; its pure part (no
# libbpf) is what the unit tests link
LIB_SRCS := $(wildcard $(KTSTR_DIR)/lib/*.c) $(COMMON_SRCS)
LIB_PURE := $(COMMON_SRCS) $(addprefix $(KTSTR_DIR)/lib/,cpus.c monitor.c	\
		repro_print.c log_collapse.c payload_parse.c sanitize.c)
ENGINE_TESTS := $(patsubst $(KTSTR_DIR)/tests/engine/%.c,$(BIN)/tests/%,	\
		$(wildcard $(KTSTR_DIR)/tests/engine/*.c))
VMTEST_SRCS := $(addprefix $(KTSTR_DIR)/vmtest/,channel.c cpio.c	\
		initramfs.c console.c vm.c qmp.c)
CLI_SRCS := $(wildcard $(KTSTR_DIR)/cli/*.c)
UNIT_TESTS := $(patsubst $(KTSTR_DIR)/tests/unit/%.c,$(BIN)/unit/%,		\
		$(wildcard $(KTSTR_DIR)/tests/unit/*.c))
GUEST_PROGS := $(patsubst $(KTSTR_DIR)/tests/vm/%.c,$(BIN)/%,		\
		 $(wildcard $(KTSTR_DIR)/tests/vm/*.c))
HOST_HDRS := $(wildcard $(KTSTR_DIR)/common/*.h $(KTSTR_DIR)/vmtest/*.h	\
		$(KTSTR_DIR)/lib/*.h $(KTSTR_DIR)/cli/*.h)

.DEFAULT_GOAL := all
all: host guest
# the tree's sched_ext selftests and schedulers, for the project's own
# tests (tests/run.sh): opt in with `make tree`
tree: tree-scx

host: $(BIN)/ktstr $(BIN)/ktstr-init $(UNIT_TESTS) $(GUEST_PROGS)

guest: $(addprefix $(BIN)/,$(BPF_SCHEDS)) $(ENGINE_TESTS) $(BIN)/bpftool
# what needs no test kernel: bootstrap builds it beside the kernel
pre-kernel: host $(BIN)/bpftool $(LIBBPF)

# bpftool generates the skeletons and goes into guests too, to dump a
# failing scheduler's maps: a build without the LLVM/libbfd disassembler,
# which would pull a hundred megabytes of libraries into every initramfs,
# and without the pid iterator, which costs a second of TCG per "map show"
# It links the suite's libbpf (built once: a second libbpf is 15 CPU-seconds
# of a cold bootstrap), which its make then finds up to date.
$(BIN)/bpftool: $(wildcard $(BPFTOOLDIR)/*.[ch] $(BPFTOOLDIR)/Makefile)	\
		$(LIBBPF) | $(BIN) $(OBJ)/guest-bpftool
	$(call msg,BPFTOOL,,$@)
	$(Q)$(MAKE) -s -C $(BPFTOOLDIR) OUTPUT=$(OBJ)/guest-bpftool/		\
		LIBBPF_OUTPUT=$(OBJ)/libbpf/ LIBBPF_DESTDIR=$(OBJ)/		\
		feature-llvm=0 feature-libbfd=0 feature-libcap=0		\
		feature-clang-bpf-co-re=0					\
		EXTRA_CFLAGS='-g -O2' $(OBJ)/guest-bpftool/bpftool
	$(Q)cp $(OBJ)/guest-bpftool/bpftool $@

$(BIN) $(BIN)/unit $(BIN)/tests $(OBJ)/guest-bpftool $(OBJ)/libbpf $(INCLUDE_DIR) $(OBJ)/bpf:
	$(Q)mkdir -p $@

# Built once, linked by many: libktstr-host.a (the launcher, the pure
# part of libktstr, the host command's pure parts) for the host tool and
# the unit tests; libktstr.a (all of lib/) for the engine's test binaries.
# A SANITIZE=1 build's defaults (lib/sanitize.c) are linked as an object:
# nothing calls them, so an archive would leave them out.
SAN_SRC := $(KTSTR_DIR)/lib/sanitize.c
CLI_PURE := $(addprefix $(KTSTR_DIR)/cli/,shard.c budget.c stats_math.c ktap.c)
HOST_ARCHIVE := $(OBJ)/libktstr-host.a
HOST_OBJS := $(patsubst $(KTSTR_DIR)/%.c,$(OBJ)/host/%.o,			\
	     $(VMTEST_SRCS) $(filter-out $(SAN_SRC),$(LIB_PURE)) $(CLI_PURE))	\
	     $(OBJ)/host/json_writer.o
LIBKTSTR := $(OBJ)/libktstr.a
LIB_OBJS := $(patsubst $(KTSTR_DIR)/%.c,$(OBJ)/guest/%.o,			\
	    $(filter-out $(SAN_SRC),$(LIB_SRCS))) $(OBJ)/guest/json_writer.o

# JSON out is bpftool's json_writer from the tree (common/json.c); its
# header wants tools/include's linux/compiler.h, which only json.c gets
JSONW_INC := -I$(BPFTOOLDIR) -I$(TOOLSINCDIR)
JSON_INC :=
$(OBJ)/host/common/json.o $(OBJ)/guest/common/json.o: JSON_INC := $(JSONW_INC)

$(OBJ)/host/%.o: $(KTSTR_DIR)/%.c $(HOST_HDRS)
	$(call msg,CC,,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(OWN_CFLAGS) -I$(SELFTESTS)			\
		-I$(KTSTR_DIR)/bpf $(JSON_INC) -c -o $@ $<

$(OBJ)/guest/%.o: $(KTSTR_DIR)/%.c $(HOST_HDRS)				\
		  $(INCLUDE_DIR)/rq_sampler.bpf.skel.h				\
		  $(INCLUDE_DIR)/repro_probes.bpf.skel.h $(LIBBPF)
	$(call msg,CC,,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(OWN_CFLAGS) -I$(SELFTESTS) -I$(KTSTR_DIR)/bpf	\
		$(JSON_INC) -c -o $@ $<

# the tree's code, built with its own warnings (no -Werror of ours)
$(OBJ)/host/json_writer.o: $(BPFTOOLDIR)/json_writer.c
	$(call msg,CC,,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(JSONW_INC) -c -o $@ $<

$(OBJ)/guest/json_writer.o: $(BPFTOOLDIR)/json_writer.c
	$(call msg,CC,,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(JSONW_INC) -c -o $@ $<

$(HOST_ARCHIVE): $(HOST_OBJS)
	$(call msg,AR,,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIBKTSTR): $(LIB_OBJS)
	$(call msg,AR,,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN)/ktstr: $(CLI_SRCS) $(HOST_ARCHIVE) $(SAN_SRC) $(HOST_HDRS) | $(BIN)
	$(call msg,LINK,,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $(OWN_CFLAGS) -o $@ $(CLI_SRCS) $(SAN_SRC)	\
		$(HOST_ARCHIVE) $(USERLDFLAGS) -ldw -lelf -lm -lpthread

# PID 1 of the guest: static, so the initramfs needs no libc for it
$(BIN)/ktstr-init: $(KTSTR_DIR)/vmtest/init.c $(KTSTR_DIR)/vmtest/channel.c	\
		   $(UTIL_SRCS) $(HOST_HDRS) | $(BIN)
	$(call msg,LINK,,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $(OWN_CFLAGS) -static -o $@			\
		$(KTSTR_DIR)/vmtest/init.c $(KTSTR_DIR)/vmtest/channel.c	\
		$(UTIL_SRCS) $(USERLDFLAGS)

# unit tests: the host's pure code, no VM
$(BIN)/unit/%: $(KTSTR_DIR)/tests/unit/%.c $(HOST_ARCHIVE) $(SAN_SRC)	\
	       $(HOST_HDRS) | $(BIN)/unit
	$(call msg,LINK,,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $(OWN_CFLAGS) -I$(SELFTESTS)			\
		-I$(KTSTR_DIR)/bpf -o $@ $< $(SAN_SRC) $(HOST_ARCHIVE)	\
		$(USERLDFLAGS) -lelf -lm -lpthread

# the engine's workers, stopped at random moments on the host
$(BIN)/unit/worker_stop_test: $(KTSTR_DIR)/lib/worker.c
$(BIN)/unit/worker_stop_test: USERLDFLAGS += $(KTSTR_DIR)/lib/worker.c $(HOST_ARCHIVE)

# the DWARF line lookup auto-repro uses, on the test kernel's vmlinux
$(BIN)/unit/srcline_test: $(KTSTR_DIR)/cli/srcline.c
$(BIN)/unit/srcline_test: USERLDFLAGS += $(KTSTR_DIR)/cli/srcline.c -ldw

# declared tests: kselftest-harness binaries on libktstr
$(BIN)/tests/%: $(KTSTR_DIR)/tests/engine/%.c $(LIBKTSTR) $(SAN_SRC)	\
		$(HOST_HDRS) $(wildcard $(KTSTR_DIR)/tests/engine/*.h)	\
		| $(BIN)/tests
	$(call msg,LINK,,$@)
	$(Q)$(CC) $(CFLAGS) $(OWN_CFLAGS) -I$(SELFTESTS) -I$(KTSTR_DIR)/bpf	\
		-o $@ $< $(SAN_SRC) $(LIBKTSTR) $(USERLDFLAGS) $(LDLIBS_BPF)	\
		-lm -lpthread

# programs the tests run inside the guest
$(BIN)/%: $(KTSTR_DIR)/tests/vm/%.c $(KTSTR_DIR)/common/topo.c		\
	  $(UTIL_SRCS) $(HOST_HDRS) | $(BIN)
	$(call msg,LINK,,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $(OWN_CFLAGS) -o $@ $<			\
		$(KTSTR_DIR)/common/topo.c $(UTIL_SRCS) $(USERLDFLAGS)

# libbpf and bpftool come from the kernel tree, built into OUTPUT; only
# the static libbpf (its `all` compiles every file twice, for a shared
# library nothing here links). The touch: a changed header that no libbpf
# file includes (bpf_helpers.h) compiles nothing, and a libbpf.a older
# than it would be rebuilt by bpftool's make, with bpftool's flags.
$(LIBBPF): $(wildcard $(BPFDIR)/*.[ch] $(BPFDIR)/Makefile) | $(OBJ)/libbpf
	$(call msg,LIB,,$@)
	$(Q)$(MAKE) -s -C $(BPFDIR) OUTPUT=$(OBJ)/libbpf/ CC="$(CC)"		\
		EXTRA_CFLAGS='-g -O2 -fPIC' DESTDIR=$(OBJ) prefix=		\
		$@ install_headers
	$(Q)touch $@

# $$(VMLINUX_BTF): looked up when vmlinux.h is wanted, not on every make
.SECONDEXPANSION:
$(INCLUDE_DIR)/vmlinux.h: $$(VMLINUX_BTF) $(BPFTOOL) | $(INCLUDE_DIR)
	$(if $(VMLINUX_BTF),,$(error $(NO_BTF)))
	$(call msg,GEN,,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp
	$(Q)mv $@.tmp $@

# The tree's own sched_ext selftests and example schedulers, built
# against the same kernel: real workloads for the launcher's tests.
TREE_OUT := $(OUTPUT)/tree
TREE_SCHEDS := scx_simple scx_qmap scx_central scx_flatcg
tree-scx:
	$(if $(VMLINUX_BTF),,$(error $(NO_BTF)))
	$(call msg,SCHED_EXT,,$(TREE_OUT))
	$(Q)mkdir -p $(TREE_OUT)/sched_ext $(TREE_OUT)/selftests
	$(Q)$(MAKE) -s -C $(TOOLSDIR)/sched_ext MAKEOVERRIDES= OUTPUT=		\
		O=$(TREE_OUT)/sched_ext CLANG=$(CLANG) LLVM_STRIP=$(LLVM_STRIP)	\
		VMLINUX_BTF=$(VMLINUX_BTF) $(TREE_SCHEDS)
	$(Q)$(MAKE) -s -C $(SELFTESTS)/sched_ext MAKEOVERRIDES=			\
		OUTPUT=$(TREE_OUT)/selftests CLANG=$(CLANG)			\
		VMLINUX_BTF=$(VMLINUX_BTF)

$(OBJ)/bpf/%.bpf.o: $(KTSTR_DIR)/bpf/%.bpf.c $(INCLUDE_DIR)/vmlinux.h	\
		   $(LIBBPF) | $(OBJ)/bpf
	$(call msg,CLNG-BPF,,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(INCLUDE_DIR)/%.bpf.skel.h: $(OBJ)/bpf/%.bpf.o $(BPFTOOL) | $(INCLUDE_DIR)
	$(call msg,GEN-SKEL,,$@)
	$(Q)$(BPFTOOL) gen object $(<:.o=.linked.o) $<
	$(Q)$(BPFTOOL) gen skeleton $(<:.o=.linked.o) name $* > $@.tmp
	$(Q)mv $@.tmp $@

# a BPF scheduler's loader: bpf/<name>.c with its skeleton
$(BIN)/scx_%: $(KTSTR_DIR)/bpf/scx_%.c $(INCLUDE_DIR)/scx_%.bpf.skel.h	\
	      $(LIBBPF) | $(BIN)
	$(call msg,LINK,,$@)
	$(Q)$(CC) $(CFLAGS) $(OWN_CFLAGS) -o $@ $< $(USERLDFLAGS) $(LDLIBS_BPF)

override define CLEAN
	rm -rf $(BIN) $(OBJ) $(INCLUDE_DIR) $(OUTPUT)/host $(TREE_OUT)		\
		$(OUTPUT)/fuzz $(SAN_STATE)
endef

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all host guest pre-kernel tree tree-scx

# a SANITIZE change rebuilds what it compiles
$(BIN)/ktstr $(BIN)/ktstr-init $(UNIT_TESTS) $(GUEST_PROGS) $(ENGINE_TESTS)	\
	$(addprefix $(BIN)/,$(BPF_SCHEDS)) $(HOST_OBJS) $(LIB_OBJS):		\
	$(wildcard $(SAN_STATE))

# `make fuzz`: libFuzzer harnesses (tests/fuzz/fuzz_<name>.c) for the
# parsers of untrusted text, with ASan and UBSan, into $(OUTPUT)/fuzz/;
# tests/fuzz/run.sh runs them. Needs clang's libFuzzer runtime
# (libclang-rt-19-dev).
FUZZ_DIR := $(OUTPUT)/fuzz
FUZZ_CFLAGS := $(HOST_CFLAGS) -Wno-unknown-warning-option -O1		\
	       -fsanitize=fuzzer,address,undefined				\
	       -fno-sanitize-recover=undefined -fno-omit-frame-pointer	\
	       -I$(KTSTR_DIR)/tests/fuzz
FUZZ_SRCS := $(addprefix $(KTSTR_DIR)/,common/util.c common/env.c	\
		lib/cpus.c common/checks.c common/json_read.c			\
		lib/log_collapse.c common/topo.c				\
		vmtest/channel.c vmtest/console.c cli/known_issues.c		\
		cli/rundir.c cli/stats_load.c lib/payload_parse.c		\
		tests/fuzz/fuzz_util.c)
FUZZERS := $(patsubst $(KTSTR_DIR)/tests/fuzz/fuzz_%.c,$(FUZZ_DIR)/fuzz_%,	\
	     $(filter-out %/fuzz_util.c,					\
		$(wildcard $(KTSTR_DIR)/tests/fuzz/fuzz_*.c)))
fuzz: $(FUZZERS)

$(FUZZ_DIR):
	$(Q)mkdir -p $@

$(FUZZ_DIR)/fuzz_%: $(KTSTR_DIR)/tests/fuzz/fuzz_%.c $(FUZZ_SRCS)		\
		    $(KTSTR_DIR)/tests/fuzz/fuzz.h $(HOST_HDRS) | $(FUZZ_DIR)
	$(call msg,FUZZ,,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS) $(FUZZ_MORE)	\
		-lelf -lm -lpthread

# the commands fuzzed whole, with their own file
$(FUZZ_DIR)/fuzz_replay: FUZZ_MORE := $(KTSTR_DIR)/cli/replay.c
$(FUZZ_DIR)/fuzz_replay: $(KTSTR_DIR)/cli/replay.c
$(FUZZ_DIR)/fuzz_merge: FUZZ_MORE := $(KTSTR_DIR)/cli/merge.c
$(FUZZ_DIR)/fuzz_merge: $(KTSTR_DIR)/cli/merge.c
# fuzz_repro includes cli/auto_repro.c, which reads DWARF with libdw
$(FUZZ_DIR)/fuzz_repro: FUZZ_MORE := $(KTSTR_DIR)/cli/srcline.c -ldw
$(FUZZ_DIR)/fuzz_repro: $(KTSTR_DIR)/cli/srcline.c

.PHONY: fuzz

endif # ONLY_CLEAN
