// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Feature probing: every probe tries the real thing (load, attach, open)
 * and records what happened, because kernel versions lie: configs, LSMs and
 * sysctls switch features off on kernels new enough to have them.
 *
 * Kernel versions that added what we probe (retsnoop-style notes):
 *   raw_tracepoint programs           4.17
 *   perf kprobe/uprobe PMUs           4.17
 *   kretprobe maxactive in tracefs    4.12
 *   bpf_jit_kallsyms                  4.11
 *   kernel.bpf_stats_enabled sysctl   5.1
 *   /sys/kernel/btf/vmlinux           5.4; lockdown LSM 5.4
 *   BPF trampoline: fentry/fexit, tp_btf   5.5, fec56f5890d9 "bpf: Introduce BPF trampoline"
 *   fentry/fexit on BPF programs      5.5, 5b92a28aae4d "bpf: Support attaching
 *                                     tracing BPF program to other BPF programs"
 *   ...on tracing programs (tp_btf)   6.8, 19bfcdf9498a "bpf: Relax tracing prog
 *                                     recursive attach rules" (profile.c's trial)
 *   BPF_ENABLE_STATS                  5.8, d46edd671a14
 *   BPF ring buffer                   5.8, 457f44363a88
 *   iter/bpf_prog                     5.9, a228a64fc1e4 "bpf: Add bpf_prog iterator"
 *   bpf_map_lookup_percpu_elem        5.19, 07343110b293 (both for progiter.h)
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <zlib.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "cpumask.h"
#include "kfeatures.h"
#include "kprobe_events.h"
#include "progs.h"
#include "probe.skel.h"

#define PMU_DIR "/sys/bus/event_source/devices"
/* A stable, traceable kernel function for kprobe and fentry trials. */
static const char *const kfunc_candidates[] = { "security_file_open", "do_sys_openat2", "vfs_read" };

static const struct {
	const char *name;
	const char *label;
} feat_info[FEAT_COUNT] = {
	[FEAT_STATS_FD]		 = { "stats_fd", "run-time stats via BPF_ENABLE_STATS" },
	[FEAT_STATS_SYSCTL]	 = { "stats_sysctl", "run-time stats via kernel.bpf_stats_enabled" },
	[FEAT_PROG_ITER]	 = { "prog_iter", "program stats via BPF iterator (iter/bpf_prog)" },
	[FEAT_OWNER_ITER]	 = { "owner_iter", "program owners via BPF iterator (iter/task_file)" },
	[FEAT_RAW_TP]		 = { "raw_tp", "raw tracepoint programs" },
	[FEAT_TP_BTF]		 = { "tp_btf", "BTF tracepoint programs (tp_btf)" },
	[FEAT_FENTRY_PROG]	 = { "fentry_prog", "fentry/fexit on a BPF program" },
	[FEAT_FENTRY_TRACING]	 = { "fentry_tracing", "fentry/fexit on a tracing program (tp_btf)" },
	[FEAT_FENTRY_KFUNC]	 = { "fentry_kfunc", "fentry on a kernel function" },
	[FEAT_KPROBE_PMU]	 = { "kprobe_pmu", "kprobe perf PMU" },
	[FEAT_KRETPROBE_PMU]	 = { "kretprobe_pmu", "kretprobe perf PMU" },
	[FEAT_KPROBE_TRACEFS]	 = { "kprobe_tracefs", "kretprobes via tracefs kprobe_events" },
	[FEAT_SYSCALL_DISPATCH]	 = { "syscall_dispatch", "a syscall dispatcher to wrap" },
	[FEAT_UPROBE]		 = { "uprobe", "uprobe perf PMU" },
	[FEAT_PERF_CYCLES]	 = { "perf_cycles", "hardware cycles counter" },
	[FEAT_PERF_INSTRUCTIONS] = { "perf_instructions", "hardware instructions counter" },
	[FEAT_PERF_CACHE_MISSES] = { "perf_cache_misses", "hardware cache-misses counter" },
	[FEAT_PERF_SW_CLOCK]	 = { "perf_sw_clock", "cpu-clock sampling of the kernel" },
	[FEAT_RINGBUF]		 = { "ringbuf", "BPF ring buffer" },
	[FEAT_JIT]		 = { "jit", "BPF JIT" },
	[FEAT_JIT_KALLSYMS]	 = { "jit_kallsyms", "JITed program symbols in kallsyms" },
	[FEAT_VMLINUX_BTF]	 = { "vmlinux_btf", "kernel BTF (vmlinux)" },
	[FEAT_LOCKDOWN]		 = { "lockdown", "kernel lockdown" },
	[FEAT_PERF_PARANOID]	 = { "perf_paranoid", "perf_event_paranoid allows kernel sampling" },
};

