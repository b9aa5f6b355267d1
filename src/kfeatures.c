// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Placeholder until feature probing lands. */
#include <stdlib.h>
#include "kfeatures.h"

void features_free(struct features *f)
{
	free(f);
}
