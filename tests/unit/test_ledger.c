// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the ledger (src/ledger.c) in a private directory
 * (BPFCOST_LEDGER_DIR), with a plain file standing in for the sysctl so no
 * root and no kernel state are needed: records written before a change and
 * removed after, the last holder of a shared sysctl restoring it, exit()
 * undoing what was left, and the sweep of gone runs (sysctl restored, a
 * child's process group killed, a reused pid spared, malformed and
 * earlier-boot records dropped, an undo that fails kept for the next start). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common.h"
#include "ledger.h"

static char dir[64], sysctl[128];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int sysctl_value(void)
{
	int v = -1;

	assert_int_equal(bc_read_int(sysctl, &v), 0);
	return v;
}

static void our_record(char *buf, size_t len, bool *exists)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%d.run", dir, (int)getpid());
	*exists = read_file(path, buf, len) != NULL;
}

static void boot_id(char *buf, size_t len)
{
	assert_non_null(read_file("/proc/sys/kernel/random/boot_id", buf, len));
	buf[strcspn(buf, "\n")] = '\0';
}

/* A run file for pid with start time start, holding the entry lines. */
static void fake_run(int pid, unsigned long long start, const char *boot, const char *entries)
{
	char path[160], text[1024];

	snprintf(path, sizeof(path), "%s/%d.run", dir, pid);
	snprintf(text, sizeof(text), "bpfcost-ledger 1\nrun %d %llu %s 1\n%s", pid, start, boot,
		 entries);
	write_file(path, text);
}

static bool run_file_exists(int pid)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%d.run", dir, pid);
	return access(path, F_OK) == 0;
}

/* A pid that is certainly gone: a child that exited and was reaped. */
static int gone_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	assert_true(pid > 0);
	waitpid(pid, NULL, 0);
	return (int)pid;
}

static void test_sysctl_recorded_before_and_restored(void **state)
{
	char rec[512], line[256];
	bool exists;
	int id;

	write_file(sysctl, "0\n");
	id = ledger_sysctl_set(sysctl, 1);
	assert_true(id > 0);
	assert_int_equal(sysctl_value(), 1);
	our_record(rec, sizeof(rec), &exists);
	assert_true(exists);
	snprintf(line, sizeof(line), "sysctl %s 0 1\n", sysctl);
	assert_non_null(strstr(rec, line));
	assert_int_equal(ledger_undo(id), 0);
	assert_int_equal(sysctl_value(), 0);
	our_record(rec, sizeof(rec), &exists);
	assert_false(exists);	/* nothing left to record */
	assert_int_equal(ledger_undo(id), 0);	/* twice is harmless */
	assert_int_equal(sysctl_value(), 0);
}

static void test_sysctl_changed_by_someone_else_is_left(void **state)
{
	int id;

	write_file(sysctl, "0\n");
	id = ledger_sysctl_set(sysctl, 1);
	write_file(sysctl, "7\n");	/* not our value any more: not ours to reset */
	assert_int_equal(ledger_undo(id), 0);
	assert_int_equal(sysctl_value(), 7);
}

static void test_last_holder_restores(void **state)
{
	unsigned long long start;
	char boot[64], line[256], path[160];
	int ppid = (int)getppid(), id;

	/* Our parent (alive) holds it already, having found 0. */
	boot_id(boot, sizeof(boot));
	assert_int_equal(bc_proc_stat(ppid, NULL, &start), 0);
	snprintf(line, sizeof(line), "sysctl %s 0 1\n", sysctl);
	fake_run(ppid, start, boot, line);
	write_file(sysctl, "1\n");
	id = ledger_sysctl_set(sysctl, 1);
	assert_true(id > 0);
	/* We leave first: the other holder still needs it. */
	assert_int_equal(ledger_undo(id), 0);
	assert_int_equal(sysctl_value(), 1);
	/* Again while it holds it: the value to restore is the 0 it found,
	 * taken over, not the 1 we find. Then it leaves, and we are last. */
	id = ledger_sysctl_set(sysctl, 1);
	snprintf(path, sizeof(path), "%s/%d.run", dir, ppid);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(ledger_undo(id), 0);
	assert_int_equal(sysctl_value(), 0);
}

static void test_exit_undoes_what_is_left(void **state)
{
	int status;
	pid_t pid;

	write_file(sysctl, "0\n");
	pid = fork();
	if (pid == 0) {
		ledger_sysctl_set(sysctl, 1);
		exit(0);	/* no undo: the atexit handler must do it */
	}
	assert_true(pid > 0);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(sysctl_value(), 0);
	assert_false(run_file_exists((int)pid));
}

static void test_sweep_restores_a_gone_runs_sysctl(void **state)
{
	char boot[64], line[256];
	int pid = gone_pid();

	boot_id(boot, sizeof(boot));
	write_file(sysctl, "1\n");
	snprintf(line, sizeof(line), "sysctl %s 0 1\n", sysctl);
	fake_run(pid, 12345, boot, line);
	assert_int_equal(ledger_sweep(), 1);
	assert_int_equal(sysctl_value(), 0);
	assert_false(run_file_exists(pid));
	assert_int_equal(ledger_sweep(), 0);	/* once */
}

static void test_sweep_drops_a_record_of_another_boot(void **state)
{
	unsigned long long start;
	char line[256];
	int ppid = (int)getppid();

	/* A live pid and its real start time, but written before a reboot:
	 * what it set is gone, and the 1 now is someone else's. */
	assert_int_equal(bc_proc_stat(ppid, NULL, &start), 0);
	write_file(sysctl, "1\n");
	snprintf(line, sizeof(line), "sysctl %s 0 1\n", sysctl);
	fake_run(ppid, start, "another-boot", line);
	assert_int_equal(ledger_sweep(), 0);
	assert_int_equal(sysctl_value(), 1);
	assert_false(run_file_exists(ppid));
}

