// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test helper: load a BPF object, attach every program in it (or, with
 * --no-attach, only load them so they never run), print
 * "ready <prog id>..." on stdout and hold everything until SIGTERM or
 * SIGINT, then detach and unload. Lets e2e tests run real programs
 * without depending on any bpfcost command.
 * --tail MAP:SLOT:PROG puts program PROG into slot SLOT of the PROG_ARRAY
 * MAP after loading, as an agent fills its tail-call table; PROG is then
 * reached by tail calls only and is not attached itself. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int attach_all(struct bpf_object *obj, struct bpf_link **links, int *nlinks)
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
	}
	return 0;
}

static void print_ready(struct bpf_object *obj)
{
	struct bpf_program *prog;

	printf("ready");
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0)
			printf(" %u", info.id);
	}
	printf("\n");
	fflush(stdout);
}

static int usage(void)
{
	fprintf(stderr, "usage: attach_runner [--no-attach] [--tail MAP:SLOT:PROG]... OBJ.bpf.o\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-attach", no_argument, NULL, 'n' },
		{ "tail", required_argument, NULL, 't' },
		{ 0 },
	};
	struct bpf_link *links[MAX_LINKS];
	struct bpf_object *obj = NULL;
	int nlinks = 0, err = 0, sig, i, c, attach = 1;
	const char *path;
	sigset_t set;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n')
			attach = 0;
		else if (c != 't' || parse_tail(optarg))
			return usage();
	}
	if (optind != argc - 1)
		return usage();
	path = argv[optind];
	/* Block the stop signals first: sigwait below takes them in order. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "attach_runner: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "attach_runner: load %s: %s\n", path, strerror(-err));
		goto cleanup;
	}
	if ((err = fill_tails(obj)))
		goto cleanup;
	if (attach && (err = attach_all(obj, links, &nlinks)))
		goto cleanup;
	print_ready(obj);
	sigwait(&set, &sig);
cleanup:
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
