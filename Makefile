# SPDX-License-Identifier: GPL-2.0
#
# vmclock: kernel module (kernel/vmclock.ko) and helper (user/vmclockctl).
#
#   make                 module + vmclockctl
#   make check           unit tests, and for every installed kernel the module's
#                        build and VM tests; ends with "N passed, N failed"
#   make check-debian13  the same in a Debian 13 root, for its 6.12 and 7.x kernels
#   make stress          one long stress boot (not in check); same last line
#   make bench-vm        vmclockctl sync beside chronyd and phc2sys (not in check)
#   make bench-read      the cost of reading the time in the guest (not in check)
#   make demo            boot a guest, load the module, show vmclockctl status
#   make install         module to updates/, vmclockctl, man page, completion
#   make dkms-install    register the sources with DKMS and build/install
#
# KVER selects the kernel to build for and to boot in VM tests; KDIR its
# headers.  By default the running kernel when its headers are installed,
# otherwise the newest installed kernel headers.  'make check' tests every
# kernel installed with headers, or KVER alone when given, or the list KVERS.

VERSION := $(shell cat VERSION)
PWD_ABS := $(abspath .)

KVER ?= $(shell ./selftests/lib/pick-kernel.sh)
KDIR ?= /lib/modules/$(KVER)/build
# The kernel's X.Y: the kselftest harness and checkpatch come from the
# same kernel series when its source package is installed.
KSERIES := $(or $(shell echo '$(KVER)' | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p'),any)

PREFIX ?= /usr/local
DESTDIR ?=
BUILD := $(PWD_ABS)/build
KSFT := $(BUILD)/ksft/$(KSERIES)

KMAKE = $(MAKE) -C $(KDIR) M=$(PWD_ABS)

.PHONY: FORCE all module sim tools install install-module install-tools dkms-install \
	dkms-remove style check check-debian13 unit-programs unit vm-programs vm-check stress demo clean deps kernel-info bench bench-vm bench-read

all: module tools

# Kbuild rebuilds an object when its command line changes, but the two
# flavours of a Debian kernel (generic, cloud) share their headers and give
# the same command line: objects built for one would be linked into the
# other's module.  So objects are removed first when the kernel (release,
# headers or configuration) is not the one they were built for.  Not with
# Kbuild's clean: that searches the whole tree, build/ included, where the
# Debian roots of check-debian13 keep their own objects and modules.
BUILT_FOR := kernel/.built-for
KBUILD_OUTPUTS := \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '.*.cmd' -o -name '.*.d' \)

kernel-info:
	@test -n "$(KVER)" || { echo "no kernel headers found; run 'make deps'" >&2; exit 1; }
	@test -e $(KDIR)/Makefile || { echo "no kernel headers in $(KDIR); run 'make deps'" >&2; exit 1; }
	@echo "vmclock: building for $(KVER) with headers $(KDIR)"
	@want="$(KVER) $(KDIR) $$(cksum < $(KDIR)/.config 2>/dev/null)"; \
	if [ "$$(cat $(BUILT_FOR) 2>/dev/null)" != "$$want" ]; then \
		echo "vmclock: removing objects built for another kernel"; \
		find kernel $(wildcard selftests/sim) -maxdepth 1 -type f $(KBUILD_OUTPUTS) -delete; \
		rm -f .module-common.o Module.symvers modules.order; \
		echo "$$want" > $(BUILT_FOR); \
	fi

module: kernel-info
	$(KMAKE) W=$(or $(W),1) modules

# vmclock.ko and the test-only simulator selftests/sim/vmclock_sim.ko.
sim: kernel-info
	$(KMAKE) W=$(or $(W),1) VMCLOCK_SIM=1 modules

tools:
	$(MAKE) -C user

install: install-module install-tools

install-module: module
	$(KMAKE) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)

install-tools: tools
	$(MAKE) -C user install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

DKMS_SRC = $(DESTDIR)/usr/src/vmclock-$(VERSION)

# dkms_tree DIR: the sources DKMS builds from, with dkms.conf's version.
define dkms_tree
	rm -rf $(1)
	mkdir -p $(1)/selftests/lib
	cp -r Kbuild Makefile VERSION kernel $(1)/
	cp selftests/lib/pick-kernel.sh $(1)/selftests/lib/
	find $(1)/kernel \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		-o -name '.*.cmd' -o -name probes.h -o -name .built-for \) -delete
	sed 's/@VERSION@/$(VERSION)/' dkms.conf > $(1)/dkms.conf
endef

dkms-install: install-tools
	$(call dkms_tree,$(DKMS_SRC))
	dkms add vmclock/$(VERSION)
	dkms install -k $(KVER) vmclock/$(VERSION)

# What dkms-install would build, built by DKMS in a private tree: the VM
# tests boot it (suite "dkms") without touching the system's DKMS state.
# DKMS compresses the module when the kernel's own modules are (Debian 13).
DKMS_KO = $(BUILD)/dkms/$(KVER)/vmclock.ko

