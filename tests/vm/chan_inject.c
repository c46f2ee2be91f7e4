// SPDX-License-Identifier: GPL-2.0
/*
 * chan_inject: run inside a guest (`ktstr exec -i`), write crafted frames
 * into the result channel as a broken or hostile guest would, to check
 * what the host makes of them.
 *
 *	chan_inject exit PAYLOAD	an exit frame with PAYLOAD ("256")
 *	chan_inject half		half a frame, then freeze for ever
 *
 * The port is held open by init (a virtio port takes one opener), so the
 * descriptor is taken from init itself with pidfd_getfd().
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "channel.h"

static int channel_fd(void)
{
	char path[300], target[300];
	struct dirent *de;
	int pidfd, fd = -1;
	DIR *d = opendir("/proc/1/fd");
	ssize_t n;

	pidfd = syscall(SYS_pidfd_open, 1, 0);
	while (d && pidfd >= 0 && fd < 0 && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/1/fd/%s", de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "/dev/vport", 10))
			continue;
		fd = syscall(SYS_pidfd_getfd, pidfd, atoi(de->d_name), 0);
		if (fd < 0)
			fprintf(stderr, "chan_inject: pidfd_getfd %s: %s\n",
				path, strerror(errno));
	}
	if (d)
		closedir(d);
	return fd;
}

int main(int argc, char **argv)
{
	unsigned char frame[sizeof(struct channel_hdr) + 64];
	struct channel_hdr *hdr = (struct channel_hdr *)frame;
	size_t len;
	int fd;

	if (argc < 2 || (strcmp(argv[1], "exit") && strcmp(argv[1], "half")) ||
	    (!strcmp(argv[1], "exit") && argc != 3)) {
		fprintf(stderr, "usage: chan_inject exit PAYLOAD | half\n");
		return 2;
	}
	fd = channel_fd();
	if (fd < 0) {
		fprintf(stderr, "chan_inject: no channel port held by init\n");
		return 3;
	}
	if (!strcmp(argv[1], "exit")) {
		len = strlen(argv[2]);
		if (len > 64)
			len = 64;
		hdr->type = CH_EXIT;
		hdr->reserved = 0;
		hdr->len = len;		/* little endian on x86 */
		memcpy(frame + sizeof(*hdr), argv[2], len);
		if (write(fd, frame, sizeof(*hdr) + len) < 0)
			return 4;
		return 0;
	}
	/* a stdout frame announcing 64 bytes, of which 3 come */
	hdr->type = CH_STDOUT;
	hdr->reserved = 0;
	hdr->len = 64;
	memcpy(frame + sizeof(*hdr), "abc", 3);
	if (write(fd, frame, sizeof(*hdr) + 3) < 0)
		return 4;
	for (;;)
		pause();
}
