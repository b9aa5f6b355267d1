/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The tracer under test for A/B measurements: the built-in reference
 * service (attached and detached in-process, cheap), or any command
 * (started, waited for until its BPF programs are attached, stopped). */
#ifndef BPFCOST_TRACER_H
#define BPFCOST_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "sysmon.h"

#define TRACER_MAX_PROGS 64

struct tracer_opts {
	bool is_command;
	enum sysmon_weight weight;	/* !is_command */
	char **argv;			/* is_command: NULL-terminated */
	double ready_after_s;		/* >0: skip detection, wait this long */
	double ready_timeout_s;		/* give up detecting after this long */
	double grace_s;			/* SIGTERM, then SIGKILL after this */
	const char *log_path;		/* command output goes here, or /dev/null */
};

struct tracer {
	struct tracer_opts o;
	struct sysmon *sm;
	pid_t pid;			/* running command, or 0 */
	int log_fd;
	uint32_t prog_ids[TRACER_MAX_PROGS];
	int nprogs;
	unsigned starts;		/* how many times it was switched on */
};

int tracer_init(struct tracer *t, const struct tracer_opts *o);
/* Switch on: attach sysmon, or start the command and wait until its BPF
 * programs are attached. Fills prog_ids. */
int tracer_on(struct tracer *t);
/* Switch off: detach, or stop the command (SIGTERM, then SIGKILL). */
int tracer_off(struct tracer *t);
void tracer_fini(struct tracer *t);
/* "sysmon count" or the command line, for reports. */
void tracer_describe(const struct tracer *t, char *buf, size_t len);

/* Pure parsers of the /proc text the readiness scan reads (fuzzed:
 * tests/fuzz). The process group (field 5) of a /proc/PID/stat text, or -1
 * when malformed; comm (field 2) may hold spaces and parens. */
pid_t tracer_stat_pgrp(const char *stat);
/* The "prog_id:" of a /proc/PID/fdinfo/FD text of a BPF program fd, or 0. */
uint32_t tracer_fdinfo_prog_id(const char *fdinfo);

#endif
