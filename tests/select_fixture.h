/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Test fixture: the backend descriptors a kernel with the given events gets. */
#ifndef KMT_TEST_SELECT_FIXTURE_H
#define KMT_TEST_SELECT_FIXTURE_H

#include "backend.h"

#define EVS_STOCK (KMT_EV(KMT_EV_MMIO) | KMT_EV(KMT_EV_USER_EXIT) | KMT_EV(KMT_EV_SYS_ENTER) | \
		   KMT_EV(KMT_EV_THREAD_EXIT) | KMT_EV(KMT_EV_PROC_FREE) | KMT_EV(KMT_EV_PROC_EXEC))
#define EVS_EXITS (EVS_STOCK | KMT_EV(KMT_EV_EXIT) | KMT_EV(KMT_EV_ENTRY))
#define EVS_LOCKS (KMT_EV(KMT_EV_LOCK_BEGIN) | KMT_EV(KMT_EV_LOCK_END))
#define EVS_POWER (EVS_STOCK | KMT_EV(KMT_EV_HV_DISPATCH) | KMT_EV(KMT_EV_HV_COMPLETE) | \
		   KMT_EV(KMT_EV_HPTE_LOOKUP))

/* Returns kmt_backends_select()'s result for a kernel with the events in bits. */
static inline int select_for(struct kmt_selection *sel, uint32_t bits, const char *machine)
{
	const struct kmt_host host = { .machine = machine };
	bool exists[KMT_EVENTS];

	for (int e = 0; e < KMT_EVENTS; e++)
		exists[e] = bits & KMT_EV(e);
	return kmt_backends_select(sel, exists, &host);
}

#endif /* KMT_TEST_SELECT_FIXTURE_H */
