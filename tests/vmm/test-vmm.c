// SPDX-License-Identifier: GPL-2.0
/*
 * test-vmm: the ground truth for kvm-mmio-trace's live tests. A minimal
 * VMM whose real-mode guests make an exact, known number of MMIO exits; see
 * docs/test-vmm.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guest.h"
#include "multi-guest.h"
#include "options.h"
#include "report.h"
#include "self-exec.h"

/*
 * The tracer names guests from /proc/PID/cmdline as it does for QEMU, so a
 * guest's name must be on its own command line. Without -name, exec
 * ourselves again (same pid) with the default one added.
 */
static int reexec_with_default_name(int argc, char **argv,
				    const struct vmm_options *opts)
{
	char name_arg[MAX_NAME_LEN + sizeof("guest=")];
	char **new_argv = calloc(argc + 3, sizeof(*new_argv));

	if (!new_argv) {
		fprintf(stderr, "test-vmm: out of memory\n");
		return 1;
	}
	snprintf(name_arg, sizeof(name_arg), "guest=%s", opts->name);
	memcpy(new_argv, argv, argc * sizeof(*argv));
	new_argv[argc] = "-name";
	new_argv[argc + 1] = name_arg;
	exec_self(new_argv);
	free(new_argv);
	return 1;
}

static void linger(uint32_t ms)
{
	struct timespec left = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
}

static int run_single_guest(const struct vmm_options *opts)
{
	struct guest guest;
	int ret = guest_create(&guest, opts);

	if (ret == 0) {
		ret = guest_run(&guest);
		if (opts->json) {
			fputs(JSON_HEAD, stdout);
			print_guest_json(stdout, &guest);
			fputs(JSON_TAIL, stdout);
		} else {
			print_guest_summary(stderr, &guest);
		}
		/* Ground truth is readable while we linger. */
		fflush(stdout);
	}
	if (opts->linger_ms)
		linger(opts->linger_ms);
	guest_destroy(&guest);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct vmm_options opts;
	int ret = parse_options(argc, argv, &opts);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (opts.guests > 1)
		return run_guests(&opts, argv[0]);
	if (!opts.name_given)
		return reexec_with_default_name(argc, argv, &opts);
	return run_single_guest(&opts);
}
