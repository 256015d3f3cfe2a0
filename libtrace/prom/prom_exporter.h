/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Exporter mode: each interval goes into the lifetime totals, which
 * are rendered once and then written to the textfile and/or published at
 * /metrics. Failures to write are reported on stderr (rate-limited),
 * counted in kvm_mmio_exporter_errors_total and retried next interval;
 * tracing goes on regardless.
 */
#ifndef KMT_PROM_EXPORTER_H
#define KMT_PROM_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include "poller.h"

#define KMT_TEXTFILE_NAME "kvm_mmio.prom"

struct kmt_web_config;

struct kmt_exporter_opts {
	const char *textfile_dir;	/* NULL: no textfile */
	const char *listen;		/* "[ADDR:]PORT"; NULL: no /metrics */
	const struct kmt_web_config *web;	/* TLS, basic auth for /metrics; NULL: none */
	bool per_vcpu, per_region;
	/*
	 * Export the run time of our BPF programs: turns the kernel's BPF
	 * run-time statistics on, for every program of the host, while we run.
	 */
	bool bpf_stats;
	double grace_s;			/* keep exited guests' series this long */
};

struct kmt_exporter;

/*
 * Starts serving (when asked) and writes the first exposition. Returns 0,
 * or -errno with a message in err when nothing could be served (an invalid
 * address, the port in use). session gives the programs whose run time is
 * exported.
 */
int kmt_exporter_open(struct kmt_exporter **out, const struct kmt_exporter_opts *opts,
		      const struct kmt_session *session, char *err, size_t errlen);

/*
 * A kmt_poll() sink: adds the interval to the lifetime totals, then writes
 * and publishes. Failures are counted and retried, never fatal: returns 0.
 */
int kmt_exporter_sink(void *exporter, const struct kmt_interval *interval);

/*
 * Serves /metrics with web from now on (SIGHUP). Returns 0, or -errno with
 * err saying why; the previous one (which must stay valid) is then kept.
 */
int kmt_exporter_reload_web(struct kmt_exporter *exporter, const struct kmt_web_config *web,
			    char *err, size_t errlen);

void kmt_exporter_close(struct kmt_exporter *exporter);

#endif /* KMT_PROM_EXPORTER_H */
