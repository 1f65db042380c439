/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MPTCP token table (src/mptcp/token.c, docs/token-table.md):
 * RFC 8684 section 3.1 (a token is the most significant 32 bits of
 * SHA-256(key) and is unique per host) and ../shared/design.md "The token
 * table ... is shared by all cores and lock-free for readers".
 *
 * The EAL runs with two lcores (no hugepages): the concurrency test puts a
 * writer on the main lcore and a reader on the other for ~1.5 s. TSan does
 * not work with DPDK; the concurrency test is the race check, with ASan and
 * UBSan builds for memory errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/sha.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "mptcp/crypto.h"
#include "mptcp/token.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Distinct tokens: multiplication by an odd constant is a bijection. */
static uint32_t tok(uint32_t i)
{
	return 0x9E3779B1u * (i + 1);
}

/* Section 3.1, computed here without the code under test: the most
 * significant 32 bits of SHA-256 over the key in network byte order. */
static uint32_t sha256_token(uint64_t key)
{
	uint8_t in[8], md[SHA256_DIGEST_LENGTH];

	for (int i = 0; i < 8; i++)
		in[i] = (uint8_t)(key >> (56 - 8 * i));
	SHA256(in, sizeof(in), md);
	return (uint32_t)md[0] << 24 | (uint32_t)md[1] << 16 | (uint32_t)md[2] << 8 | md[3];
}

static char conns[4096]; /* connection stand-ins: &conns[i] */

/* ---- key generator hook ---- */

struct script {
	const uint64_t *keys; /* returned first, in order */
	size_t n, next;
	int fail;             /* returned instead, if non-zero */
	unsigned calls;
};

static int scripted_keygen(void *arg, uint64_t *key, uint32_t *token)
{
	struct script *s = arg;

	s->calls++;
	if (s->fail)
		return s->fail;
	if (s->next < s->n) {
		*key = s->keys[s->next++];
		*token = mptcp_key_token(*key);
		return 0;
	}
	return mptcp_key_generate(key, token);
}

/* RFC 8684 3.1: alloc returns a key whose token is SHA-256(key)'s top 32
 * bits, and the entry is found under that token with what was given. */
static void test_alloc_token_is_sha256_of_key(void **state)
{
	(void)state;
	struct token_table *t = token_table_create(256, 2);
	assert_non_null(t);
	uint32_t toks[200];

	for (unsigned i = 0; i < N(toks); i++) {
		uint64_t key;
		struct token_entry e;

		assert_int_equal(token_table_alloc(t, i % 2, &conns[i], &key, &toks[i]), 0);
		assert_int_equal(toks[i], mptcp_key_token(key));
		assert_int_equal(toks[i], sha256_token(key));
		assert_int_equal(token_table_lookup(t, toks[i], &e), 0);
		assert_int_equal(e.token, toks[i]);
		assert_int_equal(e.home, i % 2);
		assert_ptr_equal(e.conn, &conns[i]);
		assert_int_not_equal(e.generation, 0);
		for (unsigned j = 0; j < i; j++)
			assert_int_not_equal(toks[i], toks[j]);
	}
	assert_int_equal(token_table_size(t), N(toks));
	struct token_table_stats s;
	token_table_stats(t, &s);
	assert_int_equal(s.size, N(toks));
	assert_int_equal(s.capacity, 256);
	assert_int_equal(s.inserts, N(toks));
	token_table_free(t);
}

/* RFC 8684 3.1 ("the token MUST be unique ... the host retries with a new
 * key"): the generator is forced to hit a token the table holds (one
 * inserted from an application-supplied key and one from an earlier
 * alloc); alloc draws again and never hands out a duplicate. */
