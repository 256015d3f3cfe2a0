// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Synthetic guests for bench/scale.sh: a host cannot run 1,000 guests x 8
 * vCPUs, but kvm-mmio-top's user space only sees its BPF maps. This starts
 * GUESTS long-lived dummy processes (this program again, with QEMU's
 * "-name guest=scale-N" so they are named like guests), finds the maps of
 * the running kvm-mmio-top TOP_PID by name, and every second writes, for
 * each dummy, VCPUS vCPU counters (in vCPU slots it takes as the BPF
 * programs do), both latency histograms, the MMU lock series and REGIONS
 * pages, all grown since the last second, so every refresh has work. Says
 * "filled" on stderr after the first write; runs until SIGINT or SIGTERM
 * (the dummies die with it). A map too small for the entries is reported
 * once, with how many fitted. The dummies are registered with their start
 * time as /proc gives it (in clock ticks), not the kernel's nanoseconds:
 * their end is not seen, which a run of scale.sh does not need.
 *
 *   scale_fill TOP_PID GUESTS VCPUS REGIONS
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <bpf/bpf.h>
#include "kvm_mmio.h"
#include "kvm_mmio.skel.h"	/* the layout of its .bss */
#include "guest_name.h"

#define HIST_USED 12	/* non-empty slots per histogram, around 1 us */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A dummy guest: the cmdline is all it is for. */
static int dummy(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 0;
	while (!stop)
		pause();
	return 0;
}

/* Starts a dummy named guest=scale-I; returns once it has exec'd (its pipe closed). */
static pid_t spawn(const char *self, unsigned int i)
{
	char name[32], byte;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	snprintf(name, sizeof(name), "guest=scale-%04u", i);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		execl(self, self, "-name", name, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && read(fds[0], &byte, 1) > 0)
		;
	close(fds[0]);
	return pid;
}

struct maps {
	int vcpu_slots, bss, hists, locks, regions, procs;
	__u32 nr_vcpu_slots, bss_size;
};

/* The maps kvm-mmio-top pid holds open, by name; 0 or -ENOENT. */
static int find_maps(pid_t pid, struct maps *m)
{
	char path[320], line[128];
	struct dirent *de;
	DIR *dir;

	*m = (struct maps){ -1, -1, -1, -1, -1, -1, 0, 0 };
	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -ENOENT;
	while ((de = readdir(dir))) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		unsigned int id = 0;
		FILE *f;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "map_id: %u", &id) == 1)
				break;
		fclose(f);
		if (!id || (fd = bpf_map_get_fd_by_id(id)) < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		if (!strcmp(info.name, "vcpu_slots") && m->vcpu_slots < 0) {
			m->vcpu_slots = fd;
			m->nr_vcpu_slots = info.max_entries;
		} else if (!strcmp(info.name, "kvm_mmio.bss") && m->bss < 0) {
			m->bss = fd;
			m->bss_size = info.value_size;
		} else if (!strcmp(info.name, "hists") && m->hists < 0)
			m->hists = fd;
		else if (!strcmp(info.name, "locks") && m->locks < 0)
			m->locks = fd;
		else if (!strcmp(info.name, "regions") && m->regions < 0)
			m->regions = fd;
		else if (!strcmp(info.name, "procs") && m->procs < 0)
			m->procs = fd;
		else
			close(fd);
	}
	closedir(dir);
	return m->vcpu_slots < 0 || m->bss < 0 || m->hists < 0 || m->locks < 0 || m->regions < 0 ||
	       m->procs < 0 ? -ENOENT : 0;
}

/*
 * A histogram that has counted t ticks' worth of samples around 1 us, as
 * the BPF programs keep it: the chunks its slots fall in, at most two, into
 * c[] with their numbers in chunk[] and their counts in count[]. Returns how
 * many chunks.
 */
