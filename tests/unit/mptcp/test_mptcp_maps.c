/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mapping storage of a subflow (issue 6, "memory per idle connection";
 * src/mptcp/mptcp_int.h "Map storage") against the scripted peer:
 *  - an idle subflow keeps its mappings inline: nothing on the heap;
 *  - sent mappings that are not contiguous grow the ring on the heap; once
 *    the peer acknowledges everything it is back inline;
 *  - RFC 8684 §3.3.1 ("a mapping may cover many segments"): a send that
 *    continues the last mapping in both sequence spaces extends it while
 *    none of it was sent, and every segment then carries the whole
 *    extended mapping, which contains it; once a segment of it is out the
 *    next send makes a new mapping (a receiver holding the shorter one
 *    would take the longer one as a different mapping);
 *  - with DSS checksums (§3.3.1: a checksum covers exactly its mapping)
 *    nothing merges;
 *  - received contiguous mappings without checksums merge into one entry;
 *    with checksums they stay apart (the storage grows and comes back);
 *  - the same mapping on consecutive segments (a TSO super-segment cut by
 *    the sender's NIC repeats the options on every segment, §3.3.1 /
 *    Linux) is taken once, data delivered byte for byte, with and without
 *    checksums;
 *  - a failed allocation of map storage is counted (mptcp_map_nomem): a
 *    send is refused and retried by the pool-retry timer, a received
 *    mapping dropped, never a crash.
 */
#include "mptcp_test_util.h"
#include "tcp/tcb.h"
#include "mptcp/mptcp_int.h"

static int setup(void **state)
{
	(void)state;
	mt_conf_reset();
	mptcp_map_fail_next = 0;
	return 0;
}

static struct mptcp_subflow *sf_of(struct mt *t)
{
	struct tcb *tc = tcb_from_handle(t->c);
	assert_non_null(tc);
	assert_non_null(tc->sf);
	return tc->sf;
}

static bool heap_free(const struct mptcp_subflow *sf)
{
	return mptcp_sf_mem(sf) == sizeof(*sf) && sf->tx == sf->tx_inl && sf->rx == sf->rx_inl;
}

/* The peer acknowledges (subflow level) and DATA_ACKs everything the
 * stack sent on flow 0; returns the number of data segments seen. */
static unsigned ack_all(struct mt *t)
{
	struct mflow *f = &t->f[0];
	struct mout s;
	unsigned n = 0;
	while (mt_pop(t, &s)) {
		if (s.len == 0)
			continue;
		n++;
		if (SEQ_GT(s.seq + s.len, f->pack))
			f->pack = s.seq + s.len;
		const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
		assert_non_null(x);
		assert_true(x->dss.has_map);
		uint64_t end = x->dss.dsn + x->dss.data_len;
		if (end > t->dack)
			t->dack = end;
	}
	mt_ack(t, 0);
	return n;
}

/* An idle MPTCP connection holds no map storage beyond its struct, and
 * the struct is small (it held 768 mappings inline before). */
static void test_idle_subflow_small(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	struct mptcp_subflow *sf = sf_of(t);
	assert_true(heap_free(sf));
	assert_true(sizeof(*sf) < 1024);
	/* some traffic both ways, then idle again */
	uint8_t d[3000], r[3000];
	bool eof;
	mt_pattern(d, sizeof(d), 1);
	for (int k = 0; k < 3; k++)
		mt_data(t, 0, d + k * 1000, 1000);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 3000);
	assert_memory_equal(r, d, 3000);
	assert_int_equal(mpdk_send(t->c, d, 3000), 3000);
	assert_true(ack_all(t) > 0);
	assert_int_equal(sf->tx_n, 0);
	assert_true(heap_free(sf));
	mt_free(t);
}

/* Mappings that do not continue each other (data sent again, as a
 * reinjection does) grow the ring past its inline entries; acked, the
 * storage goes back inline. A failed allocation refuses the send
 * (-ENOMEM, counted), the next one succeeds. */