static const struct {
	const char *name;
	const char *command;
} method_info[METHOD_COUNT] = {
	[METHOD_STATS]	      = { "stats", "stats" },
	[METHOD_AB]	      = { "ab", "overhead" },
	[METHOD_SYSCALL_WRAP] = { "syscall_wrap", "syscall" },
	[METHOD_PROFILE]      = { "profile", "profile" },
	[METHOD_ANNOTATE]     = { "annotate", "annotate" },
};

const char *feature_name(enum feature_id id)
{
	return (unsigned)id < FEAT_COUNT ? feat_info[id].name : "unknown";
}

const char *feature_label(enum feature_id id)
{
	return (unsigned)id < FEAT_COUNT ? feat_info[id].label : "unknown";
}

const char *method_name(enum method_id id)
{
	return (unsigned)id < METHOD_COUNT ? method_info[id].name : "unknown";
}

const char *method_command(enum method_id id)
{
	return (unsigned)id < METHOD_COUNT ? method_info[id].command : "unknown";
}

const char *feature_errname(int err)
{
	const char *n;

	if (!err)
		return NULL;
	if (err == -524)	/* kernel-internal ENOTSUPP leaks out of bpf() */
		return "ENOTSUPP";
	n = strerrorname_np(-err);
	return n ? n : "EUNKNOWN";
}

/* Kernel-internal ENOTSUPP has no strerror text. */
static const char *errstr(int err)
{
	return err == -524 ? "Operation not supported (ENOTSUPP)" : strerror(-err);
}

static void set_result(struct feature_result *r, bool ok, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_result(struct feature_result *r, bool ok, int err, const char *fmt, ...)
{
	va_list ap;

	r->ok = ok;
	r->err = ok ? 0 : err;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* errno as a negative error, never 0 (libbpf and syscalls set it). */
static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

/* Read a small text file into buf (NUL-terminated, trailing newline cut). */
static int read_text(const char *path, char *buf, size_t len)
{
	int n = bc_read_str(path, buf, len);

	if (n < 0)
		return n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int kf_parse_int(const char *text, int *val)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*val = (int)v;
	return 0;
}

static int read_int(const char *path, int *val)
{
	char buf[32];
	int err;

	err = read_text(path, buf, sizeof(buf));
	if (err)
		return err;
	return kf_parse_int(buf, val);
}

char kf_kconfig_line(const char *line, const char *sym)
{
	size_t len = strlen(sym);
	const char *p = line;

	if (!strncmp(line, sym, len) && line[len] == '=')
		return line[len + 1];
	/* "# CONFIG_FOO is not set" */
	if (strncmp(p, "# ", 2))
		return 0;
	p += 2;
	if (strncmp(p, sym, len) || strncmp(p + len, " is not set", 11))
		return 0;
	return 'n';
}

/* 'y', 'm', 'n' (explicitly not set) or 0 when /proc/config.gz cannot tell. */
static char kconfig(const char *sym)
{
	char line[256];
	char res = 0;
	gzFile gz;

	gz = gzopen("/proc/config.gz", "rb");
	if (!gz)
		return 0;
	while (!res && gzgets(gz, line, sizeof(line)))
		res = kf_kconfig_line(line, sym);
	gzclose(gz);
	return res;
}

/* ---- run-time stats ---- */

static void probe_stats_fd(struct bc_ctx *ctx, struct feature_result *r)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0) {
		set_result(r, false, fd, "BPF_ENABLE_STATS refused: %s", errstr(fd));
		return;
	}
	close(fd);	/* stats revert when the last such fd closes */
	set_result(r, true, 0, "BPF_ENABLE_STATS(BPF_STATS_RUN_TIME) returned an fd");
}

static void probe_stats_sysctl(struct bc_ctx *ctx, struct feature_result *r)
{
	/* Opening for write proves we could flip it; we never write. */
	int fd = open("/proc/sys/kernel/bpf_stats_enabled", O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		int err = -errno;

		set_result(r, false, err, "/proc/sys/kernel/bpf_stats_enabled %s",
			   err == -ENOENT ? "absent (kernel older than 5.1?)" : errstr(err));
		return;
	}
	close(fd);
	set_result(r, true, 0, "kernel.bpf_stats_enabled is writable (value left as is)");
}

/* ---- BPF program trials: each opens its own skeleton ---- */

/* Open the probe object with only the named programs set to load. */
static struct probe_bpf *trial_open(const char *keep1, const char *keep2, int *err)
{
	struct bpf_program *p;
	struct probe_bpf *skel;

	skel = probe_bpf__open();
	if (!skel) {
		*err = neg_errno();
		return NULL;
	}
	bpf_object__for_each_program(p, skel->obj) {
		const char *n = bpf_program__name(p);

		bpf_program__set_autoload(p, !strcmp(n, keep1) || (keep2 && !strcmp(n, keep2)));
	}
	*err = 0;
	return skel;
}

