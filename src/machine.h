/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The machine a measurement ran on, in the words a report needs: kernel
 * (uname), CPU model (/proc/cpuinfo), CPUs online, and the clocksource
 * that run-time stats and our timestamps read (sysfs). */
#ifndef BPFCOST_MACHINE_H
#define BPFCOST_MACHINE_H

#include <stddef.h>

struct machine_info {
	char release[96];	/* uname -r */
	char version[160];	/* uname -v */
	char arch[65];		/* uname -m */
	char cpu_model[128];	/* "model name" of the first CPU; "unknown" */
	int ncpus;		/* online */
	char clocksource[32];	/* current_clocksource; "unknown" */
};

/* Fill m; what cannot be read says "unknown". Never fails. */
void machine_describe(struct machine_info *m);
/* The current clocksource's name into buf ("unknown" when unreadable). */
void machine_clocksource(char *buf, size_t len);
/* Pure (fuzzed with the other cpuinfo parsers): the value of a
 * "model name<TAB>: VALUE" line into out, blanks around it trimmed.
 * Returns 1 when the line is one, else 0 (out untouched). */
int machine_cpuinfo_model(const char *line, char *out, size_t len);

#endif