$(DKMS_KO): kernel-info FORCE
	$(call dkms_tree,$(BUILD)/dkms/src/vmclock-$(VERSION))
	rm -rf $(BUILD)/dkms/tree $(dir $@)
	mkdir -p $(BUILD)/dkms/tree $(dir $@)
	dkms build -m vmclock -v $(VERSION) -k $(KVER) \
		--sourcetree $(BUILD)/dkms/src --dkmstree $(BUILD)/dkms/tree
	./selftests/lib/ko-cat.sh $(BUILD)/dkms/tree/vmclock/$(VERSION)/$(KVER)/*/module/vmclock.ko* > $@

dkms-remove:
	dkms remove vmclock/$(VERSION) --all
	rm -rf $(DKMS_SRC)

# checkpatch from the kernel tree when it has one, else from the kernel
# source package (see below).
style: $(KSFT)/.stamp
	@cp=$(KDIR)/scripts/checkpatch.pl; \
	test -x $$cp || cp=$(KSFT)/scripts/checkpatch.pl; \
	echo "checkpatch: $$cp"; \
	perl $$cp --strict --no-tree --quiet --show-types \
		--ignore FILE_PATH_CHANGES \
		-f $(filter-out %.mod.c %/probes.h,$(wildcard kernel/*.[ch] kernel/*/*.[ch] selftests/sim/*.c))

# The kselftest harness and checkpatch come from Debian's linux-source
# package at build time, of KVER's series if installed, else the newest;
# nothing of them is committed.
$(KSFT)/.stamp:
	./selftests/lib/get-ksft.sh $(KSFT) $(KSERIES)

deps:
	./selftests/lib/install-deps.sh

check: deps
	./selftests/run-all.sh

# Opt-in: the whole of 'make check' in a Debian 13 root (debootstrap, kept in
# build/roots/trixie) against Debian 13's 6.12 and its backports' newest
# kernel; results in build/results-trixie/.  Needs root.
check-debian13:
	./selftests/check-debian.sh trixie

RES ?= $(BUILD)/results
VM_JOBS ?= $(shell nproc)

unit-programs: $(KSFT)/.stamp
	$(MAKE) -C selftests/unit O=$(BUILD)/unit KSFT_INC=$(KSFT) all

unit: $(KSFT)/.stamp
	$(MAKE) -C selftests/unit O=$(BUILD)/unit KSFT_INC=$(KSFT) RES=$(RES) run

# The estimator's replay bench: the table, and JSON in build/bench.json;
# then the random scenarios' summary, by default of the seeds make check
# runs (about 25 s; BENCH_RANDOM="-n 1800" for three times as many).
BENCH_RANDOM ?=

bench: $(KSFT)/.stamp
	$(MAKE) -s -C selftests/estimator O=$(BUILD)/estimator KSFT_INC=$(KSFT) all
	$(BUILD)/estimator/bench -o $(BUILD)/bench.json
	$(BUILD)/estimator/bench -R $(BENCH_RANDOM)

# The guest's test programs and vmclockctl, built with KVER's harness.
VM_MAKE = $(MAKE) -C selftests/vm O=$(BUILD)/vm/$(KSERIES) KSFT_INC=$(KSFT) KVER=$(KVER)

vm-programs: $(KSFT)/.stamp
	$(VM_MAKE) all

# One single-CPU guest per suite, as many at once as there are cores.
vm-check: $(KSFT)/.stamp sim $(DKMS_KO)
	$(VM_MAKE) -j$(VM_JOBS) RES=$(RES) DKMS_KO=$(DKMS_KO) run

# Opt-in, not part of check: one guest of about five minutes
# (selftests/vm/stress/), its figures as TAP comments in
# build/results/stress.log, then "N passed, N failed" for it alone.
# STRESS_SCALE=N divides its counts and durations by N.
STRESS_SCALE ?= 1

stress: deps
	@start=$$(date +%s); \
	$(MAKE) -s sim $(KSFT)/.stamp && \
	$(VM_MAKE) RES=$(RES) STRESS_SCALE=$(STRESS_SCALE) stress; \
	echo "== stress results ($$(($$(date +%s) - start)) s)"; \
	awk -f selftests/lib/tap-count.awk $(RES)/stress.log

# Opt-in, not part of check: vmclockctl sync beside chronyd and phc2sys,
# one guest per scenario (selftests/vm/bench/), about 10 minutes each,
# VM_JOBS at a time; prints the table (also build/bench-vm.md).
# BENCH_SCENARIOS selects scenarios; BENCH_ARGS="bench_warm=S
# bench_measure=S" changes the phases.
# Opt-in, not part of check: the cost of a read of the time in the guest,
# vmclock_now() against clock_gettime() and the unified PHC; one boot.
bench-read: deps
	@$(MAKE) -s sim $(KSFT)/.stamp
	@$(VM_MAKE) -s RES=$(RES) bench-read

bench-vm: deps
	@$(MAKE) -s sim $(KSFT)/.stamp
	@$(VM_MAKE) -s -j$(VM_JOBS) RES=$(RES) bench | tee $(BUILD)/bench-vm.md

demo: deps
	@$(MAKE) -s sim $(KSFT)/.stamp
	@$(VM_MAKE) -s demo

# Also runs in the DKMS copy, which has no user/.
# (build/ first: Kbuild's clean searches the whole tree.)
clean:
	rm -rf $(BUILD) kernel/compat/probes.h $(BUILT_FOR)
	-test -e $(KDIR)/Makefile && $(KMAKE) VMCLOCK_SIM=1 clean
	-test -d user && $(MAKE) -C user clean
