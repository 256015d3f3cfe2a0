// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kvm-mmio-top: where KVM guests lose time on MMIO.
 *
 * Attaches the BPF programs, then every interval reads the in-kernel
 * aggregates and prints per-guest exit counts, latency percentiles and the
 * busiest guest-physical pages, as a table or as one JSON object per line;
 * or, in exporter mode, keeps lifetime totals for Prometheus (a textfile for
 * node_exporter and/or a /metrics endpoint).
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "live_view.h"
#include "poller.h"
#include "prom_exporter.h"
#include "report.h"
#include "metrics_http.h"
#include "session.h"
#include "web_config.h"

#define EXIT_USAGE 2
#define EXIT_PRIVILEGE 3	/* CAP_BPF or CAP_PERFMON missing */
#define STR(x) #x
#define XSTR(x) STR(x)

/*
 * stop ends kmt_poll()'s wait (the interval so far is still reported);
 * terminate (SIGINT, SIGTERM, a closed stdout) ends the run; hangup
 * (SIGHUP, exporter mode) writes the metrics at once and reloads
 * --web-config, then tracing goes on.
 */
static volatile sig_atomic_t stop, terminate, hangup;
static bool hangup_reloads;	/* exporter mode; elsewhere SIGHUP ends the run */

/* The --web-config in use, and the slot a SIGHUP loads the next one into. */
static struct kmt_web_config webs[2];
static int web_now;

struct options {
	double interval_s;
	long iterations;	/* 0: until interrupted */
	bool json;
	bool batch;		/* -b, --once: reports on stdout even on a terminal */
	const char *name_glob;
	char filter_text[256];	/* -p and -g as given, for the live view's header */
	unsigned int top_regions;
	struct kmt_session_opts session;
	struct kmt_exporter_opts export;	/* exporter mode: textfile_dir or listen */
	const char *web_config;	/* --web-config FILE for --listen */
};

const char *argp_program_version = "kvm-mmio-top 0.1";
const char *argp_program_bug_address = "the kvm-mmio-trace issue tracker";

static const char doc[] =
	"Show per guest how many MMIO exits KVM guests take and how long they last.\n"
	"\n"
	"On a terminal it shows a live view, like top: a row per guest, keys to sort,\n"
	"filter and open one guest (its vCPUs, busiest pages and latency histograms);\n"
	"h shows the keys. Otherwise (-b, or stdout not a terminal) it prints a report\n"
	"per interval, as a table or JSON.\n"
	"\n"
	"Counts come from the kernel's KVM tracepoints, aggregated in the kernel by BPF.\n"
	"The VMM part of the latency is KVM_EXIT_MMIO until the vCPU thread calls\n"
	"KVM_RUN again; the kernel part (guest exit to entry, minus the VMM part) is\n"
	"shown where the kernel's kvm_exit/kvm_entry events fire.\n"
	"\n"
	"EXAMPLES:\n"
	"  kvm-mmio-top                      # live view on a terminal; h: the keys\n"
	"  kvm-mmio-top -b -n 3              # three tables, one a second, like top -b\n"
	"  kvm-mmio-top --once -d 5 --json   # one JSON object covering 5 seconds\n"
	"  kvm-mmio-top -p 4242,4243 -d 2    # only the VMMs with pids 4242 and 4243\n"
	"  kvm-mmio-top -g 'web*' -b -n 10   # guests named web*, ten tables\n"
	"  kvm-mmio-top --textfile-dir /var/lib/prometheus/node-exporter -i 15\n"
	"                                    # export for node_exporter, no screen\n"
	"  kvm-mmio-top --listen 9464        # serve http://127.0.0.1:9464/metrics\n"
	"\n"
	"Exporter mode (--textfile-dir and/or --listen) prints nothing per interval;\n"
	"metrics, labels and buckets are described in docs/prometheus.md.\n"
	"\n"
	"SIGINT and SIGTERM end the run (status 0, everything detached); so does a\n"
	"closed stdout (| head). SIGHUP in exporter mode writes the metrics at once and\n"
	"reloads --web-config; elsewhere it ends the run.\n"
	"\n"
	"Exit status: 0 success, 1 tracing could not start or failed (or --listen\n"
	"could not bind), 2 usage error, 3 a capability is missing (CAP_BPF,\n"
	"CAP_PERFMON; the message names it).";

