/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The ledger: one record of everything bpfcost changes in the kernel or the
 * system that would outlive the process, so that every exit path undoes it
 * and the next start undoes what a crashed or SIGKILLed run left.
 *
 * What outlives us, and so is recorded here (one entry each):
 *   kprobe event  a line we added to tracefs kprobe_events (bpfcost_<pid>_*)
 *   mount         a tracefs we mounted
 *   sysctl        a sysctl we set (kernel.bpf_stats_enabled), with the value
 *                 to restore
 *   child         a process we started (the tracer command), leader of its
 *                 own process group
 * What does not: links, perf events, program and map fds and the
 * BPF_ENABLE_STATS fd are freed by the kernel when our fds close, which
 * happens on every exit, SIGKILL included. They are all close-on-exec, so no
 * child keeps one (tracer.c also marks every fd close-on-exec in the child).
 *
 * Where: one text file per run, /run/bpfcost/<pid>.run (mode 0600 in a 0700
 * directory; BPFCOST_LEDGER_DIR names another directory, for tests). It is
 * rewritten (write, then rename) before each change is made and removed when
 * the run's last entry is released. It names the run by pid, start time
 * (clock ticks since boot, /proc/PID/stat field 22) and boot id, so a reused
 * pid or a reboot is never mistaken for the run; a child entry carries the
 * child's own start time for the same reason.
 *
 * Release: ledger_undo() undoes an entry and forgets it; ledger_forget()
 * only forgets it (the creation failed, or the creator undid it itself, as
 * the tracer does with its gentler SIGTERM first). An atexit handler undoes
 * whatever is still recorded when the process exits, saying so on stderr.
 *
 * A sysctl is shared between concurrent runs: each holder records the value
 * found before the first of them (taken over from a live holder's record),
 * and only the last one out restores it, and only if it still holds the
 * value we set. A file lock on <dir>/lock orders these steps and the sweep.
 *
 * Sweep (ledger_sweep, once at start, before anything is created): reads
 * that directory only. For each record whose run is gone it kills the
 * child's process group (unless the pid now belongs to another process),
 * removes the kprobe events, restores the sysctl (unless a live run holds
 * it) and unmounts the tracefs (if in our mount namespace), one stderr line
 * for each thing undone; a record from an earlier boot is only removed. It then removes bpfcost_<pid>_* kprobe events
 * without a record (older versions) whose pid is not a live bpfcost, when
 * tracefs is mounted at /sys/kernel/tracing. Never mounts, never probes.
 *
 * Errors: functions return 0, an entry id (> 0) or a negative errno. Not
 * being able to write the record (not root, read-only /run) is reported once
 * on stderr and does not stop the change: the in-memory entry is still
 * undone at exit, only a crash would leave it. Failed undos keep their entry
 * (and record) so that exit or the next start tries again. Safe to call from
 * any thread. */
#ifndef BPFCOST_LEDGER_H
#define BPFCOST_LEDGER_H

#include <sys/types.h>

#define LEDGER_DEFAULT_DIR "/run/bpfcost"

/* Undo what gone runs left (see above). Returns how many things were
 * undone, or a negative errno when the directory cannot be read for a
 * reason other than not existing. */
int ledger_sweep(void);

/* Record, before creating it, a kprobe event named event in the tracefs
 * mounted at dir. Undo removes it (retrying while a perf event on it is
 * still being released). */
int ledger_add_kprobe_event(const char *dir, const char *event);
/* Record, before mounting it, a tracefs at dir. Undo unmounts it (lazily). */
int ledger_add_mount(const char *dir);
/* Record a child just forked that leads its own process group; what names
 * it for messages (the command). Undo SIGKILLs the group. */
int ledger_add_child(pid_t pid, const char *what);
/* Set the integer sysctl at path (/proc/sys/...) to val, recording first
 * the value to restore. Returns the entry id; undo restores it when no other
 * live run holds it and it still reads val. */
int ledger_sysctl_set(const char *path, int val);

/* Undo entry id and forget it; on failure (said on stderr) it is kept.
 * An id <= 0 (none: a zeroed struct, or a failed add) is ignored. */
int ledger_undo(int id);
/* Forget entry id without undoing it. An id <= 0 is ignored. */
void ledger_forget(int id);

#endif