/* Load and attach one program of the probe object, then detach. */
static void trial_attach(struct feature_result *r, const char *prog, const char *what)
{
	struct bpf_link *link = NULL;
	struct probe_bpf *skel;
	int err;

	skel = trial_open(prog, NULL, &err);
	if (!skel) {
		set_result(r, false, err, "cannot open probe object: %s", errstr(err));
		return;
	}
	err = probe_bpf__load(skel);
	if (err) {
		set_result(r, false, err, "%s load refused: %s", what, errstr(err));
		goto cleanup;
	}
	link = bpf_program__attach(bpf_object__find_program_by_name(skel->obj, prog));
	if (!link) {
		err = neg_errno();
		set_result(r, false, err, "%s attach refused: %s", what, errstr(err));
		goto cleanup;
	}
	set_result(r, true, 0, "%s loaded and attached", what);
cleanup:
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
}

static const char *trampoline_hint(int err)
{
	return err == -EPERM || err == -524 || err == -EOPNOTSUPP ? " (trampolines disabled?)" : "";
}

/* fentry+fexit need a BTF-carrying target: our own loaded program. */
static void probe_fentry_prog(struct bc_ctx *ctx, struct feature_result *r)
{
	struct probe_bpf *target = NULL, *tracer = NULL;
	struct bpf_link *l1 = NULL, *l2 = NULL;
	int err, tfd;

	target = trial_open("bc_probe_target", NULL, &err);
	if (!target) {
		set_result(r, false, err, "cannot open probe object: %s", errstr(err));
		return;
	}
	err = probe_bpf__load(target);
	if (err) {
		set_result(r, false, err, "target program load refused: %s", errstr(err));
		goto cleanup;
	}
	tfd = bpf_program__fd(target->progs.bc_probe_target);
	tracer = trial_open("bc_probe_fentry", "bc_probe_fexit", &err);
	if (!tracer) {
		set_result(r, false, err, "cannot open probe object: %s", errstr(err));
		goto cleanup;
	}
	err = bpf_program__set_attach_target(tracer->progs.bc_probe_fentry, tfd, "bc_probe_target");
	if (!err)
		err = bpf_program__set_attach_target(tracer->progs.bc_probe_fexit, tfd,
						     "bc_probe_target");
	if (!err)
		err = probe_bpf__load(tracer);
	if (err) {
		set_result(r, false, err, "fentry load refused: %s%s", errstr(err),
			   trampoline_hint(err));
		goto cleanup;
	}
	l1 = bpf_program__attach(tracer->progs.bc_probe_fentry);
	err = l1 ? 0 : neg_errno();
	if (!err) {
		l2 = bpf_program__attach(tracer->progs.bc_probe_fexit);
		err = l2 ? 0 : neg_errno();
	}
	if (err) {
		set_result(r, false, err, "fentry/fexit attach refused: %s%s", errstr(err),
			   trampoline_hint(err));
		goto cleanup;
	}
	set_result(r, true, 0, "fentry+fexit loaded and attached on a loaded BPF program");
cleanup:
	bpf_link__destroy(l2);
	bpf_link__destroy(l1);
	probe_bpf__destroy(tracer);
	probe_bpf__destroy(target);
}

/* fentry on one kernel function; 0 or the failing step's error. */
static int try_fentry_kfunc(const char *func, const char **step)
{
	struct bpf_link *link = NULL;
	struct probe_bpf *skel;
	int err;

	*step = "open";
	skel = trial_open("bc_probe_kfunc", NULL, &err);
	if (!skel)
		return err;
	*step = "load";
	err = bpf_program__set_attach_target(skel->progs.bc_probe_kfunc, 0, func);
	if (!err)
		err = probe_bpf__load(skel);
	if (!err) {
		*step = "attach";
		link = bpf_program__attach(skel->progs.bc_probe_kfunc);
		err = link ? 0 : neg_errno();
	}
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
	return err;
}

static void probe_fentry_kfunc(struct bc_ctx *ctx, struct feature_result *r)
{
	const char *step = "load", *func = kfunc_candidates[0];
	size_t i;
	int err = -ENOENT;

	for (i = 0; i < ARRAY_SIZE(kfunc_candidates); i++) {
		func = kfunc_candidates[i];
		err = try_fentry_kfunc(func, &step);
		if (!err) {
			set_result(r, true, 0, "fentry on %s loaded and attached", func);
			return;
		}
		/* Permission refusals do not depend on the function. */
		if (err == -EPERM)
			break;
	}
	set_result(r, false, err, "fentry on %s: %s refused: %s%s", func, step, errstr(err),
		   trampoline_hint(err));
}

