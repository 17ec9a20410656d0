// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
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

/* names[i] of a table of n, or "unknown" for a value past it. */
const char *name_in(const char *const *names, size_t n, unsigned int i)
{
	return i < n ? names[i] : "unknown";
}

/* Names are the ones /sys/kernel/vmclock/status shows. */
const char *status_name(unsigned int status)
{
	return NAME_IN(status_names, status);
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

/*
 * A whole decimal number within [min, max] from a command-line argument:
 * digits only, so that " -5" or "+5" is not silently read as something
 * else.  On error says "WHAT: 'ARG' is not NOUN" or "WHAT: ARG is out of
 * range (MIN..MAX)" and returns -EINVAL or -ERANGE.
 */
int parse_number(const char *what, const char *arg, const char *noun,
		 uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	const char *p;
	char *end;

	for (p = arg; *p >= '0' && *p <= '9'; p++)
		;
	if (p == arg || *p) {
		err_msg("%s: '%s' is not %s", what, arg, noun);
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || v < min || v > max) {
		err_msg("%s: %s is out of range (%" PRIu64 "..%" PRIu64 ")",
			what, arg, min, max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

/*
 * getopt_long(), called with an optstring starting with ':', returned c
 * ('?' or ':'): say what was wrong with which option.  values[i] says
 * what the value of longopts[i] is ("milliseconds").  valid lists the
 * command's options.
 */
void opt_error(const char *cmd, int c, const struct option *longopts,
	       const char *const *values, char *argv[], const char *valid)
{
	int i;

	if (c == ':') {
		for (i = 0; longopts[i].name; i++)
			if (longopts[i].val == optopt)
				break;
		if (longopts[i].name)
			err_msg("--%s needs a value (%s)", longopts[i].name,
				values[i]);
		else
			err_msg("-%c needs a value", optopt);
		return;
	}
	/* An unknown long option leaves optopt 0, a short one its letter. */
	if (optopt)
		err_msg("%s: unknown option '-%c' (%s)", cmd, optopt, valid);
	else
		err_msg("%s: unknown option '%s' (%s)", cmd, argv[optind - 1],
			valid);
}
