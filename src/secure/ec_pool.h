/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_SECURE_EC_POOL_H
#define MPDK_SECURE_EC_POOL_H

/*
 * Key pairs generated ahead, so that opening or accepting an EC-mode
 * connection takes a ready key pair instead of doing a scalar
 * multiplication in the middle of a SYN (design.md: crypto never blocks
 * the fast path). The engine calls ec_pool_refill() from its idle poll
 * cycles with a small budget; ec_pool_take() only copies, and generates
 * inline only when the pool is empty, which it counts (stats.empty_inline)
 * so that an undersized pool shows up in the statistics.
 *
 * A pool serves one curve and belongs to one thread (the engine that owns
 * its ec_ctx): no locks. Its storage is sized once at ec_pool_init().
 * Taken key pairs are wiped from the pool; ec_pool_fini() wipes the rest.
 */

#include <stdint.h>

#include "secure/ec.h"

struct ec_pool_stats {
	uint64_t generated;    /* key pairs made by refill or inline */
	uint64_t taken;        /* successful takes */
	uint64_t empty_inline; /* takes that found the pool empty and generated */
	uint64_t gen_failed;   /* generation errors (RNG, OpenSSL, memory) */
};

struct ec_pool {
	struct ec_ctx *ctx;          /* not owned */
	unsigned curve;
	uint32_t size;               /* capacity */
	uint32_t count;              /* ready key pairs: slots[0 .. count-1] */
	struct ec_keypair *slots;
	struct ec_pool_stats stats;
};

/*
 * Allocate room for @size key pairs of @curve; the pool starts empty (fill
 * it with ec_pool_refill). Returns 0, -EINVAL (curve, size 0, no ctx) or
 * -ENOMEM.
 */
int ec_pool_init(struct ec_pool *pool, struct ec_ctx *ctx, unsigned curve, uint32_t size);

/* Wipe and free; the struct may be initialised again. */
void ec_pool_fini(struct ec_pool *pool);

/*
 * Generate up to @budget key pairs, stopping when the pool is full or a
 * generation fails. Returns how many were added. Cost: @budget scalar
 * multiplications (docs/security.md has them per curve), so an engine
 * calls this with 1 or 2 per idle poll.
 */
uint32_t ec_pool_refill(struct ec_pool *pool, uint32_t budget);

/*
 * Take one key pair into @out: the newest ready one, or, if the pool is
 * empty, one generated now (counted in stats.empty_inline). Returns 0, or
 * the generation error (@out zeroed).
 */
int ec_pool_take(struct ec_pool *pool, struct ec_keypair *out);

static inline uint32_t ec_pool_count(const struct ec_pool *pool)
{
	return pool->count;
}

#endif
