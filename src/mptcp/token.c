/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MPTCP token table: rte_hash (lock-free readers) + RCU QSBR reclamation.
 * Why this shape is in docs/token-table.md; in short:
 *
 * - rte_hash with RW_CONCURRENCY_LF: lookups take no lock and write no
 *   shared memory. EXT_TABLE: an insert never fails for want of a cuckoo
 *   path while key slots are free, so the capacity is exact.
 * - One writer at a time, under our spinlock, instead of MULTI_WRITER_ADD:
 *   alloc (is the token free? insert) and remove (is it still ours?
 *   delete) must be atomic as a whole anyway, the per-lcore key caches of
 *   MULTI_WRITER_ADD would make the capacity inexact, and the callback
 *   that frees entry values runs inside writer calls.
 * - Values are small structs from a pool sized with the hash; rte_hash
 *   holds a pointer to one. A lookup copies the struct out. A removed
 *   key's slot and value go to rte_hash's RCU defer queue and come back
 *   (poisoned) only after every online reader reported a quiescent state,
 *   so a reader between rte_hash_lookup_data() and its copy never sees a
 *   recycled value.
 * - The hash holds more slots than the capacity (headroom) so that entries
 *   waiting for their grace period do not eat into the live capacity; a
 *   reader that stops reporting still starves it eventually (-ENOSPC).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "core/log.h"
#include "mptcp/crypto.h"
#include "mptcp/token.h"

#define TOKEN_MIN_CAPACITY 8 /* rte_hash's minimum (one bucket) */
#define TOKEN_MAX_READERS 1024
#define TOKEN_POISON 0x5b   /* fills a recycled value: garbage is recognisable */
/* Entries reclaimed per writer call at most: twice what one remove adds,
 * so the defer queue drains after a reader's stall. */
#define TOKEN_RECLAIM_BATCH 32

struct token_table {
	/* Read by lookups, written only at create. */
	struct rte_hash *h;
	struct rte_rcu_qsbr *qsbr;
	uint32_t capacity;
	uint32_t max_readers;

	/* Writers, under lock, on their own cache line. */
	rte_spinlock_t lock __rte_cache_aligned;
	uint32_t size;             /* live entries; also read relaxed, lock-free */
	struct token_entry *vals;  /* value pool, n_vals entries */
	uint32_t *free_vals;       /* stack of free indices into vals */
	uint32_t n_vals, n_free;
	uint32_t next_generation;
	token_keygen_fn keygen;
	void *keygen_arg;
	uint64_t inserts, removes, collisions, full, exists, refused;

	bool *registered; /* per reader; touched by that reader's thread */
};

static struct token_entry *value_get(struct token_table *t)
{
	if (t->n_free == 0)
		return NULL;
	return &t->vals[t->free_vals[--t->n_free]];
}

static void value_put(struct token_table *t, struct token_entry *v)
{
	memset(v, TOKEN_POISON, sizeof(*v));
	RTE_VERIFY(t->n_free < t->n_vals);
	t->free_vals[t->n_free++] = (uint32_t)(v - t->vals);
}

/* rte_hash's RCU callback: the grace period of a removed entry is over.
 * Runs inside rte_hash add/del calls, which we make under t->lock, or in
 * rte_hash_free. */
static void value_reclaim(void *p, void *key_data)
{
	value_put(p, key_data);
}

static int default_keygen(void *arg, uint64_t *key, uint32_t *token)
{
	RTE_SET_USED(arg);
	return mptcp_key_generate(key, token);
}

struct token_table *token_table_create(uint32_t capacity, uint32_t max_readers)
{
	static uint32_t table_seq;
	struct token_table *t;
	char name[RTE_HASH_NAMESIZE];

	if (capacity < TOKEN_MIN_CAPACITY || capacity > RTE_HASH_ENTRIES_MAX / 2 ||
	    max_readers == 0 || max_readers > TOKEN_MAX_READERS) {
		rte_errno = EINVAL;
		return NULL;
	}
	/* Slots for entries in their grace period, on top of the live ones. */
	uint32_t slots = capacity + capacity / 4 + 16;