static unsigned int fill_hist(struct kmt_hist_chunk c[2], __u16 chunk[2], __u64 count[2], __u64 t,
			      unsigned int seed)
{
	__u32 first = kmt_hist_slot(800 + 40 * (seed % 16));
	unsigned int nr = 0;

	for (__u32 s = 0; s < HIST_USED; s++) {
		__u64 n = t * (s + 1 + seed % 5), upper = kmt_hist_slot_upper(first + s);

		if (!nr || chunk[nr - 1] != (first + s) / KMT_HIST_CHUNK_SLOTS) {
			memset(&c[nr], 0, sizeof(c[nr]));
			chunk[nr] = (first + s) / KMT_HIST_CHUNK_SLOTS;
			count[nr++] = 0;
		}
		c[nr - 1].slots[(first + s) % KMT_HIST_CHUNK_SLOTS] = n;
		c[nr - 1].sum += n * upper;
		c[nr - 1].max = upper;
		count[nr - 1] += n;
	}
	return nr;
}

/* Writes nr entries at once; says once per map when it is full. */
static void write_all(int fd, const char *what, void *keys, void *values, __u32 nr, bool *said)
{
	__u32 count = nr;

	if (!bpf_map_update_batch(fd, keys, values, &count, NULL) || *said)
		return;
	fprintf(stderr, "scale_fill: %s: %u of %u entries written (%s): raise its --max-* option\n",
		what, count, nr, strerror(errno));
	*said = true;
}

/*
 * nr of the tool's vCPU slots, mapped, taken as its BPF programs take them
 * (vcpu_slots_used counts them); NULL when it has fewer left.
 */
static struct kmt_vcpu_slot *take_slots(const struct maps *m, __u32 nr)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct kmt_vcpu_slot *slots;
	struct kvm_mmio__bss *bss;
	__u64 first;

	bss = mmap(NULL, (m->bss_size + page - 1) / page * page, PROT_READ | PROT_WRITE, MAP_SHARED,
		   m->bss, 0);
	slots = mmap(NULL, (size_t)m->nr_vcpu_slots * sizeof(*slots), PROT_READ | PROT_WRITE,
		     MAP_SHARED, m->vcpu_slots, 0);
	if (bss == MAP_FAILED || slots == MAP_FAILED) {
		fprintf(stderr, "scale_fill: cannot map the vCPU slots: %s\n", strerror(errno));
		return NULL;
	}
	first = __atomic_fetch_add(&bss->vcpu_slots_used, nr, __ATOMIC_SEQ_CST);
	if (first + nr > m->nr_vcpu_slots) {
		fprintf(stderr, "scale_fill: vcpu_slots: %u needed, %llu left: raise --max-vcpus\n",
			nr, first < m->nr_vcpu_slots ? m->nr_vcpu_slots - first : 0ULL);
		return NULL;
	}
	return slots + first;
}

