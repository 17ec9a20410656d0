// SPDX-License-Identifier: GPL-2.0
/*
 * guest_exit CODE: end the test guest, reporting CODE (0..127) to the host
 * through QEMU's isa-debug-exit device at port 0xf4; QEMU then exits with
 * status (CODE << 1) | 1.  The port is written with ioperm() and outb()
 * rather than through /dev/port, which kernels built without
 * CONFIG_DEVPORT (Debian's cloud flavour) do not have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	int code;

	if (argc != 2) {
		fprintf(stderr, "usage: guest_exit CODE\n");
		return 2;
	}
	code = atoi(argv[1]);
	if (ioperm(DEBUG_EXIT_PORT, 1, 1)) {
		perror("guest_exit: ioperm");
		return 1;
	}
	outb(code & 0x7f, DEBUG_EXIT_PORT);
	/* Only reached when there is no such device. */
	fprintf(stderr, "guest_exit: no isa-debug-exit device\n");
	return 1;
}
