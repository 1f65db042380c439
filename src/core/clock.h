/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CORE_CLOCK_H
#define MPDK_CORE_CLOCK_H

#include <stdint.h>
#include <rte_cycles.h>
#include "mpdk/mpdk_clock.h"

enum clock_kind { CLOCK_TSC, CLOCK_VIRTUAL };

struct mpdk_clock {
	enum clock_kind kind;
	uint64_t virt_ns;      /* CLOCK_VIRTUAL: current time */
	uint64_t tsc_base;     /* CLOCK_TSC: TSC at creation */
	uint64_t tsc_hz;
};

/* Inline so the fast path pays one rdtsc and a multiply. */
static inline uint64_t clock_now(const struct mpdk_clock *c)
{
	if (c->kind == CLOCK_VIRTUAL)
		return c->virt_ns;
	uint64_t d = rte_get_tsc_cycles() - c->tsc_base;
	/* split to avoid overflow of d * 1e9 */
	return (d / c->tsc_hz) * 1000000000ull + (d % c->tsc_hz) * 1000000000ull / c->tsc_hz;
}

/* rte_cycles.h (included above, the only DPDK header defining it) makes
 * NS_PER_S an int, so 8 * NS_PER_S overflows. Every mpdk file gets the 64-bit
 * constant; the include guard keeps DPDK from redefining it later. */
#undef NS_PER_S
#define NS_PER_S 1000000000ull
#define NS_PER_US 1000ull
#define NS_PER_MS 1000000ull

#endif
