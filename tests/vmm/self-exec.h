/* SPDX-License-Identifier: GPL-2.0 */
/* Re-executing this program: child guests, and adding a default -name. */
#ifndef TEST_VMM_SELF_EXEC_H
#define TEST_VMM_SELF_EXEC_H

/* execv() this program's binary with argv; returns only on failure (reported). */
void exec_self(char *const argv[]);

#endif