static bool gone_or_zombie(int pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!read_file(path, buf, sizeof(buf)))
		return true;
	p = strrchr(buf, ')');
	return p && p[2] == 'Z';
}

/* A child leading its own group, with a grandchild in it: returns the
 * child's pid and the grandchild's through *grand. */
static pid_t start_group(int *grand)
{
	int pfd[2];
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		pid_t g;

		setpgid(0, 0);
		g = fork();
		if (g == 0) {
			for (;;)
				pause();
		}
		if (write(pfd[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		for (;;)
			pause();
	}
	assert_true(pid > 0);
	close(pfd[1]);
	assert_int_equal(read(pfd[0], grand, sizeof(*grand)), sizeof(*grand));
	close(pfd[0]);
	return pid;
}

static void test_sweep_kills_a_gone_runs_child_group(void **state)
{
	unsigned long long start;
	char boot[64], line[128];
	int grand, status, i;
	pid_t child = start_group(&grand);

	boot_id(boot, sizeof(boot));
	assert_int_equal(bc_proc_stat((int)child, NULL, &start), 0);
	snprintf(line, sizeof(line), "child %d %llu the tracer\n", (int)child, start);
	fake_run(gone_pid(), 1, boot, line);
	assert_int_equal(ledger_sweep(), 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (i = 0; i < 100 && !gone_or_zombie(grand); i++)
		usleep(10000);
	assert_true(gone_or_zombie(grand));
}

static void test_sweep_spares_a_reused_pid(void **state)
{
	unsigned long long start;
	char boot[64], line[128];
	int grand, gone = gone_pid();
	pid_t child = start_group(&grand);

	/* The record names this pid with another start time: the run's child
	 * is gone and the pid was given to someone else since. */
	boot_id(boot, sizeof(boot));
	assert_int_equal(bc_proc_stat((int)child, NULL, &start), 0);
	snprintf(line, sizeof(line), "child %d %llu the tracer\n", (int)child, start - 1);
	fake_run(gone, 1, boot, line);
	assert_int_equal(ledger_sweep(), 0);
	assert_false(run_file_exists(gone));
	assert_int_equal(kill(child, 0), 0);
	kill(-child, SIGKILL);
	waitpid(child, NULL, 0);
}

static void test_sweep_keeps_what_it_cannot_undo(void **state)
{
	char boot[64], line[256], path[160], rec[512];
	int pid = gone_pid();

	/* A kprobe event in a "tracefs" that is a plain directory here. */
	boot_id(boot, sizeof(boot));
	snprintf(line, sizeof(line), "kprobe %s bpfcost_%d_enter\n", dir, pid);
	fake_run(pid, 1, boot, line);
	assert_int_equal(ledger_sweep(), 0);
	snprintf(path, sizeof(path), "%s/%d.run", dir, pid);
	assert_non_null(read_file(path, rec, sizeof(rec)));
	assert_non_null(strstr(rec, line));
	unlink(path);
}

static void test_sweep_removes_malformed_and_leaves_live_runs(void **state)
{
	char path[160], rec[512];
	bool exists;
	int id;

	snprintf(path, sizeof(path), "%s/42.run", dir);
	write_file(path, "bpfcost-ledger 1\nrun 42 1 x 1\nkprobe only-one-field\n");
	write_file(sysctl, "0\n");
	id = ledger_sysctl_set(sysctl, 1);	/* our own, live record */
	assert_int_equal(ledger_sweep(), 0);
	assert_int_equal(access(path, F_OK), -1);
	our_record(rec, sizeof(rec), &exists);
	assert_true(exists);
	assert_int_equal(sysctl_value(), 1);
	ledger_undo(id);
}

static void test_entries_with_blanks_are_refused(void **state)
{
	assert_int_equal(ledger_add_mount("/a dir"), -EINVAL);
	assert_int_equal(ledger_add_kprobe_event("/sys/kernel/tracing", "a\nb"), -EINVAL);
	assert_int_equal(ledger_sysctl_set("", 1), -EINVAL);
	ledger_undo(0);		/* "none": ignored */
	ledger_forget(-5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysctl_recorded_before_and_restored),
		cmocka_unit_test(test_sysctl_changed_by_someone_else_is_left),
		cmocka_unit_test(test_last_holder_restores),
		cmocka_unit_test(test_exit_undoes_what_is_left),
		cmocka_unit_test(test_sweep_restores_a_gone_runs_sysctl),
		cmocka_unit_test(test_sweep_drops_a_record_of_another_boot),
		cmocka_unit_test(test_sweep_kills_a_gone_runs_child_group),
		cmocka_unit_test(test_sweep_spares_a_reused_pid),
		cmocka_unit_test(test_sweep_keeps_what_it_cannot_undo),
		cmocka_unit_test(test_sweep_removes_malformed_and_leaves_live_runs),
		cmocka_unit_test(test_entries_with_blanks_are_refused),
	};
	int ret;

	snprintf(dir, sizeof(dir), "/tmp/bc-ledger-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(sysctl, sizeof(sysctl), "%s/fake_sysctl", dir);
	setenv("BPFCOST_LEDGER_DIR", dir, 1);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			ret = ret ? ret : 1;
	}
	return ret;
}
