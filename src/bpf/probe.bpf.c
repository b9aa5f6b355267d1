// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Trial programs for feature probing (kfeatures.c). One object, several
 * programs: each trial opens its own skeleton and autoloads only the
 * program under test, so one refusal never blocks the other trials.
 * Names start with bc_ so tests can tell none is left loaded. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Bumped by the uprobe trial, so the trial proves the probe fired. */
__u64 uprobe_hits;

SEC("raw_tp/sys_enter")
int bc_probe_raw_tp(void *ctx)
{
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(bc_probe_tp_btf, struct pt_regs *regs, long id)
{
	return 0;
}

/* Loaded, never attached: the program the fentry/fexit trial traces, and
 * the one whose JIT image and kallsyms entry the JIT trials look at. */
SEC("raw_tp/sys_enter")
int bc_probe_target(void *ctx)
{
	return 0;
}

/* Attach targets are set at run time (bpf_program__set_attach_target). */
SEC("fentry")
int BPF_PROG(bc_probe_fentry)
{
	return 0;
}

SEC("fexit")
int BPF_PROG(bc_probe_fexit)
{
	return 0;
}

SEC("fentry")
int BPF_PROG(bc_probe_kfunc)
{
	return 0;
}

SEC("uprobe")
int bc_probe_uprobe(void *ctx)
{
	__sync_fetch_and_add(&uprobe_hits, 1);
	return 0;
}
