// SPDX-License-Identifier: GPL-2.0
/*
 * Framing for the host <-> guest channel; linked into both sides.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENODATA;
		p += n;
		len -= n;
	}
	return 0;
}

int channel_send(int fd, int type, const void *buf, size_t len)
{
	char frame[sizeof(struct channel_hdr) + CHANNEL_MAX_PAYLOAD];
	struct channel_hdr *hdr = (struct channel_hdr *)frame;
	const char *p = buf;
	int ret;

	/* Long payloads go as several frames of the same type. */
	do {
		size_t n = len > CHANNEL_MAX_PAYLOAD ? CHANNEL_MAX_PAYLOAD : len;

		hdr->type = type;
		hdr->reserved = 0;
		hdr->len = htole16(n);
		memcpy(frame + sizeof(*hdr), p, n);
		ret = write_all(fd, frame, sizeof(*hdr) + n);
		if (ret)
			return ret;
		p += n;
		len -= n;
	} while (len);
	return 0;
}

int channel_recv(int fd, int *type, void *buf)
{
	struct channel_hdr hdr;
	size_t len;
	int ret;

	ret = read_all(fd, &hdr, sizeof(hdr));
	if (ret)
		return ret;
	len = le16toh(hdr.len);
	if (len > CHANNEL_MAX_PAYLOAD)
		return -EPROTO;
	ret = read_all(fd, buf, len);
	if (ret)
		return ret;
	*type = hdr.type;
	return len;
}
