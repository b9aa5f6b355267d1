// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which process holds which BPF program, in one read().
 *
 * An iter/task_file program (Linux 5.8, eaaacd23910f "bpf: Add task and
 * task/file iterator targets") is run once per open file of every process
 * (threads sharing the group leader's file table are visited once:
 * kernel/bpf/task_iter.c, task_file_seq_get_next) when user space reads
 * the iterator fd. For each file that holds a BPF program it appends one
 * struct owners_rec:
 *   - a program fd: file->private_data is the struct bpf_prog;
 *   - a link fd: private_data is the struct bpf_link, link->prog its
 *     program;
 *   - a perf event fd: private_data is the struct perf_event, and
 *     event->prog the program attached to it, set by both attach paths
 *     (kernel/trace/bpf_trace.c, perf_event_attach_bpf_prog for
 *     PERF_EVENT_IOC_SET_BPF and perf links; kernel/events/core.c,
 *     perf_event_set_bpf_handler for perf_event programs). The perf event's
 *     fdinfo does not show it, and BPF_TASK_FD_QUERY (the /proc method's
 *     way, kernel/bpf/syscall.c bpf_task_fd_query -> bpf_get_perf_event_info)
 *     refuses perf_event-type programs with EOPNOTSUPP; here it is read
 *     directly.
 *
 * bpftool's pid iterator tells these files apart by comparing f_op with
 * the kernel's bpf_prog_fops and bpf_link_fops, which it resolves as
 * ksyms; those are data symbols, in kallsyms only with CONFIG_KALLSYMS_ALL
 * (not set on the kernels we run on). We instead use what the kernel
 * names them: every such file is an anonymous inode (its superblock's
 * magic is ANON_INODE_FS_MAGIC), and anon_inode_getfile gives its dentry
 * the name the caller passed: "bpf-prog" (bpf_prog_new_fd), "bpf_link"
 * (bpf_link_prime) or "bpf-link" (bpf_link_new_fd), "[perf_event]"
 * (perf_event_open). A file on disk with such a name is on another
 * superblock, so the magic check keeps it out. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "owners_rec.h"

char LICENSE[] SEC("license") = "GPL";

#define ANON_INODE_FS_MAGIC 0x09041934	/* include/uapi/linux/magic.h */
#define NAME_LEN 16

/* name (NUL-terminated, at most NAME_LEN bytes) equals s (a literal). */
static __always_inline bool name_is(const char *name, const char *s, int len)
{
	for (int i = 0; i < len && i < NAME_LEN; i++)
		if (name[i] != s[i])
			return false;
	return true;
}

static __always_inline __u32 via_of(const char *name)
{
	if (name_is(name, "bpf-prog", sizeof("bpf-prog")))
		return OWNER_VIA_PROG;
	if (name_is(name, "bpf_link", sizeof("bpf_link")) ||
	    name_is(name, "bpf-link", sizeof("bpf-link")))
		return OWNER_VIA_LINK;
	if (name_is(name, "[perf_event]", sizeof("[perf_event]")))
		return OWNER_VIA_PERF;
	return 0;
}

static __always_inline __u32 prog_id_of(const struct bpf_prog *prog)
{
	return prog ? BPF_CORE_READ(prog, aux, id) : 0;
}

SEC("iter/task_file")
int bc_owners(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct owners_rec r = {};
	char name[NAME_LEN] = {};
	void *priv;

	if (!task || !file)
		return 0;
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != ANON_INODE_FS_MAGIC)
		return 0;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	r.via = via_of(name);
	if (!r.via)
		return 0;
	priv = BPF_CORE_READ(file, private_data);
	if (r.via == OWNER_VIA_PROG) {
		r.prog_id = prog_id_of(priv);
	} else if (r.via == OWNER_VIA_LINK) {
		r.link_id = BPF_CORE_READ((struct bpf_link *)priv, id);
		r.prog_id = prog_id_of(BPF_CORE_READ((struct bpf_link *)priv, prog));
	} else {
		r.prog_id = prog_id_of(BPF_CORE_READ((struct perf_event *)priv, prog));
	}
	if (!r.prog_id)
		return 0;	/* a perf event without a program, a detached link */
	r.pid = BPF_CORE_READ(task, tgid);
	r.fd = ctx->fd;
	BPF_CORE_READ_STR_INTO(&r.comm, task, group_leader, comm);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
