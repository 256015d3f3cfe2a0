/*
 * /init of the POWER test bed's host (static, ppc64le): set up tracefs,
 * run the test VMM once with the KVM trace events enabled and once with
 * them all disabled, then the runs of docs/testbeds.md (exits, kernel,
 * stale, lost; prefixed on POWER10), print the VMM's ground truth and the trace as "KMT ..."
 * lines on the console, and power the machine off. A host with
 * several CPUs also runs the HPTE lock contention run (contend()) and
 * the vanishing-HPTE run (gone).
 *
 * It decides nothing: tests/ppc/check-console.sh compares the two on the
 * build machine, where a failure can show the whole console log.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACING "/sys/kernel/tracing"

/* Stock events the tests count besides every kvm_hv_* event. */
static const char *const stock_events[] = {
	"kvm_hv/kvm_guest_exit",
	"kvm_hv/kvm_page_fault_enter",
	"kvm_hv/kvm_hcall_enter",
	"kvm/kvm_userspace_exit",
	"kvm/kvm_mmio",
};

/* The one event of the "exits" run: every hcall that reaches virtual mode. */
#define HCALL_EXIT_EVENT "kvm_hv/kvm_hcall_enter"
/* The one event of the "contend" run: every HPT lookup, with its retries. */
#define HPTE_LOCK_EVENT "kvm_hv/kvm_hv_find_lock_hpte"
/* The events of the "gone" run: the HDSIs and their lookups only (the
 * remover's thousands of hcalls and, on POWER9, exits stay out) */
#define GONE_EVENTS "kvm_hv/kvm_hv_hdsi,kvm_hv/kvm_hv_find_lock_hpte"

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("KMT ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

static void write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, value, strlen(value));
		close(fd);
	}
	if (n < 0)
		say("error write %s to %s: %s", value, path, strerror(errno));
}

static void set_event(const char *event, const char *on)
{
	char path[512];

	snprintf(path, sizeof(path), TRACING "/events/%s/enable", event);
	write_file(path, on);
}

/* Every kvm_hv_* event (the series' new ones, whatever they are), plus the
 * stock ones; on == "1" enables them, "0" disables every event, any other
 * value is the event, or comma-separated events, to enable
 * (HCALL_EXIT_EVENT, HPTE_LOCK_EVENT, GONE_EVENTS). */
static void set_events(const char *on)
{
	DIR *d;
	struct dirent *e;

	if (on[0] == '0') {
		write_file(TRACING "/events/enable", "0");
		return;
	}
	if (strcmp(on, "1")) {
		char list[256], *ev, *save = NULL;

		say("event-enabled %s only", on);
		snprintf(list, sizeof(list), "%s", on);
		for (ev = strtok_r(list, ",", &save); ev; ev = strtok_r(NULL, ",", &save))
			set_event(ev, "1");
		return;
	}
	d = opendir(TRACING "/events/kvm_hv");
	while (d && (e = readdir(d))) {
		char event[300];

		if (strncmp(e->d_name, "kvm_hv_", 7))
			continue;
		snprintf(event, sizeof(event), "kvm_hv/%s", e->d_name);
		say("event-enabled %s", event);
		set_event(event, on);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < sizeof(stock_events) / sizeof(stock_events[0]); i++)
		set_event(stock_events[i], on);
}

static void print_matching(const char *path, const char *prefix, const char *key)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f) {
		say("error open %s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!key || strstr(line, key))
			printf("%s%s", prefix, line);
	fclose(f);
}

/* Events lost to a full ring buffer would make every count wrong. */
static void print_trace_stats(const char *run)
{
	char path[128], line[256];
	long cpus = sysconf(_SC_NPROCESSORS_CONF);

	for (long cpu = 0; cpu < cpus; cpu++) {
		FILE *f;

		snprintf(path, sizeof(path), TRACING "/per_cpu/cpu%ld/stats", cpu);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "entries:", 8) || !strncmp(line, "overrun:", 8))
				printf("KMT trace-stats run=%s cpu=%ld %s", run, cpu, line);
		if (f)
			fclose(f);
	}
}

/*
 * test-vmm with the options opts (NULL-terminated, NULL for none) and
 * RUN run. When it stops itself (test-vmm -p), the events of
 * set_events(events_on) are disabled and enabled again before it goes on.
 */
