// SPDX-License-Identifier: GPL-2.0
/*
 * The host's frame decoder (channel_rx_read) on what a guest sends: the
 * input goes through a non-blocking socketpair in pieces whose sizes
 * come from the input too, so frames arrive split at every offset. Exit
 * frames go through channel_parse_exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "channel.h"
#include "fuzz.h"

static void check_frame(int type, const char *buf, size_t len)
{
	int code;

	if (len > CHANNEL_MAX_PAYLOAD)
		abort();
	if (type == CH_EXIT) {
		code = channel_parse_exit(buf, len);
		if (code < -1 || code > CHANNEL_MAX_EXIT)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[CHANNEL_MAX_PAYLOAD];
	static struct channel_rx rx;
	size_t off = 0, len, chunk, tries;
	int sv[2], type, ret = 0;

	if (size < 1)
		return 0;
	/* the first byte: the piece size (0 means as much as fits) */
	chunk = data[0];
	data++;
	size--;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv))
		abort();
	rx.have = 0;
	while (off < size) {
		size_t n = chunk ? chunk : size - off;
		ssize_t w;

		if (n > size - off)
			n = size - off;
		w = write(sv[0], data + off, n);
		if (w < 0 && errno != EAGAIN)
			abort();
		if (w > 0)
			off += w;
		/* drain what is there */
		while ((ret = channel_rx_read(sv[1], &rx, &type, buf,
					      &len)) == 1)
			check_frame(type, buf, len);
		if (ret < 0)
			break;
	}
	close(sv[0]);
	/*
	 * A header alone returns 0 and its payload comes with the next
	 * call; every call moves on, so the end is seen within two calls
	 * a frame, not waited on.
	 */
	for (tries = 2 * size + 4; ret >= 0; tries--) {
		if (!tries)
			abort();
		ret = channel_rx_read(sv[1], &rx, &type, buf, &len);
		if (ret == 1)
			check_frame(type, buf, len);
	}
	if (ret != -ENODATA && ret != -EPROTO)
		abort();
	close(sv[1]);
	/* the exit parser alone, on the whole input */
	check_frame(CH_EXIT, (const char *)data, size > 8 ? 8 : size);
	return 0;
}
