/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Support for the libFuzzer harnesses in tests/fuzz (one fuzz_NAME.c per
 * parser of outside input; see tests/fuzz/README.md). The input becomes a
 * NUL-terminated string, a list of words or a series of lines, the shapes
 * the parsers get in real use; FUZZ_CHECK turns a broken contract (a value
 * out of its documented range, say) into a crash libFuzzer reports. */
#ifndef BPFCOST_FUZZ_H
#define BPFCOST_FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The real stderr: the parsers' one-line errors (bc_err) go to /dev/null
 * instead, unless FUZZ_VERBOSE is set. libFuzzer and the sanitizers keep
 * their own handle on it, so their reports still show. */
static FILE *fuzz_report;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null = getenv("FUZZ_VERBOSE") ? NULL : fopen("/dev/null", "w");

	fuzz_report = stderr;
	if (null)
		stderr = null;
	return 0;
}

#define FUZZ_CHECK(cond, input)                                                     \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(fuzz_report, "%s:%d: contract broken: %s (input '%s')\n", \
				__FILE__, __LINE__, #cond, (input));                 \
			abort();                                                    \
		}                                                                   \
	} while (0)

/* The input as a C string (stops at an embedded NUL, as argv and the
 * kernel's text would). Free it. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Calls fn on each line of the input as getline() returns it: with its
 * '\n' (the last one may lack it), NUL-terminated, in its own allocation
 * so a read past its end is caught. */
static inline void fuzz_lines(const uint8_t *data, size_t size,
			      void (*fn)(const char *line, void *arg), void *arg)
{
	size_t start = 0, i;

	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		if (i > start || i < size) {
			char *line = fuzz_str(data + start, i - start + (i < size));

			fn(line, arg);
			free(line);
		}
		start = i + 1;
	}
}

/* Splits the input at NUL bytes into at most max words (argv-style), each
 * its own allocation. Returns the count; free with fuzz_free_words. */
static inline int fuzz_words(const uint8_t *data, size_t size, char **words, int max)
{
	size_t start = 0, i;
	int n = 0;

	for (i = 0; i <= size && n < max; i++) {
		if (i < size && data[i])
			continue;
		words[n++] = fuzz_str(data + start, i - start);
		start = i + 1;
	}
	return n;
}

static inline void fuzz_free_words(char **words, int n)
{
	while (n > 0)
		free(words[--n]);
}

/* Any byte a strict parser must refuse: blanks and control characters. */
static inline int fuzz_has_space(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 1;
	return 0;
}

#endif