static void test_tx_ring_grows_and_shrinks(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	struct mptcp_subflow *sf = sf_of(t);
	struct mptcp_meta *mp = sf->mp;
	uint8_t d[1000];
	mt_pattern(d, sizeof(d), 2);
	assert_int_equal(mpdk_send(t->c, d, 1000), 1000);
	assert_int_equal(sf->tx_n, 1);
	uint64_t dsn0 = mp->snd_una;
	unsigned want = 1;
	for (unsigned i = 0; i < 3 * MPTCP_TXMAP_INLINE; i++) {
		if (i == MPTCP_TXMAP_INLINE - 1) {
			/* the ring is full inline: the heap refuses once */
			mptcp_map_fail_next = 1;
			assert_int_equal(mptcp_sf_push(sf, dsn0 + i, 100), -ENOMEM);
			assert_int_equal(mt_ctr(t, "mptcp_map_nomem"), 1);
			assert_int_equal(sf->tx_n, want);
		}
		assert_int_equal(mptcp_sf_push(sf, dsn0 + i, 100), 0);
		want++;
		assert_int_equal(sf->tx_n, want);
	}
	assert_true(sf->tx_cap > MPTCP_TXMAP_INLINE);
	assert_true(mptcp_sf_mem(sf) > sizeof(*sf));
	/* the ring in order, whatever its growth did */
	for (unsigned i = 1; i < sf->tx_n; i++) {
		assert_int_equal(sf_txmap(sf, i)->ssn, sf_txmap(sf, i - 1)->ssn + sf_txmap(sf, i - 1)->len);
		assert_int_equal(sf_txmap(sf, i)->dsn, dsn0 + i - 1);
	}
	tcp_output(sf->t);
	unsigned segs = ack_all(t);
	assert_true(segs >= want);
	assert_int_equal(sf->tx_n, 0);
	assert_true(heap_free(sf));
	assert_int_equal(mt_ctr(t, "mptcp_dss_bad_map"), 0);
	mt_free(t);
}

/* Back-pressure, never a crash: the application's fifth small send needs
 * a fifth mapping (the first four went out, so they do not merge) and the
 * heap refuses: the bytes stay queued at the data level, counted
 * (mptcp_map_nomem), and the engine's pool-retry timer sends them once
 * memory is back. */
static void test_tx_nomem_retried(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	struct mptcp_subflow *sf = sf_of(t);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	uint8_t d[500];
	mt_pattern(d, sizeof(d), 9);
	for (unsigned k = 0; k < MPTCP_TXMAP_INLINE; k++)
		assert_int_equal(mpdk_send(t->c, d + 100 * k, 100), 100);
	assert_int_equal(sf->tx_n, MPTCP_TXMAP_INLINE);
	harness_clear_tx(t->h);
	mptcp_map_fail_next = 1000;
	assert_int_equal(mpdk_send(t->c, d + 400, 100), 100);   /* queued */
	assert_true(mt_ctr(t, "mptcp_map_nomem") >= 1);
	assert_int_equal(sf->tx_n, MPTCP_TXMAP_INLINE);
	struct mout s;
	while (mt_pop(t, &s))   /* (an early retransmission may come) */
		assert_true(SEQ_LEQ(s.seq + s.len, f->our_iss + 1 + 400));
	mptcp_map_fail_next = 0;
	harness_advance(t->h, 2 * TCP_NOBUF_RETRY_NS);
	bool sent = false;
	while (mt_pop(t, &s)) {
		if (s.len == 0 || s.seq != f->our_iss + 1 + 400)
			continue;
		sent = true;
		assert_int_equal(s.len, 100);
		assert_int_equal(s.seq, f->our_iss + 1 + 400);
		assert_memory_equal(s.data, d + 400, 100);
		struct mptcp_opt_dss m = mt_dss_of(&s);
		assert_int_equal(m.dsn, t->our_idsn + 1 + 400);
	}
	assert_true(sent);
	assert_int_equal(sf->tx_n, MPTCP_TXMAP_INLINE + 1);
	mt_free(t);
}

