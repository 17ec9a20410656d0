// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmclockctl.h"

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Print s as a JSON string, quotes included. */
void json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static const char *const status_names[] = {
	[VMCLOCK_STATUS_UNSYNCHRONIZED]	= "unsynchronized",
	[VMCLOCK_STATUS_SYNCHRONIZED]	= "synchronized",
	[VMCLOCK_STATUS_HOLDOVER]	= "holdover",
	[VMCLOCK_STATUS_DISRUPTED]	= "disrupted",
};

/* Names are the ones /sys/kernel/vmclock/status shows. */
const char *status_name(unsigned int status)
{
	if (status >= sizeof(status_names) / sizeof(status_names[0]))
		return "unknown";
	return status_names[status];
}

/* First line of a file, without its newline; 0 or -errno. */
int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A command that takes no argument got one: say so. */
bool extra_args(int argc, char *argv[])
{
	if (argc <= 1)
		return false;
	err_msg("%s: unexpected argument '%s'", argv[0], argv[1]);
	return true;
}