static void test_alloc_retries_on_collision(void **state)
{
	(void)state;
	struct token_table *t = token_table_create(64, 1);
	assert_non_null(t);
	uint64_t k_app, k_first, k_new;
	uint32_t t_app, t_first, t_new;
	struct token_entry e;
	struct token_table_stats s;

	assert_int_equal(mptcp_key_generate(&k_app, &t_app), 0);
	assert_int_equal(token_table_insert(t, t_app, 0, &conns[0]), 0);
	assert_int_equal(token_table_alloc(t, 0, &conns[1], &k_first, &t_first), 0);

	const uint64_t keys[] = { k_app, k_first, k_app };
	struct script sc = { .keys = keys, .n = N(keys) };
	token_table_set_keygen(t, scripted_keygen, &sc);
	assert_int_equal(token_table_alloc(t, 0, &conns[2], &k_new, &t_new), 0);
	assert_int_equal(sc.calls, 4); /* three collisions, then a fresh key */
	assert_int_not_equal(t_new, t_app);
	assert_int_not_equal(t_new, t_first);
	assert_int_equal(t_new, mptcp_key_token(k_new));
	token_table_stats(t, &s);
	assert_int_equal(s.collisions, 3);
	assert_int_equal(s.size, 3);
	/* The holders of the colliding tokens are untouched. */
	assert_int_equal(token_table_lookup(t, t_app, &e), 0);
	assert_ptr_equal(e.conn, &conns[0]);
	assert_int_equal(token_table_lookup(t, t_first, &e), 0);
	assert_ptr_equal(e.conn, &conns[1]);
	assert_int_equal(token_table_lookup(t, t_new, &e), 0);
	assert_ptr_equal(e.conn, &conns[2]);

	/* A generator stuck on a taken token: -EBUSY after the bounded number
	 * of draws, nothing inserted, outputs untouched. */
	uint64_t stuck[TOKEN_ALLOC_TRIES];
	for (unsigned i = 0; i < N(stuck); i++)
		stuck[i] = k_app;
	sc = (struct script){ .keys = stuck, .n = N(stuck) };
	uint64_t key = 42;
	uint32_t token = 43;
	assert_int_equal(token_table_alloc(t, 0, &conns[3], &key, &token), -EBUSY);
	assert_int_equal(key, 42);
	assert_int_equal(token, 43);
	token_table_stats(t, &s);
	assert_int_equal(s.collisions, 3 + TOKEN_ALLOC_TRIES);
	assert_int_equal(s.size, 3);

	/* A failing random generator is passed through. */
	sc = (struct script){ .fail = -EIO };
	assert_int_equal(token_table_alloc(t, 0, &conns[3], &key, &token), -EIO);
	token_table_set_keygen(t, NULL, NULL);
	assert_int_equal(token_table_alloc(t, 0, &conns[3], &key, &token), 0);
	assert_int_equal(token, sha256_token(key));
	token_table_free(t);
}

/* RFC 8684 3.1 uniqueness for tokens of application-supplied keys:
 * insert of a taken token is -EEXIST and keeps the holder. */
static void test_insert_existing_token(void **state)
{
	(void)state;
	struct token_table *t = token_table_create(16, 1);
	assert_non_null(t);
	struct token_entry e;

	assert_int_equal(token_table_insert(t, tok(1), 1, &conns[1]), 0);
	assert_int_equal(token_table_insert(t, tok(1), 0, &conns[2]), -EEXIST);
	assert_int_equal(token_table_lookup(t, tok(1), &e), 0);
	assert_ptr_equal(e.conn, &conns[1]);
	assert_int_equal(e.home, 1);
	assert_int_equal(token_table_insert(t, tok(2), 0, NULL), -EINVAL);
	uint64_t key;
	uint32_t token;
	assert_int_equal(token_table_alloc(t, 0, NULL, &key, &token), -EINVAL);
	struct token_table_stats s;
	token_table_stats(t, &s);
	assert_int_equal(s.exists, 1);
	assert_int_equal(s.size, 1);
	token_table_free(t);
}

/* design.md (a SYN+MP_JOIN finds the home core by token): lookup, remove,
 * and a generation that tells a re-inserted token from the old entry. */