static void probe_ringbuf(struct bc_ctx *ctx, struct feature_result *r)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "bc_probe_rb", 0, 0,
				(uint32_t)sysconf(_SC_PAGESIZE), NULL);

	if (fd < 0) {
		set_result(r, false, fd, "BPF_MAP_TYPE_RINGBUF create refused: %s", errstr(fd));
		return;
	}
	close(fd);
	set_result(r, true, 0, "BPF_MAP_TYPE_RINGBUF map created");
}

/* ---- JIT: sysctl, a real image, and its kallsyms entry ---- */

static bool kallsyms_has(const char *needle)
{
	char line[512];
	bool found = false;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* Load our trial program and read its info: 0 or the failing step's
 * error. *skel stays loaded (the symbol lives as long as the program) until
 * the caller destroys it, also after an error. */
static int jit_trial(struct probe_bpf **skel, struct bpf_prog_info *info)
{
	uint32_t len = sizeof(*info);
	int err;

	memset(info, 0, sizeof(*info));
	*skel = trial_open("bc_probe_target", NULL, &err);
	if (*skel)
		err = probe_bpf__load(*skel);
	if (!err)
		err = bpf_obj_get_info_by_fd(bpf_program__fd((*skel)->progs.bc_probe_target), info,
					     &len);
	return err;
}

static void probe_jit(struct bc_ctx *ctx, struct feature_result *r)
{
	struct probe_bpf *skel = NULL;
	struct bpf_prog_info info;
	int err, en;

	err = read_int("/proc/sys/net/core/bpf_jit_enable", &en);
	if (err) {
		set_result(r, false, err, "bpf_jit_enable unreadable: %s", errstr(err));
		return;
	}
	err = jit_trial(&skel, &info);
	if (err)
		set_result(r, false, err, "bpf_jit_enable=%d; trial program: %s", en, errstr(err));
	else
		set_result(r, en >= 1 && info.jited_prog_len > 0, -EOPNOTSUPP,
			   "bpf_jit_enable=%d, trial program JITed to %u bytes", en, info.jited_prog_len);
	probe_bpf__destroy(skel);
}

static void probe_jit_kallsyms(struct bc_ctx *ctx, struct feature_result *r)
{
	struct probe_bpf *skel = NULL;
	struct bpf_prog_info info;
	char sym[64];
	int err, kall;

	err = read_int("/proc/sys/net/core/bpf_jit_kallsyms", &kall);
	if (err) {
		set_result(r, false, err, "bpf_jit_kallsyms unreadable: %s", errstr(err));
		return;
	}
	err = jit_trial(&skel, &info);
	if (err) {
		set_result(r, false, err, "bpf_jit_kallsyms=%d; trial program: %s", kall, errstr(err));
		goto cleanup;
	}
	snprintf(sym, sizeof(sym), "bpf_prog_");
	prog_tag_hex(info.tag, sym + strlen(sym));
	if (kallsyms_has(sym))
		set_result(r, true, 0, "bpf_jit_kallsyms=%d, %s found in /proc/kallsyms", kall, sym);
	else
		set_result(r, false, kall == 1 ? -ENOENT : -EOPNOTSUPP,
			   "bpf_jit_kallsyms=%d, %s not in /proc/kallsyms", kall, sym);
cleanup:
	probe_bpf__destroy(skel);
}

/* ---- kprobes and uprobes ---- */

static int pmu_type(const char *pmu, int *type)
{
	char path[128];

	snprintf(path, sizeof(path), PMU_DIR "/%s/type", pmu);
	return read_int(path, type);
}

/* Bit that makes a kprobe/uprobe PMU event a return probe ("config:0"). */
static int pmu_retprobe_bit(const char *pmu)
{
	char path[128], buf[32];
	int bit;

	snprintf(path, sizeof(path), PMU_DIR "/%s/format/retprobe", pmu);
	if (read_text(path, buf, sizeof(buf)) || sscanf(buf, "config:%d", &bit) != 1)
		return 0;
	return bit;
}

static void no_kprobe_pmu(struct feature_result *r, int err)
{
	char k = kconfig("CONFIG_KPROBES");

	set_result(r, false, err, "no kprobe PMU in " PMU_DIR "%s",
		   k == 'n' ? " (CONFIG_KPROBES is not set)" : "");
}

static void probe_kprobe_pmu(struct feature_result *r, bool ret)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	const char *func = kfunc_candidates[0];
	int type, fd, err, cpu;

	err = pmu_type("kprobe", &type);
	if (err) {
		no_kprobe_pmu(r, err);
		return;
	}
	attr.type = type;
	attr.config = ret ? 1ULL << pmu_retprobe_bit("kprobe") : 0;
	attr.config1 = (uint64_t)(uintptr_t)func;	/* kprobe_func */
	cpu = cpus_first_online();
	fd = cpu < 0 ? cpu : bc_perf_event_open(&attr, -1, cpu);
	if (fd < 0) {
		set_result(r, false, fd, "perf_event_open of %s on %s refused: %s",
			   ret ? "kretprobe" : "kprobe", func, errstr(fd));
		return;
	}
	close(fd);
	set_result(r, true, 0, "perf %s on %s opened", ret ? "kretprobe" : "kprobe", func);
}