/* RFC 8684 §3.3.1: contiguous sends merge into the last mapping while
 * none of it was sent; every segment carries the merged mapping and lies
 * inside it. After a segment of it went out, a new mapping starts. */
static void test_tx_merge_unsent_only(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	struct mptcp_subflow *sf = sf_of(t);
	struct mptcp_meta *mp = sf->mp;
	uint8_t d[6000];
	mt_pattern(d, sizeof(d), 3);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	/* the peer's window closes: the meta keeps the data */
	f->wnd = 0;
	mt_ack(t, 0);
	assert_int_equal(mpdk_send(t->c, d, sizeof(d)), (ssize_t)sizeof(d));
	harness_clear_tx(t->h);
	uint32_t tx0 = sf->tx_n;
	uint64_t dsn = mp->snd_nxt;
	uint64_t merged0 = mt_ctr(t, "mptcp_map_merged");
	/* three contiguous pushes, nothing sent in between (as the meta
	 * does while the subflow cannot send) */
	for (int k = 0; k < 3; k++) {
		assert_int_equal(mptcp_sf_push(sf, dsn, 1000), 0);
		dsn += 1000;
		mp->snd_nxt = dsn;
	}
	assert_int_equal(sf->tx_n, tx0 + 1);
	assert_int_equal(mt_ctr(t, "mptcp_map_merged") - merged0, 2);
	const struct mptcp_txmap *x = sf_txmap(sf, sf->tx_n - 1);
	assert_int_equal(x->len, 3000);
	uint32_t map_ssn = x->ssn - f->our_iss, map_len = x->len;
	uint64_t map_dsn = x->dsn;
	/* the window opens: each segment carries the whole mapping */
	f->wnd = 65535;
	mt_ack(t, 0);
	struct mout s;
	unsigned in_map = 0;
	while (mt_pop(t, &s)) {
		if (s.len == 0)
			continue;
		struct mptcp_opt_dss m = mt_dss_of(&s);
		assert_true(m.has_map);
		uint32_t rel = s.seq - f->our_iss;
		assert_true(SEQ_GEQ(rel, m.ssn) && SEQ_LEQ(rel + s.len, m.ssn + m.data_len));
		if (m.ssn == map_ssn) {
			assert_int_equal(m.dsn, map_dsn);
			assert_int_equal(m.data_len, map_len);
			in_map += s.len;
		}
		if (SEQ_GT(s.seq + s.len, f->pack))
			f->pack = s.seq + s.len;
	}
	assert_int_equal(in_map, 3000);
	/* now sent: a continuing push is a new mapping */
	uint32_t n_before = sf->tx_n;
	assert_int_equal(mptcp_sf_push(sf, dsn, 500), 0);
	mp->snd_nxt = dsn + 500;
	assert_int_equal(sf->tx_n, n_before + 1);
	assert_int_equal(mt_ctr(t, "mptcp_dss_bad_map"), 0);
	mt_free(t);
}

/* Checksums negotiated: a checksum covers exactly its mapping (§3.3.1),
 * so contiguous sends do not merge. */
static void test_tx_no_merge_with_checksums(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	t->csum = true;
	mt_server_open(t);
	assert_true(mt_info(t).mptcp_checksum);
	struct mptcp_subflow *sf = sf_of(t);
	struct mptcp_meta *mp = sf->mp;
	uint8_t d[3000];
	mt_pattern(d, sizeof(d), 4);
	f->wnd = 0;
	mt_ack(t, 0);
	assert_int_equal(mpdk_send(t->c, d, sizeof(d)), (ssize_t)sizeof(d));
	uint32_t tx0 = sf->tx_n;
	uint64_t dsn = mp->snd_nxt;
	for (int k = 0; k < 2; k++) {
		assert_int_equal(mptcp_sf_push(sf, dsn, 700), 0);
		dsn += 700;
		mp->snd_nxt = dsn;
	}
	assert_int_equal(sf->tx_n, tx0 + 2);
	assert_int_equal(mt_ctr(t, "mptcp_map_merged"), 0);
	mt_free(t);
}