static void test_lookup_remove(void **state)
{
	(void)state;
	struct token_table *t = token_table_create(16, 1);
	assert_non_null(t);
	struct token_entry e, e2;

	assert_int_equal(token_table_lookup(t, tok(7), &e), -ENOENT);
	assert_int_equal(token_table_insert(t, tok(7), 1, &conns[7]), 0);
	assert_int_equal(token_table_lookup(t, tok(7), &e), 0);
	assert_int_equal(e.token, tok(7));
	assert_int_equal(e.home, 1);
	assert_ptr_equal(e.conn, &conns[7]);
	assert_int_equal(token_table_lookup(t, tok(8), &e2), -ENOENT);
	assert_int_equal(token_table_remove(t, tok(7), &conns[7]), 0);
	assert_int_equal(token_table_lookup(t, tok(7), &e2), -ENOENT);
	assert_int_equal(token_table_remove(t, tok(7), &conns[7]), -ENOENT);
	assert_int_equal(token_table_size(t), 0);

	/* Same token and connection again: a newer generation. */
	assert_int_equal(token_table_insert(t, tok(7), 1, &conns[7]), 0);
	assert_int_equal(token_table_lookup(t, tok(7), &e2), 0);
	assert_ptr_equal(e2.conn, &conns[7]);
	assert_true(e2.generation > e.generation);
	struct token_table_stats s;
	token_table_stats(t, &s);
	assert_int_equal(s.inserts, 2);
	assert_int_equal(s.removes, 1);
	token_table_free(t);
}

/* design.md: an engine removes only its own connection's token. A remove
 * by a stale owner (the token was freed and reused by another connection)
 * is refused and the holder keeps it. */
static void test_remove_by_non_owner_refused(void **state)
{
	(void)state;
	struct token_table *t = token_table_create(16, 1);
	assert_non_null(t);
	struct token_entry e;

	assert_int_equal(token_table_insert(t, tok(3), 0, &conns[3]), 0);
	assert_int_equal(token_table_remove(t, tok(3), &conns[4]), -EPERM);
	assert_int_equal(token_table_remove(t, tok(3), NULL), -EPERM);
	assert_int_equal(token_table_lookup(t, tok(3), &e), 0);
	assert_ptr_equal(e.conn, &conns[3]);
	struct token_table_stats s;
	token_table_stats(t, &s);
	assert_int_equal(s.refused, 2);
	assert_int_equal(s.size, 1);
	assert_int_equal(token_table_remove(t, tok(3), &conns[3]), 0);
	token_table_free(t);
}

/* design.md "running out is a counted, reported condition (MP_TCPRST lack
 * of resources), never a crash": a full table answers -ENOSPC to alloc
 * and insert, counts it, and takes entries again after removes. */
