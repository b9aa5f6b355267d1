// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* selectors_parse (select.c): the PROG words of prog, stats, top, profile
 * and annotate ("id 42 tag 0123456789abcdef name x pinned /sys/fs/bpf/p").
 * Input: the words, NUL-separated. Contract (progs.h): pairs of keyword and
 * value, else a one-line error; a count of selectors that each name a
 * valid kind, an id of at least 1. Syntax only: resolving needs the kernel. */
#include "progs.h"
#include "fuzz.h"

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *words[MAX_WORDS];
	struct prog_selector *sels = NULL;
	int nw = fuzz_words(data, size, words, MAX_WORDS), n, i;

	n = selectors_parse(nw, words, &sels);
	if (n >= 0) {
		FUZZ_CHECK(n * 2 == nw, words[0]);
		FUZZ_CHECK(n == 0 || sels, words[0]);
	} else {
		FUZZ_CHECK(!sels, words[0]);
	}
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(sels[i].arg == words[2 * i + 1], words[2 * i]);
		if (sels[i].kind == SEL_ID)
			FUZZ_CHECK(sels[i].id >= 1, words[2 * i + 1]);
	}
	free(sels);
	fuzz_free_words(words, nw);
	return 0;
}
