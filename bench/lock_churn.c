// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mmap/munmap operations per second of THREADS threads of one process: they
 * contend on the process's mmap_lock, so the kernel's lock:contention_begin
 * and contention_end events fire all the time. What every process on the
 * host pays for kvm-mmio-top's lock series, whose BPF programs run on every
 * contended lock system-wide (and return after one map lookup for all but
 * vCPU threads).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>

static atomic_ulong ops;
static atomic_bool done;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *churn(void *unused)
{
	(void)unused;
	while (!atomic_load_explicit(&done, memory_order_relaxed)) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED)
			abort();
		*p = 1;
		munmap(p, 4096);
		atomic_fetch_add_explicit(&ops, 1, memory_order_relaxed);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0, start;
	int threads = argc > 2 ? atoi(argv[2]) : 2;
	pthread_t tids[64];
	struct timespec nap = { .tv_sec = (time_t)seconds,
				.tv_nsec = (long)((seconds - (time_t)seconds) * 1e9) };

	if (threads < 1 || threads > 64)
		return 2;
	start = now_s();
	for (int i = 0; i < threads; i++)
		pthread_create(&tids[i], NULL, churn, NULL);
	nanosleep(&nap, NULL);
	atomic_store(&done, true);
	for (int i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	printf("%.0f\n", atomic_load(&ops) / (now_s() - start));
	return 0;
}