	t = rte_zmalloc("mpdk_token_table", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->capacity = capacity;
	t->max_readers = max_readers;
	rte_spinlock_init(&t->lock);
	t->next_generation = 1;
	t->keygen = default_keygen;

	/* One value more than key slots: alloc takes a value before rte_hash
	 * reclaims slots (and their values) when it finds itself full. */
	t->n_vals = slots + 1;
	t->vals = rte_zmalloc("mpdk_token_vals", sizeof(*t->vals) * t->n_vals,
			      RTE_CACHE_LINE_SIZE);
	t->free_vals = rte_malloc("mpdk_token_free", sizeof(*t->free_vals) * t->n_vals, 0);
	t->registered = rte_zmalloc("mpdk_token_readers", sizeof(bool) * max_readers, 0);
	size_t qsz = rte_rcu_qsbr_get_memsize(max_readers);
	t->qsbr = rte_zmalloc("mpdk_token_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (t->vals == NULL || t->free_vals == NULL || t->registered == NULL || t->qsbr == NULL) {
		rte_errno = ENOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < t->n_vals; i++)
		t->free_vals[i] = t->n_vals - 1 - i;
	t->n_free = t->n_vals;
	if (rte_rcu_qsbr_init(t->qsbr, max_readers) != 0)
		goto fail;

	/* rte_hash names are process-wide and become ring names with
	 * prefixes ("HASH_RCU_"): keep them short. */
	snprintf(name, sizeof(name), "mptok%u", __atomic_fetch_add(&table_seq, 1, __ATOMIC_RELAXED));
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = slots,
		.key_len = sizeof(uint32_t),
		.hash_func = NULL, /* CRC32 on x86 */
		/* Tokens are SHA-256 output and remote peers cannot insert; a
		 * random seed is enough to keep bucket placement unpredictable. */
		.hash_func_init_val = (uint32_t)rte_rand(),
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	t->h = rte_hash_create(&hp);
	if (t->h == NULL)
		goto fail;
	struct rte_hash_rcu_config rc = {
		.v = t->qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ, /* never block a writer */
		.dq_size = 0,                  /* default: every key slot */
		.trigger_reclaim_limit = 0,    /* try to reclaim on every delete */
		.max_reclaim_size = TOKEN_RECLAIM_BATCH,
		.key_data_ptr = t,
		.free_key_data_func = value_reclaim,
	};
	if (rte_hash_rcu_qsbr_add(t->h, &rc) != 0)
		goto fail;
	return t;

fail:
	MPDK_LOG(ERR, "token table: cannot create (%u entries, %u readers): %s", capacity,
		 max_readers, rte_strerror(rte_errno));
	{
		int err = rte_errno;
		rte_hash_free(t->h);
		rte_free(t->qsbr);
		rte_free(t->registered);
		rte_free(t->free_vals);
		rte_free(t->vals);
		rte_free(t);
		rte_errno = err;
	}
	return NULL;
}

void token_table_free(struct token_table *t)
{
	if (t == NULL)
		return;
	/* No reader is left by contract: with none registered, every grace
	 * period is over and rte_hash_free reclaims the whole defer queue
	 * (calling value_reclaim, so the pool is freed after it). */
	for (uint32_t r = 0; r < t->max_readers; r++)
		if (t->registered[r])
			token_table_reader_unregister(t, r);
	rte_hash_free(t->h);
	rte_free(t->qsbr);
	rte_free(t->registered);
	rte_free(t->free_vals);
	rte_free(t->vals);
	rte_free(t);
}

int token_table_reader_register(struct token_table *t, unsigned int reader)
{
	if (reader >= t->max_readers)
		return -EINVAL;
	if (t->registered[reader])
		return -EEXIST;
	if (rte_rcu_qsbr_thread_register(t->qsbr, reader) != 0)
		return -rte_errno;
	rte_rcu_qsbr_thread_online(t->qsbr, reader);
	t->registered[reader] = true;
	return 0;
}

void token_table_reader_unregister(struct token_table *t, unsigned int reader)
{
	if (reader >= t->max_readers || !t->registered[reader])
		return;
	rte_rcu_qsbr_thread_offline(t->qsbr, reader);
	rte_rcu_qsbr_thread_unregister(t->qsbr, reader);
	t->registered[reader] = false;
}

void token_table_reader_offline(struct token_table *t, unsigned int reader)
{
	rte_rcu_qsbr_thread_offline(t->qsbr, reader);
}

void token_table_reader_online(struct token_table *t, unsigned int reader)
{
	rte_rcu_qsbr_thread_online(t->qsbr, reader);
}

void token_table_quiescent(struct token_table *t, unsigned int reader)
{
	rte_rcu_qsbr_quiescent(t->qsbr, reader);
}

int token_table_lookup(const struct token_table *t, uint32_t token, struct token_entry *out)
{
	void *data;

	if (rte_hash_lookup_data(t->h, &token, &data) < 0)
		return -ENOENT;
	/* data stays valid until this reader's next quiescent report. */
	*out = *(const struct token_entry *)data;
	RTE_ASSERT(out->token == token);
	return 0;
}

static void set_size(struct token_table *t, uint32_t size)
{
	__atomic_store_n(&t->size, size, __ATOMIC_RELAXED);
}

static int table_full(struct token_table *t)
{
	t->full++;
	/* Logged on the 1st, 2nd, 4th, 8th ... refusal: visible without
	 * flooding the log; the callers count every one per engine. */
	if ((t->full & (t->full - 1)) == 0)
		MPDK_LOG(WARNING, "token table full: %u live of %u, %u slots waiting for readers "
			 "(%" PRIu64 " refusals)", t->size, t->capacity,
			 (uint32_t)rte_hash_count(t->h) - t->size, t->full);
	return -ENOSPC;
}

/* Under lock; the caller knows the token is not in the table. */
static int insert_locked(struct token_table *t, uint32_t token, unsigned int home, void *conn)
{
	if (t->size >= t->capacity)
		return table_full(t);
	struct token_entry *v = value_get(t);
	if (v == NULL) /* cannot happen: one more value than key slots */
		return table_full(t);
	v->conn = conn;
	v->token = token;
	v->home = home;
	v->generation = t->next_generation++;
	if (t->next_generation == 0)
		t->next_generation = 1;
	/* rte_hash publishes v with release stores; lookups acquire. */
	int rc = rte_hash_add_key_data(t->h, &token, v);
	if (rc < 0) {
		value_put(t, v);
		/* -ENOSPC: every spare slot is waiting for a reader's grace
		 * period (a reader that stopped reporting quiescent states). */
		return rc == -ENOSPC ? table_full(t) : rc;
	}
	set_size(t, t->size + 1);
	t->inserts++;
	return 0;
}

int token_table_alloc(struct token_table *t, unsigned int home, void *conn, uint64_t *key,
		      uint32_t *token)
{
	if (conn == NULL)
		return -EINVAL;
	for (int tries = 0; tries < TOKEN_ALLOC_TRIES; tries++) {
		uint64_t k;
		uint32_t tok;
		int rc;

		/* Draw outside the lock (SHA-256 and the DRBG are the slow part);
		 * a full table fails before wasting a draw. */
		if (token_table_size(t) >= t->capacity) {
			rte_spinlock_lock(&t->lock);
			rc = t->size >= t->capacity ? table_full(t) : 0;
			rte_spinlock_unlock(&t->lock);
			if (rc < 0)
				return rc;
		}
		rc = t->keygen(t->keygen_arg, &k, &tok);
		if (rc < 0)
			return rc;

		rte_spinlock_lock(&t->lock);
		if (rte_hash_lookup(t->h, &tok) >= 0) {
			t->collisions++; /* section 3.1: draw another key */
			rte_spinlock_unlock(&t->lock);
			continue;
		}
		rc = insert_locked(t, tok, home, conn);
		rte_spinlock_unlock(&t->lock);
		if (rc == 0) {
			*key = k;
			*token = tok;
		}
		return rc;
	}
	MPDK_LOG(ERR, "token table: no unique token in %d draws", TOKEN_ALLOC_TRIES);
	return -EBUSY;
}

int token_table_insert(struct token_table *t, uint32_t token, unsigned int home, void *conn)
{
	int rc;

	if (conn == NULL)
		return -EINVAL;
	rte_spinlock_lock(&t->lock);
	/* rte_hash_add would overwrite an existing key's data: check first. */
	if (rte_hash_lookup(t->h, &token) >= 0) {
		t->exists++;
		rc = -EEXIST;
	} else {
		rc = insert_locked(t, token, home, conn);
	}
	rte_spinlock_unlock(&t->lock);
	return rc;
}

int token_table_remove(struct token_table *t, uint32_t token, const void *conn)
{
	void *data;
	int rc = 0;

	rte_spinlock_lock(&t->lock);
	if (rte_hash_lookup_data(t->h, &token, &data) < 0) {
		rc = -ENOENT;
	} else if (((const struct token_entry *)data)->conn != conn) {
		t->refused++;
		rc = -EPERM;
	} else {
		/* Unlinks now; slot and value go to the defer queue. */
		int32_t pos = rte_hash_del_key(t->h, &token);
		RTE_VERIFY(pos >= 0);
		set_size(t, t->size - 1);
		t->removes++;
	}
	rte_spinlock_unlock(&t->lock);
	return rc;
}

uint32_t token_table_size(const struct token_table *t)
{
	return __atomic_load_n(&t->size, __ATOMIC_RELAXED);
}

void token_table_stats(struct token_table *t, struct token_table_stats *s)
{
	rte_spinlock_lock(&t->lock);
	s->capacity = t->capacity;
	s->size = t->size;
	s->pending = (uint32_t)rte_hash_count(t->h) - t->size;
	s->inserts = t->inserts;
	s->removes = t->removes;
	s->collisions = t->collisions;
	s->full = t->full;
	s->exists = t->exists;
	s->refused = t->refused;
	rte_spinlock_unlock(&t->lock);
}

void token_table_set_keygen(struct token_table *t, token_keygen_fn fn, void *arg)
{
	rte_spinlock_lock(&t->lock);
	t->keygen = fn != NULL ? fn : default_keygen;
	t->keygen_arg = fn != NULL ? arg : NULL;
	rte_spinlock_unlock(&t->lock);
}
