/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result channel between the host launcher and the guest's init: one
 * virtio-serial port carrying frames of
 *
 *	u8 type, u8 reserved, le16 length, payload[length]
 *
 * The host sends the command; the guest sends progress marks, the
 * command's output and its exit status. Kept separate from the serial
 * console so that kernel messages never mix with a test's output, and so
 * that a missing exit frame is itself the sign that the guest died.
 */
#ifndef __KTSTR_CHANNEL_H
#define __KTSTR_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

#define CHANNEL_PORT_NAME	"ktstr.io"
#define CHANNEL_MAX_PAYLOAD	4096

/*
 * A command's exit status as the guest reports it: 0 to this. 250 and up
 * are the launcher's own outcomes (vm.h), so a guest claiming one of
 * them, or anything else, is not believed.
 */
#define CHANNEL_MAX_EXIT	249

enum channel_frame {
	/* host -> guest */
	CH_ARGV		= 'A',	/* NUL-separated argv of the command */
	CH_ENV		= 'V',	/* one NAME=value for the command */
	/* run the command on the console (shell); "s": input is a script */
	CH_TTY		= 'T',
	CH_GO		= 'G',	/* all set, start the command */
	CH_STDIN	= 'I',	/* bytes for the command's stdin */
	CH_STDIN_EOF	= 'J',	/* the host's stdin is closed */
	/* guest -> host */
	CH_INIT_UP	= 'U',	/* init runs, filesystems mounted */
	CH_STARTED	= 'S',	/* the command was started */
	CH_STDOUT	= 'O',
	CH_STDERR	= 'E',
	CH_EXIT		= 'X',	/* payload: decimal exit code */
	CH_ERROR	= 'F',	/* init could not run the command: reason */
};

struct channel_hdr {
	uint8_t type;
	uint8_t reserved;
	uint16_t len;
} __packed;

#define CHANNEL_MAX_FRAME	(sizeof(struct channel_hdr) + CHANNEL_MAX_PAYLOAD)

/*
 * Blocking, for the guest: write one frame, retrying short writes;
 * returns 0 or -errno.
 */
int channel_send(int fd, int type, const void *buf, size_t len);

/*
 * Blocking, for the guest: read one whole frame into @buf (at least
 * CHANNEL_MAX_PAYLOAD bytes). Returns the payload length, -ENODATA on end
 * of file, or -errno.
 */
int channel_recv(int fd, int *type, void *buf);

/*
 * Non-blocking, for the host, whose loop must keep its deadline and its
 * Ctrl-C however the guest behaves: a frame may arrive in pieces over
 * many polls, and the guest may stop reading at any time.
 */
struct channel_rx {
	size_t have;			/* bytes of the current frame so far */
	unsigned char frame[CHANNEL_MAX_FRAME];
};

/*
 * One read() on @fd (O_NONBLOCK) towards the current frame. Returns 1
 * with a whole frame in *@type, @buf (CHANNEL_MAX_PAYLOAD bytes) and
 * *@len; 0 when the rest has not arrived yet; -ENODATA on end of file;
 * -EPROTO for a length past CHANNEL_MAX_PAYLOAD; or -errno.
 */
int channel_rx_read(int fd, struct channel_rx *rx, int *type, void *buf,
		    size_t *len);

/* Outgoing frames not yet taken by the peer. */
struct channel_tx {
	char *buf;
	size_t off, len, cap;
};

/* Queue @len bytes as frames of @type; 0 or -ENOMEM. */
int channel_tx_queue(struct channel_tx *tx, int type, const void *buf,
		     size_t len);

/*
 * Write what @fd takes now without blocking (a socket: no SIGPIPE).
 * Returns 0, also when the peer is full, or -errno when it is gone.
 */
int channel_tx_flush(int fd, struct channel_tx *tx);

static inline size_t channel_tx_pending(const struct channel_tx *tx)
{
	return tx->len - tx->off;
}

void channel_tx_free(struct channel_tx *tx);

/*
 * An exit frame's payload: decimal 0..CHANNEL_MAX_EXIT and nothing else.
 * Returns the status or -1.
 */
int channel_parse_exit(const char *buf, size_t len);

#endif /* __KTSTR_CHANNEL_H */
