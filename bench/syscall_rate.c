// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Syscalls per second of a tight getppid() loop: what every process on the
 * host pays for kvm-mmio-top's raw_syscalls:sys_enter program, which runs on
 * every syscall system-wide (it returns after one comparison for all but
 * ioctl).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0, start = now_s(), elapsed;
	unsigned long calls = 0;

	do {
		for (int i = 0; i < 10000; i++)
			syscall(SYS_getppid);
		calls += 10000;
		elapsed = now_s() - start;
	} while (elapsed < seconds);
	printf("%.0f\n", calls / elapsed);
	return 0;
}