/* Create a kretprobe with maxactive (what the syscall wrapper would use)
 * and delete it again. */
static void probe_kprobe_tracefs(struct bc_ctx *ctx, struct feature_result *r)
{
	char dir[256], path[320], cmd[128];
	int err;

	err = kpe_find_tracefs(dir, sizeof(dir));
	if (err) {
		set_result(r, false, err, "tracefs not mounted (doctor does not mount it)");
		return;
	}
	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	if (access(path, F_OK)) {
		err = -errno;
		set_result(r, false, err, "%s", kconfig("CONFIG_KPROBES") == 'n' ?
			   "CONFIG_KPROBES off: no kprobe_events in tracefs" :
			   "no kprobe_events in tracefs");
		return;
	}
	snprintf(cmd, sizeof(cmd), "r16:bpfcost_doctor_%d %s\n", (int)getpid(), kfunc_candidates[0]);
	err = bc_write_str(path, cmd, O_APPEND);	/* never O_TRUNC: that drops every probe */
	if (err) {
		set_result(r, false, err, "%s refused '%.*s': %s", path, (int)strlen(cmd) - 1, cmd,
			   errstr(err));
		return;
	}
	snprintf(cmd, sizeof(cmd), "-:bpfcost_doctor_%d\n", (int)getpid());
	err = bc_write_str(path, cmd, O_APPEND);
	if (err) {
		set_result(r, false, err, "created a kretprobe but could not delete it: %s", errstr(err));
		return;
	}
	set_result(r, true, 0, "kretprobe (maxactive 16) on %s created and deleted in %s",
		   kfunc_candidates[0], path);
}

/* The uprobe trial target: a real function in our own binary. */
__attribute__((noinline, used)) void bc_uprobe_target(void);
__attribute__((noinline, used)) void bc_uprobe_target(void)
{
	__asm__ volatile("" ::: "memory");
}

static void probe_uprobe(struct bc_ctx *ctx, struct feature_result *r)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = "bc_uprobe_target");
	struct bpf_link *link = NULL;
	struct probe_bpf *skel = NULL;
	int type, err;

	err = pmu_type("uprobe", &type);
	if (err) {
		set_result(r, false, err, "no uprobe PMU in " PMU_DIR "%s",
			   kconfig("CONFIG_UPROBES") == 'n' ? " (CONFIG_UPROBES is not set)" : "");
		return;
	}
	skel = trial_open("bc_probe_uprobe", NULL, &err);
	if (skel)
		err = probe_bpf__load(skel);
	if (err) {
		set_result(r, false, err, "uprobe program load refused: %s", errstr(err));
		goto cleanup;
	}
	/* pid 0: only this process, so nobody else pays for the trial. */
	link = bpf_program__attach_uprobe_opts(skel->progs.bc_probe_uprobe, 0, "/proc/self/exe", 0, &uo);
	if (!link) {
		err = neg_errno();
		set_result(r, false, err, "uprobe on bc_uprobe_target in /proc/self/exe refused: %s",
			   errstr(err));
		goto cleanup;
	}
	bc_uprobe_target();
	if (!skel->bss->uprobe_hits) {
		set_result(r, false, -ENODATA, "uprobe attached but did not fire");
		goto cleanup;
	}
	set_result(r, true, 0, "uprobe on our own bc_uprobe_target attached and fired");
cleanup:
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
}

/* ---- perf events ---- */

static void probe_hw_counter(struct feature_result *r, uint64_t config, const char *what)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr), .type = PERF_TYPE_HARDWARE, .config = config,
	};
	uint64_t count = 0;
	int fd;

	fd = bc_perf_event_open(&attr, 0, -1);
	if (fd < 0) {
		if (fd == -ENOENT || fd == -EOPNOTSUPP || fd == -ENODEV)
			set_result(r, false, fd, "%s: not supported (no hardware PMU)", what);
		else if (fd == -EACCES || fd == -EPERM)
			set_result(r, false, fd, "%s: refused (%s; see perf_event_paranoid)", what,
				   errstr(fd));
		else
			set_result(r, false, fd, "%s: perf_event_open failed: %s", what, errstr(fd));
		return;
	}
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		count = 0;
	close(fd);
	set_result(r, true, 0, "%s counter opened (read %llu)", what, (unsigned long long)count);
}