enum {
	OPT_ONCE = 0x100, OPT_NO_LOCKS, OPT_TOP, OPT_MAX_GUESTS, OPT_MAX_VCPUS, OPT_MAX_REGIONS,
	OPT_TEXTFILE_DIR, OPT_LISTEN, OPT_PER_VCPU, OPT_PER_REGION, OPT_GRACE,
	OPT_WEB_CONFIG, OPT_BPF_STATS,
};

static const struct argp_option option_defs[] = {
	{ "interval", 'd', "SEC", 0, "Refresh (report) every SEC seconds (default 1)", 0 },
	{ NULL, 'i', NULL, OPTION_ALIAS, NULL, 0 },
	{ "iterations", 'n', "N", 0, "Stop after N intervals (default: until q or Ctrl-C)", 0 },
	{ "batch", 'b', NULL, 0,
	  "Reports on stdout, not the live view (default when stdout is not a terminal)", 0 },
	{ "once", OPT_ONCE, NULL, 0, "Print one report and exit (same as -b -n 1)", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per report, one per line (implies -b)", 0 },
	{ "pid", 'p', "PID[,PID...]", 0,
	  "Only these VMM processes (repeatable; filtered in the kernel; at most "
	  XSTR(KMT_MAX_PIDS) ")", 0 },
	{ "name", 'g', "GLOB", 0, "Only guests whose name matches GLOB", 0 },
	{ "top", OPT_TOP, "N", 0, "Busiest guest-physical pages per guest (default 5)", 0 },
	{ "max-guests", OPT_MAX_GUESTS, "N", 0,
	  "Guests with latency histograms and lock series at once (default "
	  XSTR(KMT_DEFAULT_MAX_GUESTS) ")", 0 },
	{ "max-vcpus", OPT_MAX_VCPUS, "N", 0,
	  "vCPU threads counted at once, all guests together (default "
	  XSTR(KMT_DEFAULT_MAX_VCPUS) ")", 0 },
	{ "max-regions", OPT_MAX_REGIONS, "N", 0,
	  "(guest, page) regions tracked at once (default " XSTR(KMT_DEFAULT_MAX_REGIONS) ")", 0 },
	{ "no-locks", OPT_NO_LOCKS, NULL, 0,
	  "Do not attach the lock series (lock:contention_* runs for every contended lock "
	  "of the host)", 0 },
	{ "verbose", 'v', NULL, 0, "Show the backends and probes chosen, and libbpf's messages",
	  0 },
	{ NULL, 0, NULL, 0, "Prometheus exporter mode:", 1 },
	{ "textfile-dir", OPT_TEXTFILE_DIR, "DIR", 0,
	  "Write DIR/kvm_mmio.prom every interval for node_exporter's textfile collector", 1 },
	{ "listen", OPT_LISTEN, "[ADDR:]PORT", 0,
	  "Serve /metrics over HTTP on ADDR (default 127.0.0.1) and PORT", 1 },
	{ "per-vcpu", OPT_PER_VCPU, NULL, 0, "Also export per-vCPU series", 1 },
	{ "per-region", OPT_PER_REGION, NULL, 0, "Also export per-page series", 1 },
	{ "bpf-stats", OPT_BPF_STATS, NULL, 0,
	  "Also export the run time of the tool's BPF programs (turns the kernel's BPF "
	  "run-time statistics on for every BPF program of the host; needs CAP_SYS_ADMIN)", 1 },
	{ "grace", OPT_GRACE, "SEC", 0,
	  "Keep exited guests' series SEC seconds (default 300)", 1 },
	{ "web-config", OPT_WEB_CONFIG, "FILE", 0,
	  "TLS and basic auth for --listen, in the Prometheus exporter-toolkit format "
	  "(tls_server_config, basic_auth_users with bcrypt hashes)", 1 },
	{ 0 },
};

/* Decimal digits only: no sign, no space, no 0x, nothing after. */
static unsigned long parse_number(struct argp_state *state, const char *what, const char *arg,
				  unsigned long min, unsigned long max)
{
	unsigned long value;
	char *end;

	errno = 0;
	value = strtoul(arg, &end, 10);
	if (errno || *end || !*arg || strspn(arg, "0123456789") != strlen(arg) || value < min ||
	    value > max)
		argp_error(state, "invalid %s '%s': a whole number from %lu to %lu", what, arg, min,
			   max);
	return value;
}

/* Decimal seconds ("1", "0.5", "2e-1"): no nan, inf, hex or spaces. */
static double parse_seconds(struct argp_state *state, const char *what, const char *arg,
			    double min, double max)
{
	double value;
	char *end;

	errno = 0;
	value = strtod(arg, &end);
	if (errno || *end || !*arg || strspn(arg, "0123456789.eE+-") != strlen(arg) ||
	    !(value >= min && value <= max))
		argp_error(state, "invalid %s '%s': seconds from %g to %g", what, arg, min, max);
	return value;
}

/* A non-empty string option. */
static const char *parse_text(struct argp_state *state, const char *what, const char *arg)
{
	if (!*arg)
		argp_error(state, "invalid %s '': it must not be empty", what);
	return arg;
}

/* "-p 1,2 -g web*": what the live view's header says is traced. */
static void note_filter(struct options *o, const char *opt, const char *arg)
{
	size_t used = strlen(o->filter_text);

	snprintf(o->filter_text + used, sizeof(o->filter_text) - used, "%s%s %s",
		 used ? " " : "", opt, arg);
}

/* -p PID, -p PID,PID,...; repeatable; each pid once. */
static void parse_pids(struct argp_state *state, struct options *o, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	struct kmt_session_opts *s = &o->session;

	if (!copy)
		argp_failure(state, 1, ENOMEM, "--pid");
	if (!*arg || *arg == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,"))
		argp_error(state, "invalid pid list '%s': pids separated by commas", arg);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint32_t pid = (uint32_t)parse_number(state, "--pid", tok, 1, 4194304);
		bool known = false;

		for (size_t i = 0; i < s->nr_pids; i++)
			known |= s->pids[i] == pid;
		if (known)
			continue;
		if (s->nr_pids == KMT_MAX_PIDS)
			argp_error(state, "too many pids at '%s': at most %d", tok, KMT_MAX_PIDS);
		s->pids[s->nr_pids++] = pid;
	}
	free(copy);
	note_filter(o, "-p", arg);
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct options *o = state->input;
	bool exporter = o->export.textfile_dir || o->export.listen;

	switch (key) {
	case 'd':
	case 'i':
		o->interval_s = parse_seconds(state, "interval", arg, 0.01, 86400);
		break;
	case 'n':
		o->iterations = (long)parse_number(state, "-n", arg, 1, 1000000000);
		break;
	case OPT_ONCE:
		o->iterations = 1;
		o->batch = true;
		break;
	case 'b':
		o->batch = true;
		break;
	case 'j':
		o->json = true;
		break;
	case 'p':
		parse_pids(state, o, arg);
		break;
	case 'g':
		o->name_glob = parse_text(state, "--name", arg);
		note_filter(o, "-g", arg);
		break;
	case OPT_TOP:
		o->top_regions = (unsigned int)parse_number(state, "--top", arg, 0, 1000);
		break;
	case OPT_MAX_GUESTS:
		o->session.max_guests = (uint32_t)parse_number(state, "--max-guests", arg, 1, 65536);
		break;
	case OPT_MAX_VCPUS:
		o->session.max_vcpus = (uint32_t)parse_number(state, "--max-vcpus", arg, 1, 1048576);
		break;
	case OPT_MAX_REGIONS:
		o->session.max_regions = (uint32_t)parse_number(state, "--max-regions", arg, 1,
								1048576);
		break;
	case OPT_NO_LOCKS:
		o->session.no_locks = true;
		break;
	case 'v':
		o->session.verbose = true;
		break;
	case OPT_TEXTFILE_DIR:
		o->export.textfile_dir = parse_text(state, "--textfile-dir", arg);
		break;
	case OPT_LISTEN:
		if (kmt_listen_check(arg))
			argp_error(state, "invalid --listen '%s': expected [ADDR:]PORT with a numeric "
				   "address and a port from 1 to 65535, e.g. 9464, 127.0.0.1:9464 or "
				   "[::1]:9464", arg);
		o->export.listen = arg;
		break;
	case OPT_PER_VCPU:
		o->export.per_vcpu = true;
		break;
	case OPT_PER_REGION:
		o->export.per_region = true;
		break;
	case OPT_BPF_STATS:
		o->export.bpf_stats = true;
		break;
	case OPT_GRACE:
		o->export.grace_s = parse_seconds(state, "grace period", arg, 0, 86400 * 7);
		break;
	case OPT_WEB_CONFIG:
		o->web_config = parse_text(state, "--web-config", arg);
		break;
	case ARGP_KEY_END:
		if (exporter && o->json)
			argp_error(state, "--json prints reports; exporter mode prints none");
		if (!exporter && (o->export.per_vcpu || o->export.per_region || o->export.bpf_stats))
			argp_error(state, "--per-vcpu, --per-region and --bpf-stats need "
				   "--textfile-dir or --listen");
		if (o->web_config && !o->export.listen)
			argp_error(state, "--web-config '%s' needs --listen", o->web_config);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void on_signal(int sig)
{
	if (sig == SIGHUP && hangup_reloads)
		hangup = 1;
	else
		terminate = 1;
	stop = 1;
}

/* The live view: on a terminal, unless a report format or exporter mode was asked for. */
static bool live_view(const struct options *o)
{
	return !o->export.textfile_dir && !o->export.listen && !o->batch && !o->json &&
	       isatty(STDOUT_FILENO);
}

struct printer {
	const struct options *o;
};

/* The table and JSON sink: one report per interval on stdout. */
static int print_report(void *ctx, const struct kmt_interval *interval)
{
	const struct options *o = ((struct printer *)ctx)->o;
	struct kmt_report r = { .interval = interval, .top_regions = o->top_regions };
	int err = 0;

	if (o->json)
		err = kmt_report_json(stdout, &r);
	else
		kmt_report_table(stdout, &r);
	if (fflush(stdout))
		return -errno;
	return err;
}

/* /dev/kvm as last said: missing or not (said at start when missing, then on every change). */
static bool kvm_was_missing;

/* The hardware module can be unloaded and loaded again while tracing goes on: say so. */
static void note_kvm_device(void)
{
	const char *missing = kmt_kvm_missing();

	if (!missing == !kvm_was_missing)
		return;
	kvm_was_missing = missing;
	if (missing)
		fprintf(stderr, "kvm-mmio-top: %s; still tracing: guests started once it is loaded "
			"are counted\n", missing);
	else
		fprintf(stderr, "kvm-mmio-top: /dev/kvm is back (KVM's hardware module loaded): "
			"guests can run and are counted\n");
}

/* Counts the intervals handed on, across the kmt_poll() calls SIGHUP makes. */
struct counted {
	kmt_sink_fn sink;
	void *ctx;
	long done;
};

static int counted_sink(void *ctx, const struct kmt_interval *interval)
{
	struct counted *c = ctx;
	int rc = c->sink(c->ctx, interval);

	c->done++;
	note_kvm_device();
	/* The reader went away (| head): that ends the run, it is no error. */
	if (rc == -EPIPE) {
		terminate = stop = 1;
		return 0;
	}
	return rc;
}

/* SIGHUP: --web-config is read again; a broken one keeps the previous. */
static void reload(const struct options *o, struct kmt_exporter *exporter)
{
	struct kmt_web_config *next = &webs[!web_now];
	char err[1024];

	if (!o->web_config) {
		fprintf(stderr, "kvm-mmio-top: SIGHUP: metrics written\n");
		return;
	}
	if (kmt_web_config_load(next, o->web_config, err, sizeof(err))) {
		fprintf(stderr, "kvm-mmio-top: SIGHUP: metrics written; invalid --web-config: %s; "
			"still serving with the previous one\n", err);
		return;
	}
	if (kmt_exporter_reload_web(exporter, next, err, sizeof(err))) {
		fprintf(stderr, "kvm-mmio-top: SIGHUP: metrics written; --web-config %s: %s\n",
			o->web_config, err);
		kmt_web_config_free(next);
		return;
	}
	kmt_web_config_free(&webs[web_now]);
	web_now = !web_now;
	fprintf(stderr, "kvm-mmio-top: SIGHUP: metrics written, --web-config %s reloaded\n",
		o->web_config);
}

static int trace(const struct options *o, struct kmt_session *session,
		 struct kmt_exporter *exporter)
{
	struct printer printer = { o };
	struct counted c = { exporter ? kmt_exporter_sink : print_report,
			     exporter ? (void *)exporter : (void *)&printer, 0 };
	struct kmt_poller *poller;
	char err[256];
	int rc = 0;

	if (kmt_poller_new(&poller, session, o->name_glob)) {
		fprintf(stderr, "kvm-mmio-top: out of memory\n");
		return 1;
	}
	if (live_view(o)) {
		struct kmt_live_opts live = {
			.interval_s = o->interval_s,
			.iterations = o->iterations,
			.cli_filter = o->filter_text[0] ? o->filter_text : NULL,
		};

		rc = kmt_live_view(poller, session, &live, &stop, err, sizeof(err));
		if (rc)
			fprintf(stderr, "kvm-mmio-top: %s\n", err);
		kmt_poller_free(poller);
		return rc ? 1 : 0;
	}
	while (!terminate && !(o->iterations && c.done >= o->iterations)) {
		stop = 0;
		rc = kmt_poll(poller, o->interval_s, o->iterations ? o->iterations - c.done : 0,
			      counted_sink, &c, &stop, err, sizeof(err));
		if (rc)
			break;
		if (hangup && !terminate) {
			hangup = 0;
			reload(o, exporter);
		}
	}
	if (rc)
		fprintf(stderr, "kvm-mmio-top: %s\n", err);
	kmt_poller_free(poller);
	return rc ? 1 : 0;
}

/* Copies text into buf with every line after the first indented by two spaces. */
static const char *indented(const char *text, char *buf, size_t size)
{
	size_t used = 0;

	for (; *text && used + 3 < size; text++) {
		buf[used++] = *text;
		if (*text == '\n') {
			buf[used++] = ' ';
			buf[used++] = ' ';
		}
	}
	buf[used] = '\0';
	return buf;
}

/* Checks, attaches, traces until done; everything it opens it closes. */
static int run(struct options *o)
{
	struct kmt_exporter *exporter = NULL;
	struct kmt_session *session;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[1024], why[2048];
	int rc;

	for (size_t i = 0; i < o->session.nr_pids; i++)
		if (kill((pid_t)o->session.pids[i], 0) && errno == ESRCH) {
			fprintf(stderr, "kvm-mmio-top: no process with pid %u\n",
				o->session.pids[i]);
			return 1;
		}
	if (kmt_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "kvm-mmio-top: %s\n", err);
		return EXIT_PRIVILEGE;
	}
	rc = kmt_session_open(&session, &o->session, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "kvm-mmio-top: %s\n", err);
		return 1;
	}
	if (o->export.textfile_dir || o->export.listen) {
		rc = kmt_exporter_open(&exporter, &o->export, session, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "kvm-mmio-top: %s\n", err);
			kmt_session_close(session);
			return 1;
		}
	}
	hangup_reloads = exporter != NULL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A closed stdout shows as EPIPE from the write, which ends the run quietly. */
	signal(SIGPIPE, SIG_IGN);
	if (o->iterations)
		fprintf(stderr, "kvm-mmio-top: tracing for %ld interval(s) of %gs", o->iterations,
			o->interval_s);
	else
		fprintf(stderr, "kvm-mmio-top: tracing every %gs until %s", o->interval_s,
			live_view(o) ? "q or Ctrl-C" : "Ctrl-C");
	if (o->session.verbose)
		fprintf(stderr, "; %s\nkvm-mmio-top: backends for this kernel:\n  %s\n",
			kmt_session_describe(session), indented(kmt_session_backends(session)->why,
							       why, sizeof(why)));
	else
		fprintf(stderr, "; backend %s%s, run with -v for the probes\n",
			kmt_session_backends(session)->mmio->name,
			strstr(kmt_session_describe(session), "sys_enter_ioctl=") ? ""
			: "; VMM part from raw_syscalls:sys_enter (tracefs not mounted or not "
			  "readable, or lockdown hides its events: costs other processes' "
			  "syscalls more)");
	if (kmt_session_backends(session)->kernel_reads_refused)
		fprintf(stderr, "kvm-mmio-top: no lock series: kernel lockdown is in confidentiality "
			"mode, which forbids the kernel memory reads that find each VM's MMU lock "
			"(boot with lockdown=integrity to have them); MMIO is traced in full\n");
	note_kvm_device();
	rc = trace(o, session, exporter);
	kmt_exporter_close(exporter);
	kmt_session_close(session);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { .interval_s = 1.0, .top_regions = 5, .export.grace_s = 300 };
	const struct argp argp = { option_defs, parse_opt, NULL, doc, NULL, NULL, NULL };
	char err[1024];
	int rc;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return EXIT_USAGE;
	if (o.web_config) {
		if (kmt_web_config_load(&webs[web_now], o.web_config, err, sizeof(err))) {
			fprintf(stderr, "kvm-mmio-top: invalid --web-config: %s\n", err);
			return EXIT_USAGE;
		}
		o.export.web = &webs[web_now];
	}
	rc = run(&o);
	kmt_web_config_free(&webs[web_now]);
	return rc;
}
