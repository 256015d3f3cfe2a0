// SPDX-License-Identifier: GPL-2.0
/*
 * Static /init for the x86 hardware-KVM test bed (tests/x86-kvm/README in
 * docs/testbeds.md). Runs as PID 1 of a stock Debian kernel booted under
 * qemu-system-x86_64 -accel tcg -cpu qemu64,+svm[,+npt]:
 *
 *   1. mounts proc, sysfs, devtmpfs;
 *   2. loads the modules listed in /modules/order (already in dependency
 *      order, written by prepare.sh) with finit_module;
 *   3. mounts the 9p share "hostroot" (the host's / , read-only) on /mnt and
 *      the 9p share "results" (read-write) on /mnt/run/kmt-results;
 *   4. mounts proc, sysfs, tracefs, debugfs, securityfs, bpffs, devtmpfs and
 *      tmpfs inside the chroot;
 *   5. runs ONE command: the contents of results/cmd, as
 *      chroot /mnt /bin/sh -c CMD, in the directory named by results/cwd, with
 *      stdout and stderr going to results/output;
 *   6. writes the command's exit status to results/status and powers off.
 *
 * Any failure before the command runs is reported on the console and leaves
 * no status file, which run-in-svm-host.sh reports as a test-bed failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROOT "/mnt"
#define RESULTS_IN_CHROOT "/run/kmt-results"
#define RESULTS ROOT RESULTS_IN_CHROOT
#define P9_OPTS "trans=virtio,version=9p2000.L,msize=512000"

static double t_start;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void say(const char *fmt, ...)
{
	va_list ap;

	printf("kmt-init[%.3f]: ", now() - t_start);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* PID 1 must not exit; the kernel would panic (which, with panic=-1
	 * and -no-reboot, also ends QEMU, but noisily). */
	for (;;)
		pause();
}

static void fatal(const char *what)
{
	say("FATAL: %s: %s", what, strerror(errno));
	power_off();
}

static void do_mount(const char *src, const char *dst, const char *type,
		     unsigned long flags, const char *opts, int required)
{
	mkdir(dst, 0755); /* fails harmlessly when it exists or fs is read-only */
	if (mount(src, dst, type, flags, opts) == 0)
		return;
	if (required)
		fatal(dst);
	say("warning: mount %s on %s: %s", type, dst, strerror(errno));
}

/* Read a whole small file into a NUL-terminated heap buffer, without the
 * trailing newline. NULL when it cannot be read. */
static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 4096;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	if (!buf)
		fatal("malloc");
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				fatal("realloc");
		}
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	while (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return buf;
}

static void load_modules(void)
{
	char *list = slurp("/modules/order");
	char *save = NULL, *line;
	int n = 0;

	if (!list)
		fatal("/modules/order");
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char path[512];
		int fd;

		if (!*line)
			continue;
		snprintf(path, sizeof(path), "/modules/%s", line);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fatal(path);
		if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) {
			say("finit_module %s: %s", line, strerror(errno));
			fatal("module load");
		}
		close(fd);
		n++;
	}
	free(list);
	say("%d modules loaded", n);
}

static void write_status(int status)
{
	char buf[32];
	int fd = open(RESULTS "/status", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		say("cannot write status: %s", strerror(errno));
		return;
	}
	snprintf(buf, sizeof(buf), "%d\n", status);
	if (write(fd, buf, strlen(buf)) < 0)
		say("write status: %s", strerror(errno));
	fsync(fd);
	close(fd);
}

