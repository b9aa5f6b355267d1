// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test helper: load a BPF object, attach every program in it (or, with
 * --no-attach, only load them so they never run), print
 * "ready <prog id>..." on stdout and hold everything until SIGTERM or
 * SIGINT, then detach and unload. Lets e2e tests run real programs
 * without depending on any bpfcost command.
 * --tail MAP:SLOT:PROG puts program PROG into slot SLOT of the PROG_ARRAY
 * MAP after loading, as an agent fills its tail-call table; PROG is then
 * reached by tail calls only and is not attached itself.
 *
 * How it holds them, for the owners tests:
 *   --links-only     attach, then close the program fds: only link fds left
 *   --pin-links DIR  also pin each link as DIR/<program name>, and leave
 *                    the pins at exit (the test removes them)
 *   --exit           exit once ready, like a loader that pins its links
 *                    (with --pin-links) and leaves
 *   --uprobe-ioctl   attach each (uprobe) program to a function of this
 *                    process through a uprobe perf event and
 *                    PERF_EVENT_IOC_SET_BPF, then close the program fds:
 *                    only perf event fds left
 *   --hold-pinned    the argument is a pinned program: open it and hold its
 *                    fd (several runners can share one program) */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_LINKS 64
#define MAX_TAILS 16

struct tail_slot {
	char map[64], prog[64];
	unsigned slot;
};

static struct tail_slot tails[MAX_TAILS];
static int ntails;

/* MAP:SLOT:PROG, the slot a decimal number. */
static int parse_tail(const char *arg)
{
	const char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	struct tail_slot *t = &tails[ntails];
	unsigned long slot;
	char *end;

	if (ntails == MAX_TAILS || !c2 || c1 == arg || !c2[1] || c1[1] < '0' || c1[1] > '9')
		return -EINVAL;
	slot = strtoul(c1 + 1, &end, 10);
	if (end != c2 || slot > 0xffffffffUL || (size_t)(c1 - arg) >= sizeof(t->map) ||
	    strlen(c2 + 1) >= sizeof(t->prog))
		return -EINVAL;
	snprintf(t->map, sizeof(t->map), "%.*s", (int)(c1 - arg), arg);
	snprintf(t->prog, sizeof(t->prog), "%s", c2 + 1);
	t->slot = (unsigned)slot;
	ntails++;
	return 0;
}

static int is_tail_target(const struct bpf_program *prog)
{
	int i;

	for (i = 0; i < ntails; i++)
		if (!strcmp(tails[i].prog, bpf_program__name(prog)))
			return 1;
	return 0;
}

static int fill_tails(struct bpf_object *obj)
{
	int i;

	for (i = 0; i < ntails; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, tails[i].map);
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, tails[i].prog);
		__u32 key = tails[i].slot;
		int fd;

		if (!map || !prog) {
			fprintf(stderr, "attach_runner: --tail %s:%u:%s: no such %s\n", tails[i].map,
				tails[i].slot, tails[i].prog, map ? "program" : "map");
			return -ENOENT;
		}
		fd = bpf_program__fd(prog);
		if (bpf_map_update_elem(bpf_map__fd(map), &key, &fd, BPF_ANY)) {
			fprintf(stderr, "attach_runner: fill %s[%u]: %s\n", tails[i].map, key,
				strerror(errno));
			return -errno;
		}
	}
	return 0;
}

struct opts {
	int attach, links_only, uprobe_ioctl, hold_pinned, exit_ready;
	const char *pin_dir;
};

static int attach_all(struct bpf_object *obj, const struct opts *o, struct bpf_link **links,
		      int *nlinks)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *l;

		if (is_tail_target(prog))
			continue;
		if (*nlinks == MAX_LINKS)
			return -E2BIG;
		l = bpf_program__attach(prog);
		if (!l) {
			fprintf(stderr, "attach_runner: attach %s: %s\n",
				bpf_program__name(prog), strerror(errno));
			return -errno;
		}
		links[(*nlinks)++] = l;
		if (o->pin_dir) {
			char path[512];

			snprintf(path, sizeof(path), "%s/%s", o->pin_dir, bpf_program__name(prog));
			if (bpf_link__pin(l, path)) {
				fprintf(stderr, "attach_runner: pin %s: %s\n", path, strerror(errno));
				return -errno;
			}
		}
	}
	return 0;
}

/* The uprobes' target: never called, only probed. */
__attribute__((noinline, used)) void attach_runner_probe_target(void)
{
	__asm__ volatile("");
}