/* Received: ten contiguous 300-byte mappings, each on its own segment,
 * the first one last (subflow reordering keeps them all stored): without
 * checksums they merge into one entry (no heap); everything is delivered
 * byte for byte once the first arrives. */
static void test_rx_contiguous_maps_merge(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	mt_server_open(t);
	struct mptcp_subflow *sf = sf_of(t);
	uint8_t d[3000], r[3000];
	bool eof;
	mt_pattern(d, sizeof(d), 5);
	uint32_t seq0 = f->pseq;
	for (int k = 1; k < 10; k++) {
		struct mptcp_opt o = mt_dss(t, true, t->pdsn + 300u * k, true,
					    seq0 + 300u * k - f->peer_isn, 300, false);
		mt_send_raw(t, 0, seq0 + 300u * k, f->pack, F_ACK, &o, 1, d + 300 * k, 300);
	}
	assert_int_equal(sf->rx_n, 1);
	assert_int_equal(sf->rx[0].len, 2700);
	assert_true(heap_free(sf));
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, seq0 - f->peer_isn, 300, false);
	mt_send_raw(t, 0, seq0, f->pack, F_ACK, &o, 1, d, 300);
	f->pseq = seq0 + 3000;
	t->pdsn += 3000;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 3000);
	assert_memory_equal(r, d, 3000);
	assert_int_equal(mt_drain_dack(t), 3000);
	assert_int_equal(sf->rx_n, 0);
	assert_true(heap_free(sf));
	mt_free(t);
}

/* The same with checksums: each mapping is kept (its checksum is checked
 * over it), the storage grows past its inline entries, and is back inline
 * once the data is delivered. One allocation fails on the way: counted,
 * that mapping dropped, no crash. */
static void test_rx_checksum_maps_kept(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	t->csum = true;
	mt_server_open(t);
	struct mptcp_subflow *sf = sf_of(t);
	uint8_t d[3000], r[3000];
	bool eof;
	mt_pattern(d, sizeof(d), 6);
	uint32_t seq0 = f->pseq;
	for (int k = 1; k < 10; k++) {
		uint32_t ssn = seq0 + 300u * k - f->peer_isn;
		struct mptcp_opt o = mt_dss(t, true, t->pdsn + 300u * k, true, ssn, 300, false);
		o.dss.has_csum = true;
		o.dss.csum = mptcp_dss_csum(t->pdsn + 300u * k, ssn, 300,
					    mptcp_csum_partial(d + 300 * k, 300, 0));
		mt_send_raw(t, 0, seq0 + 300u * k, f->pack, F_ACK, &o, 1, d + 300 * k, 300);
	}
	assert_int_equal(sf->rx_n, 9);
	assert_true(sf->rx_cap >= 9);
	assert_true(mptcp_sf_mem(sf) > sizeof(*sf));
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, seq0 - f->peer_isn, 300, false);
	o.dss.has_csum = true;
	o.dss.csum = mptcp_dss_csum(t->pdsn, seq0 - f->peer_isn, 300, mptcp_csum_partial(d, 300, 0));
	mt_send_raw(t, 0, seq0, f->pack, F_ACK, &o, 1, d, 300);
	f->pseq = seq0 + 3000;
	t->pdsn += 3000;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 3000);
	assert_memory_equal(r, d, 3000);
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 0);
	assert_true(heap_free(sf));

	/* five more held back behind a gap: the fifth needs the heap, which
	 * refuses once */
	uint32_t seq1 = f->pseq;
	mptcp_map_fail_next = 1;
	for (int k = 1; k <= 5; k++) {
		uint32_t ssn = seq1 + 100u * k - f->peer_isn;
		struct mptcp_opt p = mt_dss(t, true, t->pdsn + 100u * k, true, ssn, 100, false);
		p.dss.has_csum = true;
		p.dss.csum = mptcp_dss_csum(t->pdsn + 100u * k, ssn, 100,
					    mptcp_csum_partial(d + 100 * k, 100, 0));
		mt_send_raw(t, 0, seq1 + 100u * k, f->pack, F_ACK, &p, 1, d + 100 * k, 100);
	}
	assert_int_equal(mt_ctr(t, "mptcp_map_nomem"), 1);
	assert_int_equal(sf->rx_n, 4);
	assert_true(heap_free(sf));
	/* that segment was dropped unacknowledged (its mapping could not be
	 * kept: once TCP had ACKed its bytes nothing would map them again);
	 * the peer's retransmission carries the same mapping and is taken,
	 * then the gap fills and all 600 bytes are read, in order */
	assert_int_equal(sf->t->rcvq.bytes + sf->t->reasm.bytes, 400);
	{
		uint32_t ssn = seq1 + 500u - f->peer_isn;
		struct mptcp_opt p = mt_dss(t, true, t->pdsn + 500u, true, ssn, 100, false);
		p.dss.has_csum = true;
		p.dss.csum = mptcp_dss_csum(t->pdsn + 500u, ssn, 100, mptcp_csum_partial(d + 500, 100, 0));
		mt_send_raw(t, 0, seq1 + 500u, f->pack, F_ACK, &p, 1, d + 500, 100);
	}
	assert_int_equal(sf->rx_n, 5);
	{
		uint32_t ssn = seq1 - f->peer_isn;
		struct mptcp_opt p = mt_dss(t, true, t->pdsn, true, ssn, 100, false);
		p.dss.has_csum = true;
		p.dss.csum = mptcp_dss_csum(t->pdsn, ssn, 100, mptcp_csum_partial(d, 100, 0));
		mt_send_raw(t, 0, seq1, f->pack, F_ACK, &p, 1, d, 100);
	}
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 600);
	assert_memory_equal(r, d, 600);
	mt_free(t);
}

