# SPDX-License-Identifier: GPL-2.0
#
# vmclock: kernel module (kernel/vmclock.ko) and helper (user/vmclockctl).
#
#   make                 module + vmclockctl
#   make check           unit tests and VM tests; ends with "N passed, N failed"
#   make stress          one long stress boot (not in check); same last line
#   make demo            boot a guest, load the module, show vmclockctl status
#   make install         module to updates/, vmclockctl, man page, completion
#   make dkms-install    register the sources with DKMS and build/install
#
# KVER selects the kernel to build for and to boot in VM tests; KDIR its
# headers.  By default the running kernel when its headers are installed,
# otherwise the newest installed kernel headers.

VERSION := $(shell cat VERSION)
PWD_ABS := $(abspath .)

KVER ?= $(shell ./selftests/lib/pick-kernel.sh)
KDIR ?= /lib/modules/$(KVER)/build

PREFIX ?= /usr/local
DESTDIR ?=
BUILD := $(PWD_ABS)/build

KMAKE = $(MAKE) -C $(KDIR) M=$(PWD_ABS)

.PHONY: FORCE all module sim tools install install-module install-tools dkms-install \
	dkms-remove style check unit vm-check stress demo clean deps kernel-info bench

all: module tools

kernel-info:
	@test -n "$(KVER)" || { echo "no kernel headers found; run 'make deps'" >&2; exit 1; }
	@test -e $(KDIR)/Makefile || { echo "no kernel headers in $(KDIR); run 'make deps'" >&2; exit 1; }
	@echo "vmclock: building for $(KVER) with headers $(KDIR)"

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
		-o -name '.*.cmd' -o -name probes.h \) -delete
	sed 's/@VERSION@/$(VERSION)/' dkms.conf > $(1)/dkms.conf
endef

dkms-install:
	$(call dkms_tree,$(DKMS_SRC))
	dkms add vmclock/$(VERSION)
	dkms install -k $(KVER) vmclock/$(VERSION)

# What dkms-install would build, built by DKMS in a private tree: the VM
# tests boot it (suite "dkms") without touching the system's DKMS state.
DKMS_KO = $(BUILD)/dkms/vmclock.ko

$(DKMS_KO): kernel-info FORCE
	$(call dkms_tree,$(BUILD)/dkms/src/vmclock-$(VERSION))
	rm -rf $(BUILD)/dkms/tree
	mkdir -p $(BUILD)/dkms/tree
	dkms build -m vmclock -v $(VERSION) -k $(KVER) \
		--sourcetree $(BUILD)/dkms/src --dkmstree $(BUILD)/dkms/tree
	cp $(BUILD)/dkms/tree/vmclock/$(VERSION)/$(KVER)/*/module/vmclock.ko $@

dkms-remove:
	dkms remove vmclock/$(VERSION) --all
	rm -rf $(DKMS_SRC)

# checkpatch from the kernel tree when it has one, else from the kernel
# source package (see below).
style: $(BUILD)/ksft/.stamp
	@cp=$(KDIR)/scripts/checkpatch.pl; \
	test -x $$cp || cp=$(BUILD)/ksft/scripts/checkpatch.pl; \
	echo "checkpatch: $$cp"; \
	perl $$cp --strict --no-tree --quiet --show-types \
		--ignore FILE_PATH_CHANGES \
		-f $(filter-out %.mod.c %/probes.h,$(wildcard kernel/*.[ch] kernel/*/*.[ch] selftests/sim/*.c))

# The kselftest harness and checkpatch come from Debian's linux-source
# package at build time; nothing of them is committed.
$(BUILD)/ksft/.stamp:
	./selftests/lib/get-ksft.sh $(BUILD)/ksft

deps:
	./selftests/lib/install-deps.sh

check: deps
	./selftests/run-all.sh

RES ?= $(BUILD)/results
VM_JOBS ?= $(shell nproc)

unit: $(BUILD)/ksft/.stamp
	$(MAKE) -C selftests/unit O=$(BUILD)/unit KSFT_INC=$(BUILD)/ksft RES=$(RES) run

# The estimator's replay bench: the table, and JSON in build/bench.json;
# then the random scenarios' summary, by default of the seeds make check
# runs (about 25 s; BENCH_RANDOM="-n 1800" for three times as many).
BENCH_RANDOM ?=

bench: $(BUILD)/ksft/.stamp
	$(MAKE) -s -C selftests/estimator O=$(BUILD)/estimator KSFT_INC=$(BUILD)/ksft all
	$(BUILD)/estimator/bench -o $(BUILD)/bench.json
	$(BUILD)/estimator/bench -R $(BENCH_RANDOM)

# One single-CPU guest per suite, as many at once as there are cores.
vm-check: $(BUILD)/ksft/.stamp sim $(DKMS_KO)
	$(MAKE) -C selftests/vm -j$(VM_JOBS) O=$(BUILD)/vm KSFT_INC=$(BUILD)/ksft \
		KVER=$(KVER) RES=$(RES) DKMS_KO=$(DKMS_KO) run

# Opt-in, not part of check: one guest of about five minutes
# (selftests/vm/stress/), its figures as TAP comments in
# build/results/stress.log, then "N passed, N failed" for it alone.
# STRESS_SCALE=N divides its counts and durations by N.
STRESS_SCALE ?= 1

stress: deps
	@start=$$(date +%s); \
	$(MAKE) -s sim $(BUILD)/ksft/.stamp && \
	$(MAKE) -C selftests/vm O=$(BUILD)/vm KSFT_INC=$(BUILD)/ksft KVER=$(KVER) \
		RES=$(RES) STRESS_SCALE=$(STRESS_SCALE) stress; \
	echo "== stress results ($$(($$(date +%s) - start)) s)"; \
	awk -f selftests/lib/tap-count.awk $(RES)/stress.log

demo: deps
	@$(MAKE) -s sim $(BUILD)/ksft/.stamp
	@$(MAKE) -s -C selftests/vm O=$(BUILD)/vm KSFT_INC=$(BUILD)/ksft KVER=$(KVER) demo

# Also runs in the DKMS copy, which has no user/.
clean:
	-test -e $(KDIR)/Makefile && $(KMAKE) VMCLOCK_SIM=1 clean
	-test -d user && $(MAKE) -C user clean
	rm -rf $(BUILD) kernel/compat/probes.h
