// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The hot loop of hotloop.bpf.c under another name (bc_hotloop_y): the
 * same code, so the same JIT size, so the JIT is likely to put it where a
 * freshly unloaded bc_hotloop was (bpf_prog_pack). Tests load it after
 * unloading bc_hotloop mid-run: its samples must never be charged to the
 * dead program. */
#define bc_hotloop bc_hotloop_y
#include "hotloop.bpf.c"