/* A TSO super-segment as the receiver sees it (RFC 8684 §3.3.1; Linux
 * sends one mapping per super-segment and the NIC repeats the options on
 * every segment): three consecutive segments carry the same 4200-byte
 * mapping. Taken once, delivered byte for byte, no bad-mapping reset;
 * the same with a checksum over the whole mapping. */
static void repeated_mapping(bool csum)
{
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	t->csum = csum;
	mt_server_open(t);
	struct mptcp_subflow *sf = sf_of(t);
	uint8_t d[4200], r[4200];
	bool eof;
	mt_pattern(d, sizeof(d), csum ? 8 : 7);
	uint32_t ssn = f->pseq - f->peer_isn;
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, ssn, sizeof(d), false);
	if (csum) {
		o.dss.has_csum = true;
		o.dss.csum = mptcp_dss_csum(t->pdsn, ssn, sizeof(d), mptcp_csum_partial(d, sizeof(d), 0));
	}
	for (int k = 0; k < 3; k++) {
		mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, d + 1400 * k, 1400);
		f->pseq += 1400;
		assert_true(sf->rx_n <= 1);
	}
	t->pdsn += sizeof(d);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), sizeof(d));
	assert_memory_equal(r, d, sizeof(d));
	assert_int_equal(mt_drain_dack(t), sizeof(d));
	assert_int_equal(mt_ctr(t, "mptcp_dss_bad_map"), 0);
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 0);
	assert_false(mt_info(t).mptcp_fallback);
	mt_free(t);
}

static void test_rx_repeated_mapping(void **state)
{
	(void)state;
	repeated_mapping(false);
}

static void test_rx_repeated_mapping_checksum(void **state)
{
	(void)state;
	repeated_mapping(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idle_subflow_small, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_tx_ring_grows_and_shrinks, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_tx_nomem_retried, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_tx_merge_unsent_only, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_tx_no_merge_with_checksums, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_rx_contiguous_maps_merge, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_rx_checksum_maps_kept, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_rx_repeated_mapping, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_rx_repeated_mapping_checksum, setup, mt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
