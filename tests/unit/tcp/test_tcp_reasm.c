/* SPDX-License-Identifier: BSD-3-Clause */
/* Receiver reassembly (RFC 9293 §3.10.7.4 "segment arrives", out-of-order
 * queueing and trimming) and SACK block generation (RFC 2018 §4). Real
 * mbufs from a pool; every test checks the pool is full again at the end. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "harness.h"
#include "tcp/seq.h"
#include "tcp/reasm.h"

#define POOL_N 4095
static struct rte_mempool *pool;

/* The byte at sequence s of copy @tag: lets tests tell copies apart. */
static uint8_t pat(uint32_t s, uint8_t tag) { return (uint8_t)((s * 31u + (s >> 8)) ^ tag); }

/* An mbuf chain holding [seq, seq+len) of copy @tag, in pieces of at most
 * @piece bytes. */
static struct rte_mbuf *mk(uint32_t seq, uint32_t len, uint8_t tag, uint32_t piece)
{
	struct rte_mbuf *head = NULL, *last = NULL;

	if (piece == 0)
		piece = 1500;
	do {
		uint32_t n = len < piece ? len : piece;
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		assert_non_null(m);
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		if (n)
			assert_non_null(p);
		for (uint32_t i = 0; i < n; i++)
			p[i] = pat(seq + i, tag);
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		last = m;
		seq += n;
		len -= n;
	} while (len);
	return head;
}

/* Check chain @m holds [seq, seq+len) where byte i came from tags[...]:
 * @tag_of returns the expected tag of a sequence number. */
static void check_data(const struct rte_mbuf *m, uint32_t seq, uint32_t len,
		       uint8_t (*tag_of)(uint32_t))
{
	uint32_t off = 0, segs = 0;

	assert_int_equal(m->pkt_len, len);
	for (const struct rte_mbuf *s = m; s; s = s->next) {
		const uint8_t *p = rte_pktmbuf_mtod(s, const uint8_t *);
		for (uint32_t i = 0; i < s->data_len; i++, off++)
			assert_int_equal(p[i], pat(seq + off, tag_of(seq + off)));
		segs++;
	}
	assert_int_equal(off, len);
	assert_int_equal(segs, m->nb_segs);
}

static uint8_t tag_zero(uint32_t s) { (void)s; return 0; }