static void probe_sw_clock(struct bc_ctx *ctx, struct feature_result *r)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr), .type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1000000, .sample_type = PERF_SAMPLE_IP, .disabled = 1,
	};
	int fd, cpu = cpus_first_online();	/* CPU 0 can be offline (arm64) */

	if (cpu < 0) {
		set_result(r, false, cpu, "cannot read the online CPUs: %s", errstr(cpu));
		return;
	}
	fd = bc_perf_event_open(&attr, -1, cpu);
	if (fd < 0) {
		set_result(r, false, fd, "cpu-clock sampling on cpu %d refused: %s", cpu, errstr(fd));
		return;
	}
	close(fd);
	set_result(r, true, 0, "cpu-clock sampling event on cpu %d (kernel included) opened", cpu);
}

/* ---- environment ---- */

static void probe_vmlinux_btf(struct bc_ctx *ctx, struct feature_result *r)
{
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf) {
		int err = neg_errno();

		set_result(r, false, err, "no kernel BTF: %s", errstr(err));
		return;
	}
	set_result(r, true, 0, "kernel BTF loaded (%u types)", btf__type_cnt(btf));
	btf__free(btf);
}

static void probe_lockdown(struct bc_ctx *ctx, struct feature_result *r)
{
	char buf[128], *open_b, *close_b;
	int err;

	err = read_text("/sys/kernel/security/lockdown", buf, sizeof(buf));
	if (err == -ENOENT) {
		set_result(r, true, 0, "no /sys/kernel/security/lockdown (securityfs not mounted "
			   "or no lockdown LSM); trials above show any effect");
		return;
	}
	if (err) {
		set_result(r, false, err, "/sys/kernel/security/lockdown unreadable: %s", errstr(err));
		return;
	}
	open_b = strchr(buf, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (!close_b) {
		set_result(r, false, -EINVAL, "unexpected lockdown state '%s'", buf);
		return;
	}
	*close_b = '\0';
	if (!strcmp(open_b + 1, "none"))
		set_result(r, true, 0, "lockdown: none");
	else
		set_result(r, false, -EPERM, "lockdown: %s (blocks kernel memory reads by BPF)",
			   open_b + 1);
}

static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

static void probe_perf_paranoid(struct bc_ctx *ctx, struct feature_result *r)
{
	bool priv = has_cap(CAP_SYS_ADMIN) || has_cap(CAP_PERFMON);
	int v, err;

	err = read_int("/proc/sys/kernel/perf_event_paranoid", &v);
	if (err) {
		set_result(r, false, err, "perf_event_paranoid unreadable: %s", errstr(err));
		return;
	}
	if (priv)
		set_result(r, true, 0, "perf_event_paranoid=%d; we are %s with CAP_PERFMON/CAP_SYS_ADMIN",
			   v, geteuid() ? "a user" : "root");
	else
		/* Unprivileged, CPU-wide kernel sampling needs <= 0. */
		set_result(r, v <= 0, -EACCES, "perf_event_paranoid=%d without CAP_PERFMON%s", v,
			   v <= 0 ? "" : ": kernel sampling refused");
}

/* ---- the table: one trial per feature, called by id ---- */

static void probe_raw_tp(struct bc_ctx *ctx, struct feature_result *r)
{
	trial_attach(r, "bc_probe_raw_tp", "raw_tp/sys_enter");
}

static void probe_tp_btf(struct bc_ctx *ctx, struct feature_result *r)
{
	trial_attach(r, "bc_probe_tp_btf", "tp_btf/sys_enter");
}

static void probe_kprobe(struct bc_ctx *ctx, struct feature_result *r)
{
	probe_kprobe_pmu(r, false);
}

static void probe_kretprobe(struct bc_ctx *ctx, struct feature_result *r)
{
	probe_kprobe_pmu(r, true);
}

static void probe_cycles(struct bc_ctx *ctx, struct feature_result *r)
{
	probe_hw_counter(r, PERF_COUNT_HW_CPU_CYCLES, "cycles");
}

static void probe_instructions(struct bc_ctx *ctx, struct feature_result *r)
{
	probe_hw_counter(r, PERF_COUNT_HW_INSTRUCTIONS, "instructions");
}

static void probe_cache_misses(struct bc_ctx *ctx, struct feature_result *r)
{
	probe_hw_counter(r, PERF_COUNT_HW_CACHE_MISSES, "cache-misses");
}

/* This layer's own trials. FEAT_PROG_ITER, FEAT_OWNER_ITER,
 * FEAT_SYSCALL_DISPATCH and FEAT_FENTRY_TRACING belong to the modules that
 * use them and are
 * registered by those. */
static const struct feature_probe own_probes[FEAT_COUNT] = {
	[FEAT_STATS_FD] = { probe_stats_fd, "BPF_ENABLE_STATS, the fd closed at once" },
	[FEAT_STATS_SYSCTL] = { probe_stats_sysctl,
				"open kernel.bpf_stats_enabled for writing, value untouched" },
	[FEAT_RAW_TP] = { probe_raw_tp, "load and attach a raw_tp/sys_enter program" },
	[FEAT_TP_BTF] = { probe_tp_btf, "load and attach a tp_btf/sys_enter program" },
	[FEAT_FENTRY_PROG] = { probe_fentry_prog, "load a program, attach fentry+fexit to it" },
	[FEAT_FENTRY_KFUNC] = { probe_fentry_kfunc, "load and attach fentry on a kernel function" },
	[FEAT_KPROBE_PMU] = { probe_kprobe, "perf_event_open of a kprobe on a kernel function" },
	[FEAT_KRETPROBE_PMU] = { probe_kretprobe,
				 "perf_event_open of a kretprobe on a kernel function" },
	[FEAT_KPROBE_TRACEFS] = { probe_kprobe_tracefs,
				  "create and delete a kretprobe in tracefs kprobe_events" },
	[FEAT_UPROBE] = { probe_uprobe, "load and attach a uprobe on bpfcost itself" },
	[FEAT_PERF_CYCLES] = { probe_cycles, "perf_event_open of a cycles counter" },
	[FEAT_PERF_INSTRUCTIONS] = { probe_instructions,
				     "perf_event_open of an instructions counter" },
	[FEAT_PERF_CACHE_MISSES] = { probe_cache_misses,
				     "perf_event_open of a cache-misses counter" },
	[FEAT_PERF_SW_CLOCK] = { probe_sw_clock, "perf_event_open of cpu-clock sampling" },
	[FEAT_RINGBUF] = { probe_ringbuf, "create a ring buffer map" },
	[FEAT_JIT] = { probe_jit, "read net.core.bpf_jit_enable, load a program, check its image" },
	[FEAT_JIT_KALLSYMS] = { probe_jit_kallsyms,
				"read net.core.bpf_jit_kallsyms, load a program, look up its symbol" },
	[FEAT_VMLINUX_BTF] = { probe_vmlinux_btf, "load the kernel's BTF" },
	[FEAT_LOCKDOWN] = { probe_lockdown, "read /sys/kernel/security/lockdown" },
	[FEAT_PERF_PARANOID] = { probe_perf_paranoid,
				 "read kernel.perf_event_paranoid and our capabilities" },
};

/* Registered by the modules that own them (bc_feature_provide). */
static const struct feature_probe *provided[FEAT_COUNT];

int bc_feature_provide(enum feature_id id, const struct feature_probe *p)
{
	if ((unsigned)id >= FEAT_COUNT)
		return -EINVAL;
	provided[id] = p;
	return 0;
}

static const struct feature_probe *probe_of(enum feature_id id)
{
	if (provided[id])
		return provided[id];
	return own_probes[id].fn ? &own_probes[id] : NULL;
}

static void say_probing(const struct bc_ctx *ctx, enum feature_id id)
{
	const struct feature_probe *p = probe_of(id);

	if (ctx->verbose)
		fprintf(stderr, "bpfcost: probing: %s (%s)\n", feature_name(id),
			p ? p->trial : "no trial registered");
}

static struct features *ctx_features(struct bc_ctx *ctx)
{
	if (!ctx->features)
		ctx->features = calloc(1, sizeof(*ctx->features));
	return ctx->features;
}

void features_free(struct features *f)
{
	free(f);
}

const struct feature_result *bc_feature(struct bc_ctx *ctx, enum feature_id id)
{
	const struct feature_probe *p;
	struct feature_result *r;
	libbpf_print_fn_t old = NULL;
	struct features *f;

	if ((unsigned)id >= FEAT_COUNT || !(f = ctx_features(ctx)))
		return NULL;
	r = &f->r[id];
	if (f->probed[id])
		return r;
	if (f->probing[id]) {
		/* A trial that needs itself, through others: a bug, said as such. */
		set_result(r, false, -ELOOP, "internal error: the trial depends on itself");
		return r;
	}
	p = probe_of(id);
	say_probing(ctx, id);
	f->probing[id] = true;
	/* Trials fail on purpose: keep their verifier logs quiet unless -v. */
	if (!ctx->verbose)
		old = libbpf_set_print(NULL);
	if (p)
		p->fn(ctx, r);
	else
		set_result(r, false, -ENOSYS, "no trial registered for it in this build");
	if (!ctx->verbose)
		libbpf_set_print(old);
	f->probing[id] = false;
	f->probed[id] = true;
	return r;
}

bool bc_feature_ok(struct bc_ctx *ctx, enum feature_id id)
{
	const struct feature_result *r = bc_feature(ctx, id);

	return r && r->ok;
}

const struct features *bc_features(struct bc_ctx *ctx)
{
	int i;

	if (!ctx_features(ctx))
		return NULL;
	for (i = 0; i < FEAT_COUNT; i++)
		bc_feature(ctx, i);
	ctx->features->complete = true;
	return ctx->features;
}

const struct feature_result *bc_feature_known(const struct bc_ctx *ctx, enum feature_id id)
{
	if ((unsigned)id >= FEAT_COUNT || !ctx->features || !ctx->features->probed[id])
		return NULL;
	return &ctx->features->r[id];
}

int bc_feature_record(struct bc_ctx *ctx, enum feature_id id, bool ok, int err,
		      const char *detail)
{
	if ((unsigned)id >= FEAT_COUNT)
		return -EINVAL;
	if (!ctx_features(ctx))
		return -ENOMEM;
	say_probing(ctx, id);
	set_result(&ctx->features->r[id], ok, err, "%s", detail);
	ctx->features->probed[id] = true;
	return 0;
}

/* ---- methods ---- */

/* A method needs every clause; a clause is met by any one of its features. */
#define MAX_CLAUSES 2
#define MAX_ALTS 3
struct clause {
	int n;
	enum feature_id any[MAX_ALTS];
};

static const struct clause method_needs[METHOD_COUNT][MAX_CLAUSES] = {
	[METHOD_STATS]	      = { { 2, { FEAT_STATS_FD, FEAT_STATS_SYSCTL } } },
	/* The A/B reference tracer is a raw_tp program. */
	[METHOD_AB]	      = { { 1, { FEAT_RAW_TP } } },
	[METHOD_SYSCALL_WRAP] = { { 3, { FEAT_FENTRY_KFUNC, FEAT_KRETPROBE_PMU, FEAT_KPROBE_TRACEFS } },
				  { 1, { FEAT_SYSCALL_DISPATCH } } },
	[METHOD_PROFILE]      = { { 1, { FEAT_FENTRY_PROG } }, { 1, { FEAT_VMLINUX_BTF } } },
	[METHOD_ANNOTATE]     = { { 2, { FEAT_PERF_SW_CLOCK, FEAT_PERF_CYCLES } },
				  { 1, { FEAT_JIT_KALLSYMS } } },
};

/* Probes the alternatives in order until one works. */
static bool clause_met(struct bc_ctx *ctx, const struct clause *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (bc_feature_ok(ctx, c->any[i]))
			return true;
	return false;
}

/* every: go on past an unmet clause, so a refusal can name all it lacks. */
static bool method_ok(struct bc_ctx *ctx, enum method_id m, bool every)
{
	bool ok = true;
	int i;

	for (i = 0; i < MAX_CLAUSES && (ok || every); i++)
		if (method_needs[m][i].n && !clause_met(ctx, &method_needs[m][i]))
			ok = false;
	return ok;
}

/* Append with truncation; buf stays NUL-terminated. */
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = *pos + (size_t)n < len ? *pos + (size_t)n : len;
}

