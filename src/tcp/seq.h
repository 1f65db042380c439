/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TCP_SEQ_H
#define MPDK_TCP_SEQ_H

/*
 * TCP sequence number arithmetic modulo 2^32 (RFC 9293 §3.4).
 *
 * Two sequence numbers compare by the sign of their 32-bit difference, so
 * comparisons are only meaningful when the numbers are less than 2^31 apart,
 * which the window limits guarantee (RFC 7323 §2.3 caps the window at 2^30).
 * All helpers are pure and thread-safe.
 */

#include <stdint.h>
#include <stdbool.h>

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/* Signed distance from b to a (a - b), valid when |a - b| < 2^31. */
static inline int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

static inline uint32_t seq_max(uint32_t a, uint32_t b) { return SEQ_GT(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return SEQ_LT(a, b) ? a : b; }

/* lo <= s < hi (half-open window; empty when lo == hi). */
static inline bool seq_in(uint32_t s, uint32_t lo, uint32_t hi)
{
	return (uint32_t)(s - lo) < (uint32_t)(hi - lo);
}

/* lo <= s <= hi (closed interval). */
static inline bool seq_in_closed(uint32_t s, uint32_t lo, uint32_t hi)
{
	return (uint32_t)(s - lo) <= (uint32_t)(hi - lo);
}

#endif
