// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test helper: load a BPF object, attach every program in it (or, with
 * --no-attach, only load them so they never run), print
 * "ready <prog id>..." on stdout and hold everything until SIGTERM or
 * SIGINT, then detach and unload. Lets e2e tests run real programs
 * without depending on any bpfcost command. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_LINKS 64

static int attach_all(struct bpf_object *obj, struct bpf_link **links, int *nlinks)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *l;

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

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_LINKS];
	struct bpf_object *obj = NULL;
	int nlinks = 0, err = 0, sig, i;
	const char *path = argv[argc - 1];
	int attach = !(argc == 3 && !strcmp(argv[1], "--no-attach"));
	sigset_t set;

	if (argc != 2 && !(argc == 3 && !attach)) {
		fprintf(stderr, "usage: attach_runner [--no-attach] OBJ.bpf.o\n");
		return 2;
	}
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