static void test_full_table_then_recovery(void **state)
{
	(void)state;
	enum { CAP = 64 };
	struct token_table *t = token_table_create(CAP, 1);
	assert_non_null(t);
	uint32_t toks[CAP];
	uint64_t key;
	uint32_t token;
	struct token_table_stats s;

	for (unsigned i = 0; i < CAP; i++)
		assert_int_equal(token_table_alloc(t, 0, &conns[i], &key, &toks[i]), 0);
	assert_int_equal(token_table_alloc(t, 0, &conns[CAP], &key, &token), -ENOSPC);
	assert_int_equal(token_table_insert(t, tok(CAP), 0, &conns[CAP]), -ENOSPC);
	token_table_stats(t, &s);
	assert_int_equal(s.full, 2);
	assert_int_equal(s.size, CAP);

	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(token_table_remove(t, toks[i], &conns[i]), 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(token_table_alloc(t, 0, &conns[i], &key, &toks[i]), 0);
	assert_int_equal(token_table_alloc(t, 0, &conns[CAP], &key, &token), -ENOSPC);
	assert_int_equal(token_table_size(t), CAP);

	/* Everything out, everything back in: no slot leaks. */
	for (int round = 0; round < 3; round++) {
		for (unsigned i = 0; i < CAP; i++)
			assert_int_equal(token_table_remove(t, toks[i], &conns[i]), 0);
		assert_int_equal(token_table_size(t), 0);
		for (unsigned i = 0; i < CAP; i++)
			assert_int_equal(token_table_alloc(t, 0, &conns[i], &key, &toks[i]), 0);
	}
	token_table_stats(t, &s);
	assert_int_equal(s.full, 3);
	assert_int_equal(s.size, CAP);
	token_table_free(t);
}

/* design.md "lock-free for readers": a removed entry is recycled only
 * after every online reader reported a quiescent state. Reader 0 is this
 * thread, which holds nothing but reports only when told. */
static void test_removed_entries_wait_for_readers(void **state)
{
	(void)state;
	struct token_table *t = token_table_create(16, 2);
	assert_non_null(t);
	struct token_table_stats s;

	assert_int_equal(token_table_reader_register(t, 2), -EINVAL);
	assert_int_equal(token_table_reader_register(t, 0), 0);
	assert_int_equal(token_table_reader_register(t, 0), -EEXIST);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(token_table_insert(t, tok(i), 0, &conns[i]), 0);

	assert_int_equal(token_table_remove(t, tok(0), &conns[0]), 0);
	token_table_stats(t, &s);
	assert_int_equal(s.pending, 1);
	assert_int_equal(token_table_remove(t, tok(1), &conns[1]), 0);
	token_table_stats(t, &s);
	assert_int_equal(s.pending, 2); /* reader 0 has not reported */
	assert_int_equal(s.size, 1);

	token_table_quiescent(t, 0);
	assert_int_equal(token_table_remove(t, tok(2), &conns[2]), 0);
	token_table_stats(t, &s);
	assert_int_equal(s.pending, 1); /* the first two are back; the last waits */

	/* An offline reader is not waited for. */
	token_table_reader_offline(t, 0);
	assert_int_equal(token_table_insert(t, tok(3), 0, &conns[3]), 0);
	assert_int_equal(token_table_remove(t, tok(3), &conns[3]), 0);
	token_table_stats(t, &s);
	assert_int_equal(s.pending, 1);
	token_table_reader_online(t, 0);
	token_table_free(t); /* with a registered reader and pending entries */
}

/* design.md "running out is counted, never a crash": a reader that stops
 * reporting quiescent states holds removed entries; once the spare slots
 * are used up the table answers -ENOSPC below its capacity, and recovers
 * as soon as the reader reports. */
static void test_stalled_reader_then_recovery(void **state)
{
	(void)state;
	enum { CAP = 8 };
	struct token_table *t = token_table_create(CAP, 1);
	assert_non_null(t);
	struct token_table_stats s;

	assert_int_equal(token_table_reader_register(t, 0), 0);
	for (uint32_t i = 0; i < CAP; i++)
		assert_int_equal(token_table_insert(t, tok(i), 0, &conns[i]), 0);
	uint32_t next = CAP, oldest = 0;
	int rc = 0;
	unsigned cycles;
	for (cycles = 0; cycles < 10 * CAP + 100; cycles++) {
		assert_int_equal(token_table_remove(t, tok(oldest), &conns[oldest]), 0);
		oldest++;
		rc = token_table_insert(t, tok(next), 0, &conns[next]);
		if (rc != 0)
			break;
		next++;
	}
	assert_int_equal(rc, -ENOSPC);
	assert_true(cycles >= CAP); /* spare slots beyond the capacity */
	token_table_stats(t, &s);
	assert_int_equal(s.size, CAP - 1);
	assert_true(s.pending > 0);
	assert_int_equal(s.full, 1);

	token_table_quiescent(t, 0);
	assert_int_equal(token_table_insert(t, tok(next), 0, &conns[next]), 0);
	token_table_stats(t, &s);
	assert_int_equal(s.size, CAP);
	assert_int_equal(s.pending, 0);
	token_table_free(t);
}

/* ---- concurrency: writer on the main lcore, reader on another ---- */

enum {
	C_CAP = 1600,   /* ~80% of the bucket slots in use: cuckoo moves happen */
	C_STABLE = 64,  /* never removed: must always be found */
	C_CHURN = 256,  /* inserted and removed all the time */
	C_FILL = 1200,  /* random other entries, replaced all the time */
	C_READER = 1,   /* reader id of the reading lcore */
};

struct conc {
	struct token_table *t;
	uint32_t stable_gen[C_STABLE];
	uint64_t end_cycles;
	int stop;
	/* reader's results */
	uint64_t lookups, found, missed, errors;
	uint64_t max_gap; /* longest time between two quiescent reports, cycles */
	char first_error[160];
};

static struct conc C;

static uint32_t churn_tok(unsigned i) { return tok(C_STABLE + i); }
static void *churn_conn(unsigned i) { return &conns[C_STABLE + i]; }
static uint32_t fill_tok(uint32_t k) { return tok(100000 + k); }

static void conc_error(struct conc *c, const char *what, uint32_t token, const struct token_entry *e)
{
	if (c->errors++ == 0)
		snprintf(c->first_error, sizeof(c->first_error),
			 "%s: token %08x -> token %08x home %u conn %p gen %u", what, token, e->token,
			 e->home, e->conn, e->generation);
}

static int conc_reader(void *arg)
{
	struct conc *c = arg;
	uint32_t last_gen[C_CHURN] = { 0 };
	struct token_entry e;

	if (token_table_reader_register(c->t, C_READER) != 0)
		return -1;
	uint64_t last = rte_get_timer_cycles();
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		for (unsigned i = 0; i < C_STABLE; i++) {
			c->lookups++;
			if (token_table_lookup(c->t, tok(i), &e) != 0) {
				e = (struct token_entry){ 0 };
				conc_error(c, "stable token not found", tok(i), &e);
			} else if (e.token != tok(i) || e.conn != &conns[i] || e.home != i % 2 ||
				   e.generation != c->stable_gen[i]) {
				conc_error(c, "stable token wrong", tok(i), &e);
			}
		}
		for (unsigned i = 0; i < C_CHURN; i++) {
			c->lookups++;
			int rc = token_table_lookup(c->t, churn_tok(i), &e);
			if (rc == -ENOENT) {
				c->missed++;
				continue;
			}
			if (rc != 0 || e.token != churn_tok(i) || e.conn != churn_conn(i) ||
			    e.home != i % 2 || e.generation < last_gen[i]) {
				conc_error(c, "churn token garbage", churn_tok(i), &e);
				continue;
			}
			last_gen[i] = e.generation;
			c->found++;
		}
		/* Nothing looked up is held past this point. */
		token_table_quiescent(c->t, C_READER);
		uint64_t now = rte_get_timer_cycles();
		if (now - last > c->max_gap)
			c->max_gap = now - last;
		last = now;
	}
	token_table_reader_unregister(c->t, C_READER);
	return 0;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* design.md / issue 6 item 2: "Token table inserts and deletes are safe
 * against concurrent readers on other cores". RFC 8684 3.1 lookups by
 * token while connections come and go: stable tokens are always found with
 * their value; churning tokens are found with their own value or not at
 * all, never garbage (removed values are poisoned when recycled), and a
 * reader never sees a token's generation go backwards. */
static void test_concurrent_reader_writer(void **state)
{
	(void)state;
	unsigned reader_lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	if (reader_lcore >= RTE_MAX_LCORE)
		skip();

	memset(&C, 0, sizeof(C));
	C.t = token_table_create(C_CAP, 2);
	assert_non_null(C.t);
	for (unsigned i = 0; i < C_STABLE; i++) {
		struct token_entry e;
		assert_int_equal(token_table_insert(C.t, tok(i), i % 2, &conns[i]), 0);
		assert_int_equal(token_table_lookup(C.t, tok(i), &e), 0);
		C.stable_gen[i] = e.generation;
	}
	static bool present[C_CHURN];
	memset(present, 0, sizeof(present));
	static uint32_t fill[C_FILL];
	uint32_t fill_next = 0, fill_head = 0;
	for (unsigned i = 0; i < C_FILL; i++) {
		fill[i] = fill_tok(fill_next++);
		assert_int_equal(token_table_insert(C.t, fill[i], 0, &conns[4000]), 0);
	}

	uint64_t hz = rte_get_timer_hz();
	uint64_t end = rte_get_timer_cycles() + hz * 3 / 2;
	assert_int_equal(rte_eal_remote_launch(conc_reader, &C, reader_lcore), 0);

	uint64_t seed = 0x243F6A8885A308D3ull, ops = 0, enospc = 0, enospc_seen = 0, werr = 0;
	while (rte_get_timer_cycles() < end) {
		for (int burst = 0; burst < 64; burst++, ops++) {
			uint64_t r = xorshift(&seed);
			if (r & 1) {
				unsigned i = (unsigned)(r >> 8) % C_CHURN;
				int rc;
				if (present[i]) {
					rc = token_table_remove(C.t, churn_tok(i), churn_conn(i));
					werr += rc != 0;
					present[i] = false;
				} else {
					rc = token_table_insert(C.t, churn_tok(i), i % 2, churn_conn(i));
					if (rc == 0)
						present[i] = true;
					else if (rc == -ENOSPC)
						enospc++;
					else
						werr++;
				}
			} else {
				/* Replace the oldest filler (moves other keys around). */
				uint32_t old = fill[fill_head];
				if (old != 0) {
					werr += token_table_remove(C.t, old, &conns[4000]) != 0;
					fill[fill_head] = 0;
				}
				uint32_t nt = fill_tok(fill_next++);
				int rc = token_table_insert(C.t, nt, 0, &conns[4000]);
				if (rc == 0)
					fill[fill_head] = nt;
				else if (rc == -ENOSPC)
					enospc++;
				else
					werr++;
				fill_head = (fill_head + 1) % C_FILL;
			}
			/* -ENOSPC below capacity: the reader lcore was preempted
			 * (this machine is shared) and every spare slot waits for
			 * its report. Give the CPU away instead of spinning. */
			if (enospc != enospc_seen) {
				enospc_seen = enospc;
				rte_delay_us_sleep(100);
			}
			if ((r & 0xfff) == 0) /* a stale owner never takes a live token */
				werr += token_table_remove(C.t, tok(r % C_STABLE), churn_conn(0)) != -EPERM;
		}
	}
	__atomic_store_n(&C.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(rte_eal_wait_lcore(reader_lcore), 0);

	struct token_table_stats s;
	token_table_stats(C.t, &s);
	print_message("token table: %" PRIu64 " writer ops (%" PRIu64 " ENOSPC), reader %" PRIu64
		      " lookups: churn %" PRIu64 " found %" PRIu64 " missed, longest between quiescent"
		      " reports %" PRIu64 " us; size %u pending %u\n",
		      ops, enospc, C.lookups, C.found, C.missed, C.max_gap * 1000000 / hz, s.size,
		      s.pending);
	if (C.errors)
		print_error("reader: %" PRIu64 " errors, first: %s\n", C.errors, C.first_error);
	assert_int_equal(C.errors, 0);
	assert_int_equal(werr, 0);
	assert_true(ops > 1000);
	assert_true(C.lookups > 1000);
	assert_true(C.found > 0);
	assert_true(C.missed > 0);
	for (unsigned i = 0; i < C_STABLE; i++) {
		struct token_entry e;
		assert_int_equal(token_table_lookup(C.t, tok(i), &e), 0);
		assert_int_equal(e.generation, C.stable_gen[i]);
	}
	token_table_free(C.t);
}

/* EAL with two lcores on whatever CPUs this process may use (-l 0,1 when
 * CPUs 0 and 1 are allowed; both lcores on one CPU if there is only one). */
static void eal_start(void)
{
	char prefix[64], lcores[64];
	cpu_set_t cs;
	int cpu[2] = { 0, 1 }, n = 0;

	snprintf(prefix, sizeof(prefix), "mpdk-token-%d", (int)getpid());
	if (sched_getaffinity(0, sizeof(cs), &cs) == 0) {
		for (int i = 0; i < CPU_SETSIZE && n < 2; i++)
			if (CPU_ISSET(i, &cs))
				cpu[n++] = i;
		if (n == 1)
			cpu[1] = cpu[0];
	}
	snprintf(lcores, sizeof(lcores), "0@%d,1@%d", cpu[0], cpu[1]);
	char *argv[] = {
		"test_token", "--no-huge", "--no-pci", "-m", "256", "--file-prefix", prefix,
		"--no-telemetry", "--log-level", "lib.eal:error", "--lcores", lcores, NULL,
	};
	if (rte_eal_init((int)N(argv) - 1, argv) < 0) {
		fprintf(stderr, "test_token: cannot start the EAL\n");
		exit(1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_token_is_sha256_of_key),
		cmocka_unit_test(test_alloc_retries_on_collision),
		cmocka_unit_test(test_insert_existing_token),
		cmocka_unit_test(test_lookup_remove),
		cmocka_unit_test(test_remove_by_non_owner_refused),
		cmocka_unit_test(test_full_table_then_recovery),
		cmocka_unit_test(test_removed_entries_wait_for_readers),
		cmocka_unit_test(test_stalled_reader_then_recovery),
		cmocka_unit_test(test_concurrent_reader_writer),
	};

	eal_start();
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
