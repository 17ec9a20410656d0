// SPDX-License-Identifier: GPL-2.0
/*
 * nl_spoof PID: pretend to be the kernel to the netlink socket of process
 * PID (a running "vmclockctl monitor"), as any local process could try.
 * Sends from an ordinary netlink socket, so its source port is not 0:
 *
 *  - a vmclock source-added event for source 4242, unicast to PID's port
 *    and (we are root) multicast to vmclock's "events" group;
 *  - the controller's "vmclock family deleted" notification, unicast and
 *    multicast to the controller's "notify" group.
 *
 * A monitor that trusts its senders prints source 4242 or stops.  Prints
 * one line per message sent with what sendto() said; exit 0 unless a
 * message could not be built or PID has no generic netlink socket.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "vmclockctl.h"

#define SPOOFED_ID 4242

/* The port of PID's generic netlink socket, from /proc; 0: none. */
static unsigned int port_of(int pid)
{
	unsigned long inodes[16], ino;
	unsigned int port = 0, eth, p;
	char path[64], link[64], line[256];
	int n = 0, i;
	struct dirent *de;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	while (dir && (de = readdir(dir)) && n < 16) {
		ssize_t len;

		len = readlinkat(dirfd(dir), de->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) == 1)
			inodes[n++] = ino;
	}
	if (dir)
		closedir(dir);
	f = fopen("/proc/net/netlink", "r");
	if (!f)
		return 0;
	/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %u %u %*s %*s %*s %*s %*s %*s %lu",
			   &eth, &p, &ino) != 3 || eth != NETLINK_GENERIC)
			continue;
		for (i = 0; i < n; i++)
			if (inodes[i] == ino)
				port = p;
	}
	fclose(f);
	return port;
}

static void send_to(int fd, struct nl_msg *msg, unsigned int port, int group,
		    const char *what)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = port };
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (group > 32) {
		printf("%s: group %d cannot be addressed, not sent\n", what, group);
		return;
	}
	if (group > 0)
		to.nl_groups = 1U << (group - 1);
	/* As the kernel's own messages look: port 0, sequence 0. */
	nlh->nlmsg_pid = 0;
	nlh->nlmsg_seq = 0;
	if (sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		printf("%s: %s\n", what, strerror(errno));
	else
		printf("%s: sent\n", what);
}

int main(int argc, char *argv[])
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *ev, *del;
	int family, events, notify, fd;
	unsigned int port;

	if (argc != 2 || !sk || genl_connect(sk))
		return 2;
	port = port_of(atoi(argv[1]));
	family = genl_ctrl_resolve(sk, VMCLOCK_FAMILY_NAME);
	events = genl_ctrl_resolve_grp(sk, VMCLOCK_FAMILY_NAME,
				       VMCLOCK_MCGRP_EVENTS);
	notify = genl_ctrl_resolve_grp(sk, "nlctrl", "notify");
	if (!port || family < 0 || events < 0 || notify < 0) {
		fprintf(stderr, "nl_spoof: port %u family %d groups %d %d\n",
			port, family, events, notify);
		return 1;
	}
	printf("port %u of pid %s, our port %u\n", port, argv[1],
	       nl_socket_get_local_port(sk));

	ev = nlmsg_alloc();
	del = nlmsg_alloc();
	if (!ev || !del ||
	    !genlmsg_put(ev, 0, 0, family, 0, 0, VMCLOCK_CMD_SOURCE_ADD_NTF,
			 VMCLOCK_FAMILY_VERSION) ||
	    nla_put_u32(ev, VMCLOCK_A_SOURCE_ID, SPOOFED_ID) ||
	    nla_put_string(ev, VMCLOCK_A_CLOCK_NAME, "spoofed") ||
	    nla_put_string(ev, VMCLOCK_A_PROFILE, "kvm") ||
	    nla_put_u32(ev, VMCLOCK_A_PHC_INDEX, 99) ||
	    nla_put_u32(ev, VMCLOCK_A_STATE, VMCLOCK_SOURCE_OK) ||
	    !genlmsg_put(del, 0, 0, GENL_ID_CTRL, 0, 0, CTRL_CMD_DELFAMILY, 2) ||
	    nla_put_u16(del, CTRL_ATTR_FAMILY_ID, family) ||
	    nla_put_string(del, CTRL_ATTR_FAMILY_NAME, VMCLOCK_FAMILY_NAME))
		return 1;

	fd = nl_socket_get_fd(sk);
	send_to(fd, ev, port, 0, "event unicast");
	send_to(fd, ev, 0, events, "event multicast");
	send_to(fd, del, port, 0, "delfamily unicast");
	send_to(fd, del, 0, notify, "delfamily multicast");
	nlmsg_free(ev);
	nlmsg_free(del);
	nl_socket_free(sk);
	return 0;
}
