# SPDX-License-Identifier: GPL-2.0
# "make demo": what an operator sees after installing vmclock.
echo
echo "guest# modprobe vmclock"
modprobe vmclock
echo "guest# vmclockctl status"
vmclockctl status
echo "guest# vmclockctl -j status"
vmclockctl -j status
echo "guest# cat /sys/kernel/vmclock/status"
cat /sys/kernel/vmclock/status
echo