static int run_vmm(const char *run, const char *const *opts, const char *events_on)
{
	const char *argv[16] = { "test-vmm" };
	size_t n = 1;
	int status;
	pid_t pid;

	while (opts && *opts && n < sizeof(argv) / sizeof(argv[0]) - 2)
		argv[n++] = *opts++;
	argv[n] = run;
	pid = fork();
	if (pid == 0) {
		execv("/test-vmm", (char *const *)argv);
		say("error exec /test-vmm: %s", strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		say("error fork test-vmm: %s", strerror(errno));
		return -1;
	}
	/* kvm-mmio-top reports per VMM process: the pid names its entry. */
	say("vmm-pid run=%s pid=%d", run, (int)pid);
	for (;;) {
		if (waitpid(pid, &status, WUNTRACED) < 0) {
			say("error wait test-vmm: %s", strerror(errno));
			return -1;
		}
		if (!WIFSTOPPED(status))
			break;
		say("toggle run=%s events off and on", run);
		set_events("0");
		set_events(events_on);
		kill(pid, SIGCONT);
	}
	if (WIFSIGNALED(status))
		say("vmm-exit run=%s signal=%d", run, WTERMSIG(status));
	else
		say("vmm-exit run=%s status=%d", run, WEXITSTATUS(status));
	return 0;
}

/* An empty trace with the events of set_events(events_on) recording. */
static void trace_start(const char *run, const char *events_on)
{
	write_file(TRACING "/tracing_on", "0");
	set_events("0");
	write_file(TRACING "/trace", "");
	set_events(events_on);
	write_file(TRACING "/tracing_on", "1");
	say("run-begin run=%s events=%s", run,
	    events_on[0] == '1' ? "on" : events_on[0] == '0' ? "off" : events_on);
}

/* Every event off, then the trace of the run and whether it overran. */
static void trace_print(const char *run)
{
	write_file(TRACING "/tracing_on", "0");
	set_events("0");
	print_trace_stats(run);
	say("trace-begin run=%s", run);
	print_matching(TRACING "/trace", "KMT trace ", ": kvm");
	say("trace-end run=%s", run);
}

/* One VMM run with the events on or off, then the trace it left. */
static void scenario(const char *run, const char *const *opts, const char *events_on)
{
	trace_start(run, events_on);
	run_vmm(run, opts, events_on);
	trace_print(run);
}

static const char tool_path[] = "/kvm-mmio-top";

struct tool {
	pid_t pid;
	FILE *err;	/* its stderr */
};

/*
 * kvm-mmio-top --once --json, started before a VMM run: its "tracing"
 * line on stderr says the probes are attached. Its JSON goes to
 * /tool.json. 0 when the tool is running (or gave up: EOF on stderr,
 * tool_finish() reports its exit), -1 when it could not be started.
 */
static int tool_start(struct tool *t, const char *run)
{
	int err_pipe[2];
	char line[512];

	if (pipe(err_pipe)) {
		say("error pipe: %s", strerror(errno));
		return -1;
	}
	say("tool-begin run=%s", run);
	t->pid = fork();
	if (t->pid == 0) {
		int out = open("/tool.json", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (out < 0)
			_exit(126);
		dup2(out, 1);
		dup2(err_pipe[1], 2);
		close(err_pipe[0]);
		execl(tool_path, tool_path, "--once", "--interval", "600", "--json", (char *)NULL);
		_exit(127);
	}
	close(err_pipe[1]);
	if (t->pid < 0) {
		say("error fork kvm-mmio-top: %s", strerror(errno));
		close(err_pipe[0]);
		return -1;
	}
	t->err = fdopen(err_pipe[0], "r");
	/* Until the probes are attached (or the tool gave up: EOF). */
	while (t->err && fgets(line, sizeof(line), t->err)) {
		printf("KMT tool-stderr %s", line);
		if (strstr(line, "kvm-mmio-top: tracing"))
			break;
	}
	return 0;
}

/*
 * After the VMM run: SIGINT ends the tool's one interval at once (it
 * reports on a signal), so no interval length has to guess how long TCG
 * takes. Its stderr and its JSON are copied to the console as "KMT tool-*".
 */
static void tool_finish(struct tool *t, const char *run)
{
	char line[512], *obj = NULL;
	size_t cap = 0;
	int status;
	FILE *json;

	kill(t->pid, SIGINT);
	while (t->err && fgets(line, sizeof(line), t->err))
		printf("KMT tool-stderr %s", line);
	if (t->err)
		fclose(t->err);
	if (waitpid(t->pid, &status, 0) < 0)
		say("error wait kvm-mmio-top: %s", strerror(errno));
	else if (WIFSIGNALED(status))
		say("tool-exit signal=%d", WTERMSIG(status));
	else
		say("tool-exit status=%d", WEXITSTATUS(status));
	/* One JSON object per line, however long its histograms make it. */
	json = fopen("/tool.json", "r");
	while (json && getline(&obj, &cap, json) > 0)
		printf("KMT tool-json %s", obj);
	if (json)
		fclose(json);
	free(obj);
	say("tool-end run=%s", run);
}

/*
 * The project's own tool against one more VMM run, every tracefs event off
 * (BPF attaches to the tracepoints itself). Only when the initramfs
 * carries the tool (built for the BPF backend test).
 */
static void tool_scenario(void)
{
	struct tool t;

	if (access(tool_path, X_OK))
		return;
	write_file(TRACING "/tracing_on", "0");
	set_events("0");
	if (tool_start(&t, "bpf"))
		return;
	run_vmm("bpf", NULL, "0");
	tool_finish(&t, "bpf");
}

/* Whether the trace holds a lookup that retried the HPTE lock. */
static int trace_contended(void)
{
	char line[512], *spins;
	FILE *f = fopen(TRACING "/trace", "r");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = (spins = strstr(line, " spins ")) && spins[7] >= '1' && spins[7] <= '9';
	if (f)
		fclose(f);
	return found;
}

/*
 * Several host CPUs: the vcpus of one guest, one per host CPU, fault on
 * one shared absent HPTE in lockstep (test-vmm -c), so that their HPT
 * lookups contend on its lock. tracefs records every lookup
 * (HPTE_LOCK_EVENT) while kvm-mmio-top traces the same run, so that the
 * tool's HPTE lock series can be compared with the trace of the very same
 * lookups: contention differs from run to run. Lookups overlap only while
 * QEMU's threads for the two CPUs run at the same time on the machine
 * that emulates them, which a loaded machine may not allow for a whole
 * run: up to CONTEND_RUNS runs (contend1, contend2, ...), until one shows
 * contention.
 */
#define CONTEND_RUNS 3

static void contend(long cpus)
{
	char vcpus[24], run[16];
	const char *const opts[] = { "-g", "1", "-v", vcpus, "-c", NULL };
	struct tool t;

	snprintf(vcpus, sizeof(vcpus), "%ld", cpus);
	for (int i = 1; i <= CONTEND_RUNS; i++) {
		snprintf(run, sizeof(run), "contend%d", i);
		trace_start(run, HPTE_LOCK_EVENT);
		if (access(tool_path, X_OK) || tool_start(&t, run)) {
			say("error kvm-mmio-top cannot run");
			trace_print(run);
			return;
		}
		run_vmm(run, opts, HPTE_LOCK_EVENT);
		tool_finish(&t, run);
		trace_print(run);
		if (trace_contended())
			return;
	}
}

static const char *const kernel_opts[] = { "-k", NULL };
static const char *const stale_opts[] = { "-g", "1", "-v", "1", "-p", NULL };
static const char *const lost_opts[] = { "-g", "1", "-v", "1", "-l", NULL };
static const char *const prefixed_opts[] = { "-g", "1", "-v", "1", "-x", NULL };
static const char *const gone_opts[] = { "-g", "1", "-v", "2", "-r", NULL };

/* Whether the host runs on POWER10 (ISA 3.1: prefixed instructions). */
static int is_power10(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	int yes = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "cpu\t", 4) == 0 && strstr(line, "POWER10"))
			yes = 1;
	if (f)
		fclose(f);
	return yes;
}

