/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Syscall numbers and names of the architecture we were built for. */
#ifndef BPFCOST_SYSCALLS_H
#define BPFCOST_SYSCALLS_H

/* The name, or NULL when nr is not a syscall here. */
const char *syscall_name(unsigned nr);
/* The number of a syscall name, or -ENOENT. */
int syscall_lookup(const char *name);

#endif
