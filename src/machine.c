// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The machine a measurement ran on (machine.h). */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "common.h"
#include "machine.h"

#define CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/current_clocksource"

void machine_clocksource(char *buf, size_t len)
{
	if (bc_read_str(CLOCKSOURCE, buf, len) <= 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	buf[strcspn(buf, "\n")] = '\0';
}

int machine_cpuinfo_model(const char *line, char *out, size_t len)
{
	static const char key[] = "model name";
	const char *v;
	size_t n;

	if (strncmp(line, key, sizeof(key) - 1))
		return 0;
	v = line + sizeof(key) - 1;
	v += strspn(v, " \t");
	if (*v != ':')
		return 0;
	v++;
	v += strspn(v, " \t");
	n = strcspn(v, "\n");
	if (n >= len)
		n = len - 1;	/* cut first, so no blank is left at the end */
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	snprintf(out, len, "%.*s", (int)n, v);
	return 1;
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (machine_cpuinfo_model(line, buf, len))
			break;
	fclose(f);
}

void machine_describe(struct machine_info *m)
{
	struct utsname u;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	memset(m, 0, sizeof(*m));
	if (uname(&u) == 0) {
		snprintf(m->release, sizeof(m->release), "%s", u.release);
		snprintf(m->version, sizeof(m->version), "%s", u.version);
		snprintf(m->arch, sizeof(m->arch), "%s", u.machine);
	} else {
		snprintf(m->release, sizeof(m->release), "unknown");
		snprintf(m->version, sizeof(m->version), "unknown");
		snprintf(m->arch, sizeof(m->arch), "unknown");
	}
	m->ncpus = n > 0 ? (int)n : 1;
	cpu_model(m->cpu_model, sizeof(m->cpu_model));
	machine_clocksource(m->clocksource, sizeof(m->clocksource));
}