static void identify(void)
{
	struct utsname u;

	uname(&u);
	say("host kernel=%s", u.release);
	print_matching("/proc/cpuinfo", "KMT cpuinfo ", "cpu\t");
	print_matching("/proc/cpuinfo", "KMT cpuinfo ", "MMU");
}

int main(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int con;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	con = open("/dev/console", O_RDWR);
	if (con >= 0) {
		dup2(con, 0);
		dup2(con, 1);
		dup2(con, 2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mount("tracefs", TRACING, "tracefs", 0, NULL))
		say("error mount tracefs: %s", strerror(errno));
	write_file(TRACING "/buffer_size_kb", "4096");
	/* Event timestamps on the clock of exit_ns (CLOCK_MONOTONIC), so that
	 * the two can be compared */
	write_file(TRACING "/trace_clock", "mono");

	say("init-begin");
	identify();
	scenario("traced", NULL, "1");
	scenario("untraced", NULL, "0");
	/* kvm_hv_hpte_hcall off: which hcalls leave real mode anyway */
	scenario("exits", NULL, HCALL_EXIT_EVENT);
	/* every store to an ioeventfd: MMIO completed in the kernel */
	scenario("kernel", kernel_opts, "1");
	/* one vcpu, the events off and on while a load waits for KVM_RUN */
	scenario("stale", stale_opts, "1");
	/* one vcpu, more real-mode HDSIs between two exits than recorded */
	scenario("lost", lost_opts, "1");
	/* POWER10: one vcpu, MMIO through prefixed loads and stores */
	if (is_power10())
		scenario("prefixed", prefixed_opts, "1");
	tool_scenario();
	if (cpus > 1) {
		contend(cpus);
		/* one vcpu removes and enters an HPTE, the other stores
		 * through it: a protection fault whose HPTE is gone */
		scenario("gone", gone_opts, GONE_EVENTS);
	}
	say("init-end");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