static int run_command(const char *cmd, const char *cwd, int repo_under_tmp)
{
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		fatal("fork");
	if (pid == 0) {
		int out = open(RESULTS "/output", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (out < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			fatal("results/output");
		if (chroot(ROOT) != 0)
			fatal("chroot");
		if (chdir(cwd && *cwd ? cwd : "/") != 0)
			fatal(cwd);
		clearenv();
		setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
		setenv("HOME", "/run/kmt-home", 1);
		setenv("TMPDIR", repo_under_tmp ? "/run/kmt-tmp" : "/tmp", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("KMT_RESULTS", RESULTS_IN_CHROOT, 1);
		setenv("KMT_IN_SVM_HOST", "1", 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		fatal("exec /bin/sh");
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fatal("waitpid");
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int main(void)
{
	char *cmd, *cwd;
	int rc, repo_under_tmp;

	t_start = now();
	setvbuf(stdout, NULL, _IOLBF, 0);
	do_mount("proc", "/proc", "proc", 0, NULL, 1);
	do_mount("sysfs", "/sys", "sysfs", 0, NULL, 1);
	do_mount("devtmpfs", "/dev", "devtmpfs", 0, NULL, 1);
	/* The kernel opened /dev/console before devtmpfs existed only if the
	 * initramfs has it; make sure our output reaches the serial console. */
	if (access("/dev/console", W_OK) == 0) {
		int fd = open("/dev/console", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	say("started");
	load_modules();

	do_mount("hostroot", ROOT, "9p", MS_RDONLY, P9_OPTS ",cache=loose", 1);
	/* Kernel and scratch filesystems inside the chroot. Mount points exist in
	 * the host's root; tracefs is also reachable via debugfs/tracing. */
	do_mount("proc", ROOT "/proc", "proc", 0, NULL, 1);
	do_mount("sysfs", ROOT "/sys", "sysfs", 0, NULL, 1);
	do_mount("tracefs", ROOT "/sys/kernel/tracing", "tracefs", 0, NULL, 1);
	do_mount("debugfs", ROOT "/sys/kernel/debug", "debugfs", 0, NULL, 0);
	/* /sys/kernel/security/lockdown, as systemd mounts it on a real host. */
	do_mount("securityfs", ROOT "/sys/kernel/security", "securityfs", 0, NULL, 0);
	do_mount("bpf", ROOT "/sys/fs/bpf", "bpf", 0, NULL, 0);
	do_mount("devtmpfs", ROOT "/dev", "devtmpfs", 0, NULL, 1);
	do_mount("devpts", ROOT "/dev/pts", "devpts", 0, NULL, 0);
	do_mount("tmpfs", ROOT "/dev/shm", "tmpfs", 0, NULL, 0);
	/* What udev adds on a real host: bash's process substitution opens /dev/fd/N. */
	symlink("/proc/self/fd", ROOT "/dev/fd");
	symlink("/proc/self/fd/0", ROOT "/dev/stdin");
	symlink("/proc/self/fd/1", ROOT "/dev/stdout");
	symlink("/proc/self/fd/2", ROOT "/dev/stderr");
	do_mount("tmpfs", ROOT "/run", "tmpfs", 0, "mode=0755", 1);
	do_mount("results", RESULTS, "9p", 0, P9_OPTS, 1);
	mkdir(ROOT "/run/kmt-home", 0700);
	mkdir(ROOT "/run/kmt-tmp", 01777);

	cmd = slurp(RESULTS "/cmd");
	if (!cmd)
		fatal("results/cmd");
	cwd = slurp(RESULTS "/cwd");
	/* A writable /tmp, unless the host checkout lives there: hiding it would
	 * hide the binaries under test. TMPDIR then points to /run/kmt-tmp. */
	repo_under_tmp = cwd && (!strcmp(cwd, "/tmp") || !strncmp(cwd, "/tmp/", 5));
	if (!repo_under_tmp)
		do_mount("tmpfs", ROOT "/tmp", "tmpfs", 0, "mode=1777", 1);

	say("running command in %s", cwd ? cwd : "/");
	rc = run_command(cmd, cwd, repo_under_tmp);
	say("command exited with status %d", rc);
	write_status(rc);
	umount2(RESULTS, 0);
	say("powering off");
	power_off();
	return 0;
}
