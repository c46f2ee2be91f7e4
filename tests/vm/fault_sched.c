// SPDX-License-Identifier: GPL-2.0
/*
 * fault_sched: a "scheduler under test" that fails in one chosen way, run
 * inside the guest through `ktstr run --sched fault_sched MODE ... --`, so
 * that tests/launcher/fault_matrix.sh can check how the harness
 * classifies each fault a real scheduler (or a broken guest) can cause.
 *
 *	fault_sched exit N		exit with status N before attaching
 *	fault_sched panic MS		after MS ms, panic the guest kernel
 *	fault_sched hang MS		after MS ms, stop every process but
 *					init: the guest gives no result
 *	fault_sched poweroff MS		after MS ms, power the guest off:
 *					it stops without a result
 *	fault_sched detach MS PROG ARG...
 *					run the real scheduler PROG ARG...,
 *					stop it with SIGINT after MS ms (it
 *					detaches cleanly), then exit 3
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compiler.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static long parse_ms(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 600000) {
		fprintf(stderr, "fault_sched: '%s' is not a time in ms (0-600000)\n",
			s);
		exit(2);
	}
	return v;
}

static int do_panic(long ms)
{
	int fd;

	sleep_ms(ms);
	printf("fault_sched: panicking the guest\n");
	fflush(stdout);
	fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "c", 1) != 1)
		perror("fault_sched: /proc/sysrq-trigger");
	return 1;
}

static __noreturn void do_hang(long ms)
{
	sleep_ms(ms);
	printf("fault_sched: stopping every process\n");
	fflush(stdout);
	/* all but init and ourselves; then ourselves */
	kill(-1, SIGSTOP);
	raise(SIGSTOP);
	for (;;)
		pause();
}

static int do_poweroff(long ms)
{
	sleep_ms(ms);
	printf("fault_sched: powering the guest off\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	perror("fault_sched: reboot");
	return 1;
}

static int do_detach(long ms, char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fault_sched: fork");
		return 1;
	}
	if (!pid) {
		execvp(argv[0], argv);
		perror("fault_sched: exec");
		_exit(127);
	}
	sleep_ms(ms);
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	printf("fault_sched: %s stopped, exiting 3\n", argv[0]);
	return 3;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "exit"))
		return (int)parse_ms(argv[2]) & 0xff;
	if (argc == 3 && !strcmp(argv[1], "panic"))
		return do_panic(parse_ms(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "hang"))
		do_hang(parse_ms(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "poweroff"))
		return do_poweroff(parse_ms(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "detach"))
		return do_detach(parse_ms(argv[2]), argv + 3);
	fprintf(stderr, "usage: fault_sched exit N | panic MS | hang MS | poweroff MS | detach MS PROG [ARG...]\n");
	return 2;
}
