/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Layout shared by syscallwrap.bpf.c and syscallwrap.c. */
#ifndef BPFCOST_SYSCALLWRAP_TYPES_H
#define BPFCOST_SYSCALLWRAP_TYPES_H

#define SW_MAX_NR 1024		/* syscall numbers we can track */
#define SW_SLOTS 16		/* distinct syscalls tracked at once */
#define SW_PHASES 2		/* 0: tracer off, 1: tracer on */

/* Per (phase, slot) sums; the histogram of whole windows is separate. */
struct sw_slot_stats {
	unsigned long long windows;	/* complete windows recorded */
	unsigned long long slow;	/* ...of which went through the enter/exit parts */
	unsigned long long enter_ns;	/* time in the enter part, summed */
	unsigned long long body_ns;	/* time in the syscall body, summed */
	unsigned long long exit_ns;	/* time in the exit part, summed */
	unsigned long long lost;	/* windows begun but never completed */
};

#endif
