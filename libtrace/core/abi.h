/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* User-space view of the BPF contract in bpf/kvm_mmio.h. */
#ifndef KMT_ABI_H
#define KMT_ABI_H

#include <linux/types.h>
#include "kvm_mmio.h"

#endif /* KMT_ABI_H */
