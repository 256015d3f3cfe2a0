// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Tracepoint probing: kallsyms symbols, BTF typedefs, and the attach choice. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "probe.h"

static const char *const names[] = { "kvm_mmio", "kvm_exit", "kvm_entry", "sys_enter" };
#define NR_NAMES (sizeof(names) / sizeof(names[0]))

static void kallsyms_fixture(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* KVM built as a module: its symbols carry a [kvm] suffix; some kernels list only one form. */
static void finds_module_and_builtin_tracepoints(void **state)
{
	char path[] = "/tmp/kmt-kallsyms-XXXXXX";
	bool exists[NR_NAMES];

	(void)state;
	kallsyms_fixture(path, "ffffffff81000000 T _stext\n"
			       "ffffffffc0a01230 T __traceiter_kvm_mmio\t[kvm]\n"
			       "ffffffffc0a09990 D __tracepoint_kvm_exit\t[kvm]\n"
			       "ffffffff81248010 T __traceiter_sys_enter\n"
			       "ffffffff81248010 T __traceiter_kvm_entry_extra\n"
			       "ffffffff81248010 T __pfx___traceiter_kvm_entry\n");
	assert_int_equal(kmt_tracepoints_in_kallsyms(path, names, NR_NAMES, exists), 0);
	unlink(path);
	assert_true(exists[0]);
	assert_true(exists[1]);
	assert_false(exists[2]);	/* neither a prefix nor a suffix match counts */
	assert_true(exists[3]);
}

static void missing_kallsyms_is_an_error(void **state)
{
	bool exists[NR_NAMES];

	(void)state;
	assert_int_equal(kmt_tracepoints_in_kallsyms("/nonexistent/kallsyms", names, NR_NAMES,
						     exists), -2);
}

/* tp_btf is possible only where some BTF (vmlinux or a module's) has btf_trace_<name>. */
static void btf_typedef_decides_tp_btf(void **state)
{
	struct btf *vmlinux = btf__new_empty(), *module;
	int ptr;

	(void)state;
	assert_non_null(vmlinux);
	ptr = btf__add_ptr(vmlinux, 0);
	assert_true(btf__add_typedef(vmlinux, "btf_trace_sys_enter", ptr) > 0);
	module = btf__new_empty_split(vmlinux);
	assert_non_null(module);
	assert_true(btf__add_typedef(module, "btf_trace_kvm_mmio", ptr) > 0);

	struct btf *only_vmlinux[] = { vmlinux }, *both[] = { vmlinux, module };

	assert_true(kmt_btf_has_tracepoint(only_vmlinux, 1, "sys_enter"));
	assert_false(kmt_btf_has_tracepoint(only_vmlinux, 1, "kvm_mmio"));
	assert_true(kmt_btf_has_tracepoint(both, 2, "kvm_mmio"));
	assert_false(kmt_btf_has_tracepoint(both, 2, "kvm_exit"));
	assert_false(kmt_btf_has_tracepoint(NULL, 0, "kvm_mmio"));
	btf__free(module);
	btf__free(vmlinux);
}

static void choice_prefers_btf_then_raw_tp(void **state)
{
	(void)state;
	assert_int_equal(kmt_choose_attach(true, true, true), KMT_ATTACH_TP_BTF);
	assert_int_equal(kmt_choose_attach(true, true, false), KMT_ATTACH_RAW_TP);
	assert_int_equal(kmt_choose_attach(true, false, true), KMT_ATTACH_RAW_TP);
	assert_int_equal(kmt_choose_attach(false, true, true), KMT_ATTACH_MISSING);
	assert_string_equal(kmt_attach_kind_name(KMT_ATTACH_TP_BTF), "tp_btf");
	assert_string_equal(kmt_attach_kind_name(KMT_ATTACH_MISSING), "missing");
}

/* A classic tracepoint is usable only where a tracefs mount lists its id. */
static void trace_event_needs_its_id_in_tracefs(void **state)
{
	char root[] = "/tmp/kmt-tracefs-XXXXXX", path[256];
	const char *dirs[2] = { "/nonexistent/tracing", root };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_false(kmt_trace_event_exists(dirs, 2, "syscalls", "sys_enter_ioctl"));
	snprintf(path, sizeof(path), "mkdir -p %s/events/syscalls/sys_enter_ioctl", root);
	assert_int_equal(system(path), 0);
	assert_false(kmt_trace_event_exists(dirs, 2, "syscalls", "sys_enter_ioctl"));	/* no id yet */
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_ioctl/id", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("898\n", f);
	fclose(f);
	assert_true(kmt_trace_event_exists(dirs, 2, "syscalls", "sys_enter_ioctl"));
	assert_false(kmt_trace_event_exists(dirs, 1, "syscalls", "sys_enter_ioctl"));
	assert_false(kmt_trace_event_exists(dirs, 2, "syscalls", "sys_enter_read"));
	assert_false(kmt_trace_event_exists(dirs, 2, "kvm_hv", "sys_enter_ioctl"));
	snprintf(path, sizeof(path), "rm -rf %s", root);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_module_and_builtin_tracepoints),
		cmocka_unit_test(missing_kallsyms_is_an_error),
		cmocka_unit_test(btf_typedef_decides_tp_btf),
		cmocka_unit_test(choice_prefers_btf_then_raw_tp),
		cmocka_unit_test(trace_event_needs_its_id_in_tracefs),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
