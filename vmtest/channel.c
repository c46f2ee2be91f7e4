// SPDX-License-Identifier: GPL-2.0
/*
 * Framing for the host <-> guest channel; linked into both sides.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

int channel_rx_read(int fd, struct channel_rx *rx, int *type, void *buf,
		    size_t *len)
{
	const struct channel_hdr *hdr = (const struct channel_hdr *)rx->frame;
	size_t want = sizeof(*hdr), plen;
	ssize_t n;

	if (rx->have >= sizeof(*hdr)) {
		plen = le16toh(hdr->len);
		if (plen > CHANNEL_MAX_PAYLOAD)
			return -EPROTO;
		want += plen;
	}
	if (rx->have < want) {
		n = read(fd, rx->frame + rx->have, want - rx->have);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (n == 0)
			return -ENODATA;
		rx->have += n;
		if (rx->have == sizeof(*hdr)) {
			/* the header is in: is it a frame without payload? */
			plen = le16toh(hdr->len);
			if (plen > CHANNEL_MAX_PAYLOAD)
				return -EPROTO;
			want += plen;
		}
		if (rx->have < want)
			return 0;
	}
	plen = want - sizeof(*hdr);
	*type = hdr->type;
	*len = plen;
	memcpy(buf, rx->frame + sizeof(*hdr), plen);
	rx->have = 0;
	return 1;
}

int channel_tx_queue(struct channel_tx *tx, int type, const void *buf,
		     size_t len)
{
	size_t frames = len / CHANNEL_MAX_PAYLOAD + 1;
	size_t need = len + frames * sizeof(struct channel_hdr);
	const char *p = buf;

	if (tx->off && tx->off == tx->len)
		tx->off = tx->len = 0;
	if (tx->len + need > tx->cap) {
		size_t cap = tx->cap ? tx->cap : CHANNEL_MAX_FRAME * 4;
		char *nb;

		if (tx->off) {
			/* drop what was sent before growing */
			memmove(tx->buf, tx->buf + tx->off, tx->len - tx->off);
			tx->len -= tx->off;
			tx->off = 0;
		}
		while (cap < tx->len + need)
			cap *= 2;
		if (cap != tx->cap) {
			nb = realloc(tx->buf, cap);
			if (!nb)
				return -ENOMEM;
			tx->buf = nb;
			tx->cap = cap;
		}
	}
	/* long payloads go as several frames of the same type */
	do {
		size_t n = len > CHANNEL_MAX_PAYLOAD ? CHANNEL_MAX_PAYLOAD : len;
		struct channel_hdr hdr = {
			.type = type,
			.len = htole16(n),
		};

		memcpy(tx->buf + tx->len, &hdr, sizeof(hdr));
		/* no payload may come as NULL: no arithmetic on it then */
		if (n) {
			memcpy(tx->buf + tx->len + sizeof(hdr), p, n);
			p += n;
		}
		tx->len += sizeof(hdr) + n;
		len -= n;
	} while (len);
	return 0;
}

int channel_tx_flush(int fd, struct channel_tx *tx)
{
	while (tx->off < tx->len) {
		size_t left = tx->len - tx->off;
		ssize_t n = send(fd, tx->buf + tx->off, left,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, tx->buf + tx->off, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		tx->off += n;
	}
	tx->off = tx->len = 0;
	return 0;
}

void channel_tx_free(struct channel_tx *tx)
{
	free(tx->buf);
	tx->buf = NULL;
	tx->off = tx->len = tx->cap = 0;
}

int channel_parse_exit(const char *buf, size_t len)
{
	int v = 0;
	size_t i;

	/* "0" to "249": no sign, no space, no leading zero */
	if (!len || len > 3 || (len > 1 && buf[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		v = v * 10 + buf[i] - '0';
	}
	return v <= CHANNEL_MAX_EXIT ? v : -1;
}
