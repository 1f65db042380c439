/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <rte_errno.h>
#include "core/clock.h"

struct mpdk_clock *mpdk_clock_create_tsc(void)
{
	uint64_t hz = rte_get_tsc_hz();
	if (hz == 0) {
		/* rte_get_tsc_hz() is only valid after rte_eal_init(). */
		rte_errno = EINVAL;
		return NULL;
	}
	struct mpdk_clock *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	c->kind = CLOCK_TSC;
	c->tsc_hz = hz;
	c->tsc_base = rte_get_tsc_cycles();
	return c;
}

struct mpdk_clock *mpdk_clock_create_virtual(uint64_t start_ns)
{
	struct mpdk_clock *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	c->kind = CLOCK_VIRTUAL;
	c->virt_ns = start_ns;
	return c;
}

uint64_t mpdk_clock_now_ns(const struct mpdk_clock *c)
{
	return clock_now(c);
}

int mpdk_clock_advance(struct mpdk_clock *c, uint64_t ns)
{
	if (c == NULL || c->kind != CLOCK_VIRTUAL)
		return -EINVAL;
	c->virt_ns += ns;
	return 0;
}

void mpdk_clock_free(struct mpdk_clock *c)
{
	free(c);
}
