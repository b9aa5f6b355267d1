// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer harness for the exporter's web-config parser (webconfig.c):
 * any bytes in, and every accepted config must be self-consistent. Build:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       tests/fuzz/fuzz_webconfig.c src/webconfig.c -lyaml -lcrypt -o fuzz_webconfig
 *   ./fuzz_webconfig -max_total_time=60 tests/fuzz/corpus/webconfig
 * Password checks (bcrypt) are not fuzzed here: they are slow by design
 * and libcrypt's, not ours. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "webconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_config c;
	char err[256], prio[128];
	size_t i;
	int ret;

	ret = wc_parse((const char *)data, size, &c, err, sizeof(err));
	if (ret) {
		/* a refusal always says why, in one line */
		if (ret == -EINVAL && (!err[0] || strchr(err, '\n')))
			abort();
	} else {
		if (c.tls != (c.cert_file != NULL) || !c.cert_file != !c.key_file)
			abort();
		for (i = 0; i < c.nusers; i++)
			if (!c.users[i].name[0] || strlen(c.users[i].hash) != 60 ||
			    wc_user_hash(&c, c.users[i].name) != c.users[i].hash)
				abort();
		wc_tls_priorities(&c, prio, sizeof(prio));
	}
	wc_free(&c);
	return 0;
}
