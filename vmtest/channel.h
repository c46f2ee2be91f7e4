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

#define CHANNEL_PORT_NAME	"ktstr.io"
#define CHANNEL_MAX_PAYLOAD	4096

enum channel_frame {
	/* host -> guest */
	CH_ARGV		= 'A',	/* NUL-separated argv of the command */
	CH_ENV		= 'V',	/* one NAME=value for the command */
	CH_TTY		= 'T',	/* run the command on the console (shell) */
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
} __attribute__((packed));

/* Write one frame; returns 0 or -errno. Retries short writes. */
int channel_send(int fd, int type, const void *buf, size_t len);

/*
 * Read one whole frame into @buf (at least CHANNEL_MAX_PAYLOAD bytes).
 * Returns the payload length, -ENODATA on end of file, or -errno.
 */
int channel_recv(int fd, int *type, void *buf);

#endif /* __KTSTR_CHANNEL_H */
