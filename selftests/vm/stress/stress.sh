# SPDX-License-Identifier: GPL-2.0
# "make stress", not part of make check: netlink fuzzing as root and as a
# user, sources changing under readers of the unified clock, simulated
# clocks unplugged while sampled, vmclock unloaded under its readers, and
# what is left afterwards.  Two CPUs, so that threads really race.
# stress_scale=N on the kernel command line (make stress STRESS_SCALE=N)
# divides every count and duration by N, for a quick try.
#@ qemu: -smp 2
scale=${stress_scale:-1}
echo "# stress: $(nproc) CPUs, scale 1/$scale, kernel $(uname -r)"
echo "# cmdline: $(cat /proc/cmdline)"
echo 30 > /proc/sys/kernel/hung_task_timeout_secs
modprobe vmclock_sim
modprobe vmclock
t leaks_start stress_leaks.sh start

# A simulated clock for the fuzzer to attach (netlink_fuzz puts it at fd 5).
echo "add 0 KVM virtual PTP" > /sys/kernel/debug/vmclock_sim/ctl
t fuzz netlink_fuzz $((100000 / scale)) 0x5354524553530001
echo "del 0" > /sys/kernel/debug/vmclock_sim/ctl

t churn stress_churn $((60 / scale))
t unplug stress_unplug $((200 / scale))
t reload stress_reload $((100 / scale))
t leaks stress_leaks.sh check
