/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CLOCK_H
#define MPDK_CLOCK_H

/**
 * @file
 * Time source of a stack. Production stacks use the TSC. Tests and
 * simulations use a virtual clock that only moves when told to, so a 200 ms
 * retransmission timeout takes microseconds and gives the same answer every
 * run. One clock may be shared by several stacks and simlinks.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mpdk_clock;

/** Create a clock reading the TSC (nanoseconds since creation).
 *  @return the clock, or NULL with rte_errno set. */
struct mpdk_clock *mpdk_clock_create_tsc(void);

/** Create a virtual clock starting at @p start_ns. */
struct mpdk_clock *mpdk_clock_create_virtual(uint64_t start_ns);

/** Current time in nanoseconds. */
uint64_t mpdk_clock_now_ns(const struct mpdk_clock *c);

/** Move a virtual clock forward by @p ns.
 *  @return 0, or -EINVAL for a TSC clock. Not thread safe. */
int mpdk_clock_advance(struct mpdk_clock *c, uint64_t ns);

/** Free a clock. Stacks and links using it must be gone. NULL is a no-op. */
void mpdk_clock_free(struct mpdk_clock *c);

#ifdef __cplusplus
}
#endif
#endif
