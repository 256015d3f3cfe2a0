// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Attaches bench/floor.bpf.c until SIGINT or SIGTERM; says "attached" once it is. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(void)
{
	struct floor *skel = floor__open();

	/* bench/exit_replay's floor: attaching it too would count twice. */
	if (skel)
		bpf_program__set_autoload(skel->progs.floor_raw, false);
	if (!skel || floor__load(skel) || floor__attach(skel)) {
		fprintf(stderr, "floor: cannot load or attach the counting program\n");
		floor__destroy(skel);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "floor: attached\n");
	while (!stop)
		pause();
	floor__destroy(skel);
	return 0;
}
