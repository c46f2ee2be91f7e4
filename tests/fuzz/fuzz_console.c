// SPDX-License-Identifier: GPL-2.0
/*
 * The console log scanners (console_find_oops, console_print_tail) on a
 * log the guest kernel wrote: anything the guest printed, NULs and
 * unfinished lines included. The first byte picks the buffer size.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "console.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4200];
	size_t len;
	char *buf;
	FILE *null;
	int fd;

	if (size < 1)
		return 0;
	/* 9 bytes up: the caller's buffer is large, the scanner bounded */
	len = 9 + data[0] * 16;
	data++;
	size--;
	if (!path[0])
		snprintf(path, sizeof(path), "%s/console.log", fuzz_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	buf = malloc(len);
	if (!buf)
		abort();
	if (console_find_oops(path, buf, len) && !memchr(buf, '\0', len))
		abort();
	free(buf);
	null = fopen("/dev/null", "we");
	if (!null)
		abort();
	console_print_tail(path, 20, null);
	console_print_tail(path, 1, null);
	(void)console_has_output(path);
	fclose(null);
	return 0;
}