/* File offset of our own function fn, from the mapping that holds it. */
static long self_offset(void *fn)
{
	unsigned long start, end, off, addr = (unsigned long)fn;
	char line[512], perms[8];
	FILE *f = fopen("/proc/self/maps", "r");
	long ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s %lx", &start, &end, perms, &off) == 4 &&
		    addr >= start && addr < end) {
			ret = (long)(addr - start + off);
			break;
		}
	fclose(f);
	return ret;
}

/* A uprobe perf event on our own target with prog attached by the ioctl
 * (the path before BPF links): its fd is the only hold. */
static int uprobe_ioctl(int prog_fd)
{
	struct perf_event_attr attr = { .size = sizeof(attr), .sample_period = 1,
					.wakeup_events = 1 };
	char exe[512];
	long off = self_offset((void *)attach_runner_probe_target);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *t = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	int type = -1, fd;

	if (t) {
		if (fscanf(t, "%d", &type) != 1)
			type = -1;
		fclose(t);
	}
	if (type < 0 || n <= 0 || off < 0)
		return -ENOENT;
	exe[n] = '\0';
	attr.type = (__u32)type;
	attr.config1 = (__u64)(uintptr_t)exe;	/* uprobe_path */
	attr.config2 = (__u64)off;		/* probe_offset */
	fd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int attach_uprobes(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		int fd = uprobe_ioctl(bpf_program__fd(prog));

		if (fd < 0) {
			fprintf(stderr, "attach_runner: uprobe %s: %s\n", bpf_program__name(prog),
				strerror(-fd));
			return fd;
		}
	}
	return 0;
}

static void print_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		printf(" %u", info.id);
}

static void print_ready(struct bpf_object *obj)
{
	struct bpf_program *prog;

	printf("ready");
	bpf_object__for_each_program(prog, obj)
		print_id(bpf_program__fd(prog));
	printf("\n");
	fflush(stdout);
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "no-attach", no_argument, NULL, 'n' },
		{ "links-only", no_argument, NULL, 'l' },
		{ "pin-links", required_argument, NULL, 'P' },
		{ "uprobe-ioctl", no_argument, NULL, 'u' },
		{ "hold-pinned", no_argument, NULL, 'H' },
		{ "exit", no_argument, NULL, 'x' },
		{ "tail", required_argument, NULL, 't' },
		{ 0 },
	};
	int c;

	*o = (struct opts){ .attach = 1 };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->attach = 0; break;
		case 'l': o->links_only = 1; break;
		case 'P': o->pin_dir = optarg; break;
		case 'u': o->uprobe_ioctl = 1; break;
		case 'H': o->hold_pinned = 1; break;
		case 'x': o->exit_ready = 1; break;
		case 't': if (parse_tail(optarg)) return -1; break;
		default: return -1;
		}
	}
	return optind == argc - 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_LINKS];
	struct bpf_object *obj = NULL;
	int nlinks = 0, err = 0, sig, i, pinned_fd = -1;
	struct opts o;
	sigset_t set;

	if (parse(argc, argv, &o)) {
		fprintf(stderr, "usage: attach_runner [--no-attach | --links-only | --pin-links DIR |"
			" --uprobe-ioctl | --hold-pinned | --exit] [--tail MAP:SLOT:PROG]... OBJ.bpf.o|PIN\n");
		return 2;
	}
	/* Block the stop signals first: sigwait below takes them in order. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (o.hold_pinned) {
		pinned_fd = bpf_obj_get(argv[optind]);
		if (pinned_fd < 0) {
			fprintf(stderr, "attach_runner: open %s: %s\n", argv[optind], strerror(errno));
			return 1;
		}
		printf("ready");
		print_id(pinned_fd);
		printf("\n");
		fflush(stdout);
		sigwait(&set, &sig);
		close(pinned_fd);
		return 0;
	}
	obj = bpf_object__open_file(argv[optind], NULL);
	if (!obj) {
		fprintf(stderr, "attach_runner: open %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "attach_runner: load %s: %s\n", argv[optind], strerror(-err));
		goto cleanup;
	}
	if ((err = fill_tails(obj)))
		goto cleanup;
	if (o.uprobe_ioctl)
		err = attach_uprobes(obj);
	else if (o.attach)
		err = attach_all(obj, &o, links, &nlinks);
	if (err)
		goto cleanup;
	print_ready(obj);
	if (o.links_only || o.uprobe_ioctl) {
		/* The links (and perf event fds) are not the object's: they stay. */
		bpf_object__close(obj);
		obj = NULL;
	}
	if (!o.exit_ready)
		sigwait(&set, &sig);
cleanup:
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
