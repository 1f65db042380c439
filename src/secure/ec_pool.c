/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stack of ready key pairs. LIFO is as good as FIFO here (every entry is
 * fresh and unused) and keeps the hot end in cache.
 */
#include "secure/ec_pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

int ec_pool_init(struct ec_pool *pool, struct ec_ctx *ctx, unsigned curve, uint32_t size)
{
	memset(pool, 0, sizeof(*pool));
	if (ctx == NULL || ec_curve_get(curve) == NULL || size == 0)
		return -EINVAL;
	pool->slots = calloc(size, sizeof(*pool->slots));
	if (pool->slots == NULL)
		return -ENOMEM;
	pool->ctx = ctx;
	pool->curve = curve;
	pool->size = size;
	return 0;
}

void ec_pool_fini(struct ec_pool *pool)
{
	if (pool->slots) {
		OPENSSL_cleanse(pool->slots, (size_t)pool->size * sizeof(*pool->slots));
		free(pool->slots);
	}
	memset(pool, 0, sizeof(*pool));
}

uint32_t ec_pool_refill(struct ec_pool *pool, uint32_t budget)
{
	uint32_t added = 0;

	while (added < budget && pool->count < pool->size) {
		if (ec_keypair_generate(pool->ctx, pool->curve, &pool->slots[pool->count])) {
			pool->stats.gen_failed++;
			break;
		}
		pool->count++;
		pool->stats.generated++;
		added++;
	}
	return added;
}

int ec_pool_take(struct ec_pool *pool, struct ec_keypair *out)
{
	int rc;

	if (pool->count) {
		struct ec_keypair *kp = &pool->slots[--pool->count];

		*out = *kp;
		OPENSSL_cleanse(kp, sizeof(*kp));
		pool->stats.taken++;
		return 0;
	}
	pool->stats.empty_inline++;
	rc = ec_keypair_generate(pool->ctx, pool->curve, out);
	if (rc) {
		pool->stats.gen_failed++;
		return rc;
	}
	pool->stats.generated++;
	pool->stats.taken++;
	return 0;
}