int main(int argc, char **argv)
{
	unsigned int guests, vcpus, regions;
	struct kmt_vcpu_slot *vs;
	struct kmt_hist_key *hk;
	struct kmt_hist_chunk *hv;
	struct kmt_lock_key *lk;
	struct kmt_lock_stats *lv;
	struct kmt_region_key *rk;
	struct kmt_region_value *rv;
	bool said[3] = { false };
	struct maps m;
	pid_t *pids, top;
	__u64 *starts;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (argc == 3 && !strcmp(argv[1], "-name"))
		return dummy();
	if (argc != 5) {
		fprintf(stderr, "usage: scale_fill TOP_PID GUESTS VCPUS REGIONS\n");
		return 2;
	}
	top = atoi(argv[1]);
	guests = (unsigned int)atoi(argv[2]);
	vcpus = (unsigned int)atoi(argv[3]);
	regions = (unsigned int)atoi(argv[4]);
	if (find_maps(top, &m)) {
		fprintf(stderr, "scale_fill: no kvm-mmio-top maps in process %d\n", (int)top);
		return 1;
	}
	pids = calloc(guests, sizeof(*pids));
	starts = calloc(guests, sizeof(*starts));
	vs = take_slots(&m, guests * vcpus);
	if (!vs)
		return 1;
	/* Room for two chunks per histogram: fill_hist()'s slots span no more. */
	hk = calloc((size_t)guests * KMT_HIST_KINDS * 2, sizeof(*hk));
	hv = calloc((size_t)guests * KMT_HIST_KINDS * 2, sizeof(*hv));
	lk = calloc((size_t)guests * 2, sizeof(*lk));
	lv = calloc((size_t)guests * 2, sizeof(*lv));
	rk = calloc((size_t)guests * regions * 2 + 1, sizeof(*rk));
	rv = calloc((size_t)guests * regions * 2 + 1, sizeof(*rv));
	if (!pids || !starts || !hk || !hv || !lk || !lv || !rk || !rv) {
		fprintf(stderr, "scale_fill: out of memory\n");
		return 1;
	}
	for (unsigned int g = 0; g < guests && !stop; g++) {
		const struct kmt_proc_state alive = { 0 };
		struct kmt_proc_key proc;

		pids[g] = spawn("/proc/self/exe", g);
		if (pids[g] < 0) {
			fprintf(stderr, "scale_fill: cannot start guest %u: %s\n", g, strerror(errno));
			return 1;
		}
		/* Registered as the BPF programs do at a vCPU thread's first event. */
		starts[g] = kmt_proc_start(pids[g]);
		proc = (struct kmt_proc_key){ .tgid = (__u32)pids[g], .start = starts[g] };
		if (bpf_map_update_elem(m.procs, &proc, &alive, BPF_ANY)) {
			fprintf(stderr, "scale_fill: procs: %s: raise --max-guests\n", strerror(errno));
			return 1;
		}
	}
	for (__u64 t = 1; !stop; t++) {
		__u32 nh = 0, nl = 0, nr = 0;

		for (unsigned int g = 0; g < guests; g++) {
			__u32 tgid = (__u32)pids[g];
			__u64 start = starts[g];
			struct kmt_hist_chunk c[2];
			__u16 chunk[2];
			__u64 count[2];
			unsigned int n;

			for (unsigned int v = 0; v < vcpus; v++) {
				size_t i = (size_t)g * vcpus + v;

				vs[i] = (struct kmt_vcpu_slot){ tgid, tgid + 1 + v, start, {
					.kernel_reads = t * (v + 1), .kernel_writes = t * 3,
					.vmm_reads = t * 20, .vmm_writes = t * (30 + g % 7),
					.timed_exits = t * (v + 4 + 20 + 30 + g % 7),
				} };
			}
			for (unsigned int k = 0; k < KMT_HIST_KINDS; k++) {
				n = fill_hist(c, chunk, count, t * vcpus, g + k);
				for (unsigned int i = 0; i < n; i++, nh++) {
					hk[nh] = (struct kmt_hist_key){ tgid, (__u16)k, chunk[i], start };
					hv[nh] = c[i];
				}
			}
			n = fill_hist(c, chunk, count, t, g);
			for (unsigned int i = 0; i < n; i++, nl++) {
				lk[nl] = (struct kmt_lock_key){ tgid, KMT_LOCK_MMU, chunk[i], start };
				lv[nl] = (struct kmt_lock_stats){ .acquired = i ? 0 : t * 50, .wait = c[i] };
			}
			for (unsigned int r = 0; r < regions; r++) {
				n = fill_hist(c, chunk, count, t * (r + 1), g + r);
				for (unsigned int i = 0; i < n; i++, nr++) {
					rk[nr] = (struct kmt_region_key){
						.tgid = tgid, .chunk = chunk[i], .start = start,
						.gpa_page = 0xfe000 + r,
					};
					rv[nr] = (struct kmt_region_value){ .exits = count[i], .lat = c[i] };
				}
			}
		}
		write_all(m.hists, "hists (--max-guests)", hk, hv, nh, &said[0]);
		write_all(m.locks, "locks (--max-guests)", lk, lv, nl, &said[1]);
		if (nr)
			write_all(m.regions, "regions (--max-regions)", rk, rv, nr, &said[2]);
		if (t == 1)
			fprintf(stderr, "scale_fill: filled %u guests x %u vCPUs, %u pages each\n",
				guests, vcpus, regions);
		sleep(1);
	}
	return 0;
}