static int setup(void **state)
{
	(void)state;
	harness_eal_init();
	if (pool == NULL)
		pool = rte_pktmbuf_pool_create("reasm_test", POOL_N, 0, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return pool ? 0 : -1;
}

static void check_accounting(const struct tcp_reasm *r)
{
	uint32_t bytes = 0, segs = 0;

	for (unsigned i = 0; i < r->n; i++) {
		assert_int_equal(r->run[i].len, r->run[i].head->pkt_len);
		assert_ptr_equal(r->run[i].tail->next, NULL);
		bytes += r->run[i].len;
		segs += r->run[i].head->nb_segs;
		if (i)   /* sorted, disjoint and not adjacent */
			assert_true(SEQ_GT(r->run[i].seq, r->run[i - 1].seq + r->run[i - 1].len));
	}
	assert_int_equal(bytes, r->bytes);
	assert_int_equal(segs, r->segs);
}

static void check_pool_full(void)
{
	assert_int_equal(rte_mempool_avail_count(pool), POOL_N);
}

/* RFC 9293 §3.10.7.4: out-of-order data is held until the gap fills;
 * RFC 2018 §4: blocks most recent first. */
static void test_gaps(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct tcp_sack_block b[4];
	struct rte_mbuf *m;
	uint32_t len;
	bool fin;

	tcp_reasm_init(&r, 0, 0);
	assert_true(tcp_reasm_empty(&r));
	assert_int_equal(tcp_reasm_insert(&r, 1000, 2000, mk(2000, 1000, 0, 0), false), 1000);
	assert_int_equal(tcp_reasm_insert(&r, 1000, 4000, mk(4000, 1000, 0, 0), false), 1000);
	assert_int_equal(r.n, 2);
	assert_null(tcp_reasm_pop(&r, 1000, &len, &fin));
	assert_int_equal(len, 0);
	assert_int_equal(tcp_reasm_sack_blocks(&r, b, 4), 2);
	assert_int_equal(b[0].start, 4000);
	assert_int_equal(b[1].start, 2000);
	assert_int_equal(b[1].end, 3000);
	/* [1000, 2000) arrived in order and was delivered by the engine. */
	m = tcp_reasm_pop(&r, 2000, &len, &fin);
	assert_non_null(m);
	assert_int_equal(len, 1000);
	assert_false(fin);
	check_data(m, 2000, 1000, tag_zero);
	rte_pktmbuf_free(m);
	assert_null(tcp_reasm_pop(&r, 3000, &len, &fin));
	/* Filling the hole joins the runs. */
	assert_int_equal(tcp_reasm_insert(&r, 3000, 3000, mk(3000, 1000, 0, 300), false), 1000);
	assert_int_equal(r.n, 1);
	check_accounting(&r);
	m = tcp_reasm_pop(&r, 3000, &len, &fin);
	assert_int_equal(len, 2000);
	check_data(m, 3000, 2000, tag_zero);
	rte_pktmbuf_free(m);
	assert_true(tcp_reasm_empty(&r));
	assert_int_equal(r.bytes, 0);
	assert_int_equal(r.segs, 0);
	check_pool_full();
}

static uint8_t tag_left(uint32_t s) { return s < 3000 ? 0 : 1; }
static uint8_t tag_right(uint32_t s) { return s < 2000 ? 1 : 0; }
static uint8_t tag_new(uint32_t s) { (void)s; return 1; }

/* RFC 9293 §3.10.7.4 leaves the choice of copy on overlap to the
 * receiver; ours (reasm.h): keep queued bytes at partial overlaps, replace
 * runs wholly covered, drop duplicates. */
static void test_overlaps(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct rte_mbuf *m;
	uint32_t len;
	bool fin;

	/* New data overlapping the end of a run (left overlap). */
	tcp_reasm_init(&r, 0, 0);
	tcp_reasm_insert(&r, 1000, 2000, mk(2000, 1000, 0, 0), false);
	assert_int_equal(tcp_reasm_insert(&r, 1000, 2500, mk(2500, 1000, 1, 200), false), 500);
	check_accounting(&r);
	m = tcp_reasm_pop(&r, 2000, &len, &fin);
	check_data(m, 2000, 1500, tag_left);
	rte_pktmbuf_free(m);

	/* New data overlapping the start of a run (right overlap). */
	tcp_reasm_insert(&r, 1000, 2000, mk(2000, 1000, 0, 0), false);
	assert_int_equal(tcp_reasm_insert(&r, 1000, 1500, mk(1500, 1000, 1, 100), false), 500);
	check_accounting(&r);
	m = tcp_reasm_pop(&r, 1500, &len, &fin);
	check_data(m, 1500, 1500, tag_right);
	rte_pktmbuf_free(m);

	/* New data covering whole runs replaces them. */
	tcp_reasm_insert(&r, 1000, 2000, mk(2000, 500, 0, 0), false);
	tcp_reasm_insert(&r, 1000, 2700, mk(2700, 100, 0, 0), false);
	assert_int_equal(tcp_reasm_insert(&r, 1000, 1800, mk(1800, 1200, 1, 0), false), 600);
	assert_int_equal(r.n, 1);
	check_accounting(&r);
	m = tcp_reasm_pop(&r, 1800, &len, &fin);
	check_data(m, 1800, 1200, tag_new);
	rte_pktmbuf_free(m);

	/* Covering one run and overlapping the next at both edges. */
	tcp_reasm_insert(&r, 1000, 2000, mk(2000, 500, 0, 0), false);   /* [2000,2500) */
	tcp_reasm_insert(&r, 1000, 2600, mk(2600, 100, 0, 0), false);   /* [2600,2700) */
	tcp_reasm_insert(&r, 1000, 2900, mk(2900, 200, 0, 0), false);   /* [2900,3100) */
	assert_int_equal(tcp_reasm_insert(&r, 1000, 2400, mk(2400, 600, 1, 64), false), 300);
	assert_int_equal(r.n, 1);
	check_accounting(&r);
	m = tcp_reasm_pop(&r, 2000, &len, &fin);
	assert_int_equal(len, 1100);
	rte_pktmbuf_free(m);

	/* Exact duplicate and a duplicate inside a run: freed, nothing new. */
	tcp_reasm_insert(&r, 1000, 2000, mk(2000, 1000, 0, 0), false);
	assert_int_equal(tcp_reasm_insert(&r, 1000, 2000, mk(2000, 1000, 1, 0), false), TCP_REASM_DUP);
	assert_int_equal(tcp_reasm_insert(&r, 1000, 2100, mk(2100, 300, 1, 0), false), TCP_REASM_DUP);
	/* Entirely below RCV.NXT, and partly below it (trimmed). */
	assert_int_equal(tcp_reasm_insert(&r, 1000, 500, mk(500, 500, 1, 0), false), TCP_REASM_DUP);
	assert_int_equal(tcp_reasm_insert(&r, 1000, 500, mk(500, 1500, 1, 128), false), 1000);
	check_accounting(&r);
	m = tcp_reasm_pop(&r, 1000, &len, &fin);
	check_data(m, 1000, 2000, tag_right);
	rte_pktmbuf_free(m);
	tcp_reasm_clear(&r);
	check_pool_full();
}

/* RFC 9293 §3.4: sequence space wraps at 2^32. */
static void test_wraparound(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct tcp_sack_block b[4];
	struct rte_mbuf *m;
	uint32_t nxt = 0xfffffc00u, len;
	bool fin;

	tcp_reasm_init(&r, 0, 0);
	tcp_reasm_insert(&r, nxt, nxt + 2000, mk(nxt + 2000, 1000, 0, 0), false);  /* past 0 */
	tcp_reasm_insert(&r, nxt, nxt + 500, mk(nxt + 500, 1000, 0, 333), false);  /* spans 0 */
	assert_int_equal(r.n, 2);
	assert_int_equal(r.run[0].seq, nxt + 500);
	assert_int_equal(tcp_reasm_sack_blocks(&r, b, 4), 2);
	assert_int_equal(b[0].start, nxt + 500);
	assert_int_equal(b[0].end, nxt + 1500);
	tcp_reasm_insert(&r, nxt, nxt + 1200, mk(nxt + 1200, 900, 0, 0), false);
	assert_int_equal(r.n, 1);
	check_accounting(&r);
	m = tcp_reasm_pop(&r, nxt + 500, &len, &fin);
	assert_int_equal(len, 2500);
	check_data(m, nxt + 500, 2500, tag_zero);
	rte_pktmbuf_free(m);
	check_pool_full();
}

/* Bounded queue: bytes, mbufs and runs (holes); beyond, the new segment
 * is dropped and the queue is unchanged. */
static void test_limits(void **state)
{
	(void)state;
	struct tcp_reasm r;

	tcp_reasm_init(&r, 3000, 0);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(tcp_reasm_insert(&r, 0, 1000 + 2000 * i, mk(1000 + 2000 * i, 1000, 0, 0),
						  false), 1000);
	assert_int_equal(tcp_reasm_insert(&r, 0, 9000, mk(9000, 1, 0, 0), false), TCP_REASM_E_BYTES);
	assert_int_equal(r.bytes, 3000);
	/* Replacing a covered run with as many bytes fits. */
	assert_int_equal(tcp_reasm_insert(&r, 0, 1000, mk(1000, 1000, 1, 0), false), TCP_REASM_DUP);
	assert_int_equal(tcp_reasm_insert(&r, 0, 2500, mk(2500, 1100, 1, 0), false), TCP_REASM_E_BYTES);
	check_accounting(&r);
	tcp_reasm_clear(&r);
	assert_int_equal(r.bytes, 0);

	tcp_reasm_init(&r, 0, 4);
	assert_int_equal(tcp_reasm_insert(&r, 0, 1000, mk(1000, 300, 0, 100), false), 300);
	assert_int_equal(tcp_reasm_insert(&r, 0, 2000, mk(2000, 200, 0, 100), false), TCP_REASM_E_BYTES);
	assert_int_equal(tcp_reasm_insert(&r, 0, 2000, mk(2000, 100, 0, 100), false), 100);
	assert_int_equal(r.segs, 4);
	tcp_reasm_clear(&r);

	tcp_reasm_init(&r, 0, 0);
	for (uint32_t i = 0; i < TCP_REASM_MAX_RUNS; i++)
		assert_int_equal(tcp_reasm_insert(&r, 0, 100 + 200 * i, mk(100 + 200 * i, 100, 0, 0),
						  false), 100);
	assert_int_equal(tcp_reasm_insert(&r, 0, 50000, mk(50000, 10, 0, 0), false), TCP_REASM_E_RUNS);
	/* Joining two runs still works when full. */
	assert_int_equal(tcp_reasm_insert(&r, 0, 200, mk(200, 100, 0, 0), false), 100);
	assert_int_equal(r.n, TCP_REASM_MAX_RUNS - 1);
	check_accounting(&r);
	tcp_reasm_clear(&r);
	check_pool_full();
}

/* RFC 9293 §3.10.7.4 (out-of-order segments may be held, within the
 * window): the segment limit follows the receive buffer, so a window the
 * application asked for (4 MiB: mpdk-perf -w 4M, 2,872 full-sized
 * segments) can be held out of order; the configured limit (256, sized for
 * the default 256 KiB) stays the floor. With the fixed 256, a 4 MiB window
 * dropped everything past the 256th segment behind one loss. */
static void test_segs_follow_buffer(void **state)
{
	(void)state;
	struct tcp_reasm r;

	assert_int_equal(tcp_reasm_segs_for(256 * 1024, 256), 256);
	assert_int_equal(tcp_reasm_segs_for(64 * 1024, 256), 256);
	assert_int_equal(tcp_reasm_segs_for(4u << 20, 256), 4096);
	assert_int_equal(tcp_reasm_segs_for(512 * 1024, 1024), 1024);

	const uint32_t n = 600;   /* > 256, within the pool */
	tcp_reasm_init(&r, 4u << 20, tcp_reasm_segs_for(4u << 20, 256));
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(tcp_reasm_insert(&r, 0, 1460 + 1460 * i, mk(1460 + 1460 * i, 1460, 0, 0),
						  false), 1460);
	assert_int_equal(r.segs, n);
	check_accounting(&r);
	tcp_reasm_clear(&r);

	tcp_reasm_init(&r, 4u << 20, 256);   /* the old limit: refused */
	for (uint32_t i = 0; i < 256; i++)
		assert_int_equal(tcp_reasm_insert(&r, 0, 1460 + 1460 * i, mk(1460 + 1460 * i, 1460, 0, 0),
						  false), 1460);
	assert_int_equal(tcp_reasm_insert(&r, 0, 1460 * 257, mk(1460 * 257, 1460, 0, 0), false),
			 TCP_REASM_E_BYTES);
	tcp_reasm_clear(&r);
	check_pool_full();
}

/* RFC 2018 §4: the first block holds the most recently received segment,
 * then the others by recency (a duplicate counts as received). */
static void test_sack_order(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct tcp_sack_block b[4];

	tcp_reasm_init(&r, 0, 0);
	tcp_reasm_insert(&r, 0, 1000, mk(1000, 100, 0, 0), false);   /* A */
	tcp_reasm_insert(&r, 0, 3000, mk(3000, 100, 0, 0), false);   /* B */
	tcp_reasm_insert(&r, 0, 5000, mk(5000, 100, 0, 0), false);   /* C */
	tcp_reasm_insert(&r, 0, 7000, mk(7000, 100, 0, 0), false);   /* D */
	assert_int_equal(tcp_reasm_sack_blocks(&r, b, 3), 3);
	assert_int_equal(b[0].start, 7000);
	assert_int_equal(b[1].start, 5000);
	assert_int_equal(b[2].start, 3000);
	tcp_reasm_insert(&r, 0, 1100, mk(1100, 50, 0, 0), false);    /* extends A */
	assert_int_equal(tcp_reasm_sack_blocks(&r, b, 4), 4);
	assert_int_equal(b[0].start, 1000);
	assert_int_equal(b[0].end, 1150);
	assert_int_equal(b[1].start, 7000);
	tcp_reasm_insert(&r, 0, 3000, mk(3000, 50, 0, 0), false);    /* duplicate in B */
	assert_int_equal(tcp_reasm_sack_blocks(&r, b, 4), 4);
	assert_int_equal(b[0].start, 3000);
	assert_int_equal(b[1].start, 1000);
	assert_int_equal(b[2].start, 7000);
	assert_int_equal(b[3].start, 5000);
	tcp_reasm_clear(&r);
	assert_int_equal(tcp_reasm_sack_blocks(&r, b, 4), 0);
	check_pool_full();
}

/* RFC 9293 §3.10.7.4 (eighth step): an out-of-order FIN is held until the
 * data before it is in order. */
static void test_fin(void **state)
{
	(void)state;
	struct tcp_reasm r;
	struct rte_mbuf *m;
	uint32_t len;
	bool fin;

	tcp_reasm_init(&r, 0, 0);
	assert_int_equal(tcp_reasm_insert(&r, 1000, 2000, mk(2000, 500, 0, 0), true), 500);
	assert_true(r.has_fin);
	assert_int_equal(r.fin_seq, 2500);
	assert_null(tcp_reasm_pop(&r, 1000, &len, &fin));
	assert_false(fin);
	m = tcp_reasm_pop(&r, 2000, &len, &fin);
	assert_int_equal(len, 500);
	assert_true(fin);
	rte_pktmbuf_free(m);
	assert_true(tcp_reasm_empty(&r));

	/* A bare FIN ahead of RCV.NXT. */
	assert_int_equal(tcp_reasm_insert(&r, 1000, 3000, mk(3000, 0, 0, 0), true), 0);
	assert_false(tcp_reasm_empty(&r));
	assert_null(tcp_reasm_pop(&r, 3000, &len, &fin));
	assert_true(fin);
	check_pool_full();
}

/* Random segments, chains and arrival orders against a byte model: what
 * comes out is the stream, exactly once, and accounting always matches. */
static void test_random_stream(void **state)
{
	(void)state;
	struct tcp_reasm r;
	srand(12345);

	for (int round = 0; round < 40; round++) {
		uint32_t start = (uint32_t)rand() * 2654435761u;   /* anywhere, wraps too */
		uint32_t total = 20000, nxt = start;
		tcp_reasm_init(&r, 0, 0);
		while (SEQ_LT(nxt, start + total)) {
			uint32_t off = (uint32_t)rand() % 6000, len = 1 + (uint32_t)rand() % 1500;
			uint32_t seq = nxt + off - 300;
			if (SEQ_GEQ(seq, start + total))
				continue;
			if (SEQ_GT(seq + len, start + total))
				len = start + total - seq;
			if (SEQ_LT(seq, start)) {
				uint32_t cut = start - seq;
				if (cut >= len)
					continue;
				seq = start;
				len -= cut;
			}
			int rc = tcp_reasm_insert(&r, nxt, seq, mk(seq, len, 0, 64 + rand() % 700), false);
			assert_true(rc >= 0 || rc == TCP_REASM_E_RUNS);
			check_accounting(&r);
			assert_int_equal(rte_mempool_avail_count(pool) + r.segs, POOL_N);
			uint32_t got;
			bool fin;
			struct rte_mbuf *m = tcp_reasm_pop(&r, nxt, &got, &fin);
			if (m) {
				check_data(m, nxt, got, tag_zero);
				rte_pktmbuf_free(m);
				nxt += got;
			}
			check_accounting(&r);
			/* Nothing leaked: every mbuf is queued or back in the pool. */
			assert_int_equal(rte_mempool_avail_count(pool) + r.segs, POOL_N);
		}
		assert_int_equal(nxt, start + total);
		tcp_reasm_clear(&r);
		check_pool_full();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_segs_follow_buffer),
		cmocka_unit_test(test_sack_order),
		cmocka_unit_test(test_fin),
		cmocka_unit_test(test_random_stream),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