static void why_missing(struct bc_ctx *ctx, enum method_id m, char *why, size_t len)
{
	size_t pos = 0, nworks = 0;
	int i, j, k, nmiss = 0;

	append(why, len, &pos, "needs ");
	for (i = 0; i < MAX_CLAUSES; i++) {
		const struct clause *c = &method_needs[m][i];

		if (!c->n || clause_met(ctx, c))
			continue;
		append(why, len, &pos, "%s", nmiss++ ? " and " : "");
		for (j = 0; j < c->n; j++) {
			const struct feature_result *r = bc_feature(ctx, c->any[j]);

			append(why, len, &pos, "%s%s (%s)", j ? " or " : "", feature_label(c->any[j]),
			       r && r->err ? feature_errname(r->err) : "off");
		}
	}
	append(why, len, &pos, "; works here: ");
	for (k = 0; k < METHOD_COUNT; k++) {
		bool dup = false;

		if (k == (int)m || !method_ok(ctx, k, false))
			continue;
		/* Two methods may share a command: name it once. */
		for (j = 0; j < k; j++)
			dup |= j != (int)m && method_ok(ctx, j, false) &&
			       !strcmp(method_command(j), method_command(k));
		if (!dup)
			append(why, len, &pos, "%s%s", nworks++ ? ", " : "", method_command(k));
	}
	if (!nworks)
		append(why, len, &pos, "nothing");
}

bool method_available(struct bc_ctx *ctx, enum method_id m, char *why, size_t len)
{
	bool ok;

	if (why && len)
		why[0] = '\0';
	if (!ctx || (unsigned)m >= METHOD_COUNT)
		return false;
	ok = method_ok(ctx, m, why && len);
	if (!ok && why && len)
		why_missing(ctx, m, why, len);
	return ok;
}
