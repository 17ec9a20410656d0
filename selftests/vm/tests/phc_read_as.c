// SPDX-License-Identifier: GPL-2.0
/*
 * phc_read_as UID PATH: become UID (no groups, no capabilities), open the
 * PTP clock PATH read-only and read it with clock_gettime() on the fd.
 * Prints "read ok", "read EAGAIN" (the driver answered: the clock is not
 * synchronized, but permission was granted) or "open: REASON"/"read:
 * REASON"; exits 0 only for "read ok" and "read EAGAIN".
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FD_TO_CLOCKID(fd)	((~(clockid_t)(fd) << 3) | 3)

int main(int argc, char *argv[])
{
	struct timespec ts;
	uid_t uid;
	int fd;

	if (argc != 3)
		return 2;
	uid = atoi(argv[1]);
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid) || !geteuid()) {
		printf("cannot drop to uid %u\n", uid);
		return 2;
	}
	fd = open(argv[2], O_RDONLY);
	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	if (clock_gettime(FD_TO_CLOCKID(fd), &ts)) {
		if (errno == EAGAIN) {
			printf("read EAGAIN\n");
			return 0;
		}
		printf("read: %s\n", strerror(errno));
		return 1;
	}
	printf("read ok\n");
	return 0;
}
