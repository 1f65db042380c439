/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MP_JOIN (RFC 8684 §3.2) and data-level reassembly across subflows
 * (§3.3, §3.3.2, §3.3.6), black box: the test plays a Linux peer with two
 * addresses that joins a second subflow (HMACs computed with
 * mptcp/crypto.h) and then spreads one byte stream over both subflows
 * out of order, with gaps, overlaps, reinjections and duplicates. The
 * application must read exactly the original stream and the DATA_ACKs
 * the stack sends must never run ahead of the data received in order.
 */
#include "mptcp_test_util.h"

#define CH 1000   /* chunk size */

static int setup(void **state)
{
	mt_conf_reset();
	*state = NULL;
	return 0;
}

/* An established MPTCP connection (flow 0) plus a joined subflow (flow 1,
 * from 10.0.0.3, address id 1). */
static struct mt *two_subflows(void)
{
	struct mt *t = mt_new();
	mt_server_open(t);
	mt_join(t, 1, 1);
	return t;
}

/* Peer data chunk @k (DSN offset k*CH) on flow @f. */
static void chunk(struct mt *t, int f, const uint8_t *d, int k)
{
	mt_data_at(t, f, t->peer_idsn + 1 + (uint64_t)k * CH, d + k * CH, CH);
}

/* Peer data at DSN offset @off, @len bytes, on flow @f. */
static void range(struct mt *t, int f, const uint8_t *d, uint32_t off, uint16_t len)
{
	mt_data_at(t, f, t->peer_idsn + 1 + off, d + off, len);
}

/* The DATA_ACKs sent since the last call: all of them <= @expect and the
 * last (highest) == @expect. */
static void expect_dack(struct mt *t, int64_t expect, int line)
{
	struct mout s;
	int64_t best = -1;
	int n = 0;
	while (mt_pop(t, &s)) {
		const struct mptcp_opt *d = mt_opt(&s, MPTCP_SUB_DSS);
		if (d == NULL || !d->dss.has_ack)
			continue;
		int64_t rel = (uint32_t)d->dss.data_ack - (uint32_t)(t->peer_idsn + 1);
		if (rel > expect)
			fail_msg("line %d: DATA_ACK %lld beyond the in-order data %lld", line,
				 (long long)rel, (long long)expect);
		if (rel > best)
			best = rel;
		n++;
	}
	if (n == 0)
		fail_msg("line %d: no DATA_ACK sent (expected %lld)", line, (long long)expect);
	if (best != expect)
		fail_msg("line %d: DATA_ACK %lld, expected %lld", line, (long long)best, (long long)expect);
}
#define EXPECT_DACK(t, e) expect_dack(t, e, __LINE__)

/* RFC 8684 §3.2: the peer joins a second subflow with the token of our
 * key and its nonce; the SYN/ACK's truncated HMAC is
 * HMAC(Key-B||Key-A, R-B||R-A) (checked in mt_join), the third ACK
 * carries HMAC(Key-A||Key-B, R-A||R-B) and the stack answers with the
 * fourth ACK. */
static void test_join_server(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	assert_int_equal(mt_ctr(t, "mptcp_join_syn_rx"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_subflows_established"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_hmac_fail"), 0);
	struct mpdk_conn_info ci = mt_info(t);
	assert_int_equal(ci.mptcp_subflows, 2);
	struct mpdk_mptcp_subflow_info sfi[4];
	assert_int_equal(mpdk_mptcp_subflows(t->c, sfi, 4), 2);
	assert_true(sfi[0].initial);
	assert_false(sfi[1].initial);
	assert_int_equal(sfi[1].remote_addr, t->f[1].peer);
	assert_int_equal(sfi[1].remote_port, t->f[1].pport);
	assert_int_equal(sfi[1].remote_id, 1);
	assert_int_equal(sfi[1].state, MPDK_TCP_ESTABLISHED);
	/* data on the new subflow reaches the application */
	uint8_t d[CH], r[CH];
	bool eof;
	mt_pattern(d, sizeof(d), 20);
	mt_data(t, 1, d, CH);
	EXPECT_DACK(t, CH);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), CH);
	assert_memory_equal(r, d, CH);
	mt_free(t);
}

/* RFC 8684 §3.2: "If the token is unknown ... the receiver will send back
 * a reset (RST) signal": no SYN/ACK, a RST, counted. */
static void test_join_unknown_token(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	struct mflow *f = &t->f[1];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.addr_id = 1;
	o.mpj.token = t->our_token ^ 0x80000001u;
	o.mpj.nonce = 12345;
	f->pseq = f->peer_isn;
	mt_send_raw(t, 1, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	struct mout s = mt_expect(t, 1, F_RST | F_ACK);
	assert_int_equal(s.ack, f->peer_isn + 1);
	mt_expect_none(t);
	assert_int_equal(mt_ctr(t, "mptcp_join_syn_rx"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_token_unknown"), 1);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	mt_free(t);
}

/* RFC 8684 §3.2: a third ACK whose HMAC is wrong: the subflow is reset
 * (with MP_TCPRST, §3.6) and counted; the connection goes on. */
static void test_join_bad_hmac(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	struct mflow *f = &t->f[1];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.addr_id = 1;
	o.mpj.token = t->our_token;
	f->nonce_peer = 0x11112222;
	o.mpj.nonce = f->nonce_peer;
	f->pseq = f->peer_isn;
	mt_send_raw(t, 1, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 1, F_SYN | F_ACK);
	f->nonce_us = mt_opt(&s, MPTCP_SUB_JOIN)->mpj.nonce;
	f->pack = s.seq + 1;
	uint8_t h[MPTCP_HMAC_LEN];
	/* the HMAC B would compute: wrong key order (a classic mistake) */
	mptcp_join_hmac(t->our_key, t->peer_key, f->nonce_peer, f->nonce_us, h);
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_ACK;
	memcpy(o.mpj.hmac, h, MPTCP_JOIN_ACK_HMAC_LEN);
	mt_send_raw(t, 1, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_true(mt_pop(t, &s));
	assert_int_equal(s.flow, 1);
	assert_true(s.flags & F_RST);
	const struct mptcp_opt *rst = mt_opt(&s, MPTCP_SUB_TCPRST);
	assert_non_null(rst);
	assert_int_equal(rst->tcprst.reason, MPTCP_RST_EMPTCP);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_hmac_fail"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 0);
	assert_int_equal(mt_ctr(t, "mptcp_tcprst_tx"), 1);
	mt_expect_none(t);
	struct mpdk_conn_info ci = mt_info(t);
	assert_int_equal(ci.mptcp_subflows, 1);
	assert_int_equal(t->n_closed, 0);
	/* a later segment on that 4-tuple draws a plain RST */
	mt_send_raw(t, 1, f->pseq, f->pack, F_ACK, NULL, 0, "x", 1);
	s = mt_expect(t, 1, F_RST);
	/* the initial subflow still works */
	uint8_t d[100], r[100];
	bool eof;
	mt_pattern(d, sizeof(d), 21);
	mt_data(t, 0, d, 100);
	EXPECT_DACK(t, 100);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 100);
	assert_memory_equal(r, d, 100);
	/* and a correct join afterwards is accepted */
	f->pport = htons(40010);
	mt_join(t, 1, 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 1);
	assert_int_equal(mt_info(t).mptcp_subflows, 2);
	mt_free(t);
}

/* RFC 8684 §3.2 and the path manager's subflow limit (Linux's `limits
 * subflow`): a join over the limit is refused with a RST, counted. */
static void test_join_limit(void **state)
{
	(void)state;
	mt_conf.mptcp.max_subflows = 1;
	struct mt *t = two_subflows();
	struct mflow *f = &t->f[2];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.addr_id = 2;
	o.mpj.token = t->our_token;
	o.mpj.nonce = 777;
	mt_send_raw(t, 2, f->peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	struct mout s;
	assert_true(mt_pop(t, &s));
	assert_int_equal(s.flow, 2);
	assert_true(s.flags & F_RST);
	assert_int_equal(mt_ctr(t, "mptcp_join_limit"), 1);
	assert_int_equal(mt_info(t).mptcp_subflows, 2);
	mt_free(t);
}

/* RFC 8684 §3.3, §3.3.2: chunks spread over two subflows, each subflow in
 * order at its own level but the data level out of order, gaps filled
 * last. The application reads nothing before the first chunk, then the
 * exact stream; DATA_ACK = data received in order, never more. */
static void test_reasm_out_of_order_across_subflows(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	uint8_t d[6 * CH], r[6 * CH];
	bool eof;
	mt_pattern(d, sizeof(d), 22);
	chunk(t, 1, d, 1);
	EXPECT_DACK(t, 0);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	chunk(t, 0, d, 3);
	EXPECT_DACK(t, 0);
	chunk(t, 1, d, 4);
	EXPECT_DACK(t, 0);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	chunk(t, 0, d, 0);
	EXPECT_DACK(t, 2 * CH);
	size_t got = mt_read(t, r, sizeof(r), &eof);
	assert_int_equal(got, 2 * CH);
	chunk(t, 1, d, 5);
	EXPECT_DACK(t, 2 * CH);
	chunk(t, 0, d, 2);
	EXPECT_DACK(t, 6 * CH);
	got += mt_read(t, r + got, sizeof(r) - got, &eof);
	assert_int_equal(got, 6 * CH);
	assert_memory_equal(r, d, 6 * CH);
	assert_true(mt_ctr(t, "mptcp_rx_data_ooo") >= 3);
	assert_int_equal(mt_ctr(t, "mptcp_reasm_drop"), 0);
	assert_int_equal(mt_info(t).bytes_in, 6 * CH);
	mt_free(t);
}

/* RFC 8684 §3.3.6: a chunk lost on subflow 0 is reinjected by the peer on
 * subflow 1, then subflow 0 retransmits it too (TCP must): the data level
 * takes it once. The chunk after the loss waits in subflow 0's own
 * reassembly, so the DATA_ACK must not cover it before the hole there is
 * filled. */
static void test_reasm_reinjection_after_subflow_loss(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	struct mflow *f0 = &t->f[0];
	uint8_t d[3 * CH], r[3 * CH];
	bool eof;
	mt_pattern(d, sizeof(d), 23);
	chunk(t, 0, d, 0);
	EXPECT_DACK(t, CH);
	uint32_t lost = f0->pseq;
	f0->pseq += CH;                    /* chunk 1 lost on subflow 0 */
	chunk(t, 0, d, 2);                 /* subflow-level out of order */
	struct mout s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.ack, lost);     /* duplicate ACK at subflow level */
	const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
	assert_non_null(x);
	assert_int_equal((uint32_t)x->dss.data_ack, (uint32_t)(t->peer_idsn + 1 + CH));
	chunk(t, 1, d, 1);                 /* reinjected on subflow 1 */
	EXPECT_DACK(t, 2 * CH);
	size_t got = mt_read(t, r, sizeof(r), &eof);
	assert_int_equal(got, 2 * CH);
	/* subflow 0 retransmits chunk 1: a data-level duplicate; chunk 2
	 * follows out of subflow 0's reassembly */
	uint32_t save = f0->pseq;
	f0->pseq = lost;
	chunk(t, 0, d, 1);
	f0->pseq = save;
	EXPECT_DACK(t, 3 * CH);
	got += mt_read(t, r + got, sizeof(r) - got, &eof);
	assert_int_equal(got, 3 * CH);
	assert_memory_equal(r, d, 3 * CH);
	assert_true(mt_ctr(t, "mptcp_rx_data_dup") >= 1);
	mt_free(t);
}

/* RFC 8684 §3.3.6: reinjected ranges that overlap what arrived on the
 * other subflow (in order and out of order), and whole duplicates: each
 * byte reaches the application once, in order. */
static void test_reasm_overlaps_and_duplicates(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	uint8_t d[5000], r[5000];
	bool eof;
	mt_pattern(d, sizeof(d), 24);
	range(t, 0, d, 0, 1000);
	EXPECT_DACK(t, 1000);
	range(t, 1, d, 500, 1000);         /* overlaps the head */
	EXPECT_DACK(t, 1500);
	range(t, 0, d, 1000, 1000);        /* overlaps the tail of the last */
	EXPECT_DACK(t, 2000);
	range(t, 1, d, 0, 1000);           /* whole duplicate */
	EXPECT_DACK(t, 2000);
	/* out of order and overlapping each other */
	range(t, 1, d, 3500, 1000);
	EXPECT_DACK(t, 2000);
	range(t, 0, d, 3000, 1000);
	EXPECT_DACK(t, 2000);
	range(t, 1, d, 3200, 600);         /* inside what is queued */
	EXPECT_DACK(t, 2000);
	range(t, 0, d, 4400, 600);         /* overlaps the queued tail */
	EXPECT_DACK(t, 2000);
	range(t, 1, d, 1800, 1300);        /* fills the gap, overlapping both sides */
	EXPECT_DACK(t, 5000);
	size_t got = mt_read(t, r, sizeof(r), &eof);
	assert_int_equal(got, 5000);
	assert_memory_equal(r, d, 5000);
	assert_int_equal(mt_info(t).bytes_in, 5000);
	/* duplicates of everything, on both: nothing more */
	range(t, 0, d, 0, 1000);
	range(t, 1, d, 4000, 1000);
	EXPECT_DACK(t, 5000);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	mt_free(t);
}

/* RFC 8684 §3.3.3: the DATA_FIN comes on subflow 1 while data before it
 * is still missing on subflow 0: end of stream only after that data. */
static void test_data_fin_other_subflow_before_data(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	struct mflow *f1 = &t->f[1];
	uint8_t d[2 * CH], r[2 * CH];
	bool eof;
	mt_pattern(d, sizeof(d), 25);
	chunk(t, 0, d, 0);
	EXPECT_DACK(t, CH);
	struct mptcp_opt o = mt_dss(t, true, t->peer_idsn + 1 + 2 * CH, true, 0, 0, true);
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_ACK, &o, 1, NULL, 0);
	size_t got = mt_read(t, r, sizeof(r), &eof);
	assert_int_equal(got, CH);
	assert_false(eof);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	harness_poll(t->h);
	harness_clear_tx(t->h);
	chunk(t, 0, d, 1);
	EXPECT_DACK(t, 2 * CH + 1);
	got += mt_read(t, r + got, sizeof(r) - got, &eof);
	assert_int_equal(got, 2 * CH);
	assert_memory_equal(r, d, 2 * CH);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), 0);
	assert_int_equal(mt_ctr(t, "mptcp_data_fin_rx"), 1);
	mt_free(t);
}

/* What the stack sent since the last call: record each data segment's
 * bytes at its DSN (from its mapping) in @seen; check the bytes. */
static uint32_t collect(struct mt *t, const uint8_t *src, uint8_t *seen, uint32_t *per_flow)
{
	struct mout s;
	uint32_t n = 0;
	while (mt_pop(t, &s)) {
		if (s.len == 0 || s.flow < 0)
			continue;
		struct mptcp_opt_dss x = mt_dss_of(&s);
		assert_true(x.has_map);
		uint64_t at = x.dsn + (s.seq - (t->f[s.flow].our_iss + x.ssn));
		uint64_t off = at - (t->our_idsn + 1);
		assert_true(off + s.len <= 65536);
		assert_memory_equal(s.data, src + off, s.len);
		memset(seen + off, 1, s.len);
		per_flow[s.flow] += s.len;
		n += s.len;
		struct mflow *f = &t->f[s.flow];
		if (SEQ_GT(s.seq + s.len, f->pack))
			f->pack = s.seq + s.len;
	}
	return n;
}

/* RFC 8684 §3.3.6: data the stack mapped on a subflow that is reset
 * before it was DATA_ACKed is sent again on the other subflow; the peer
 * gets every byte. */
static void test_send_reinject_after_subflow_reset(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	static uint8_t d[20000], seen[65536];
	uint32_t per[MT_FLOWS] = { 0 };
	mt_pattern(d, sizeof(d), 26);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(mpdk_send(t->c, d, sizeof(d)), (ssize_t)sizeof(d));
	collect(t, d, seen, per);
	assert_true(per[0] + per[1] > 0);
	/* the peer ACKs on subflow 1 only (DATA_ACK stays), then resets
	 * subflow 0 */
	for (int k = 0; k < 30; k++) {
		mt_ack(t, 1);
		collect(t, d, seen, per);
	}
	struct mflow *f0 = &t->f[0];
	if (per[0] == 0) {
		/* the scheduler put nothing on subflow 0: nothing to test */
		skip();
	}
	uint32_t before1 = per[1];
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_RST | F_ACK, NULL, 0, NULL, 0);
	for (int k = 0; k < 60; k++) {
		mt_ack(t, 1);
		collect(t, d, seen, per);
		harness_advance(t->h, 20 * T_MS);
		collect(t, d, seen, per);
	}
	assert_true(per[1] > before1);
	for (uint32_t i = 0; i < sizeof(d); i++)
		if (!seen[i])
			fail_msg("byte %u never sent after the reset of subflow 0", i);
	assert_true(mt_ctr(t, "mptcp_reinject_bytes") > 0);
	assert_int_equal(t->n_closed, 0);
	mt_free(t);
}

/* The stack as client (flow 0), fully established: the peer's first DSS
 * told it that the peer has its key (§3.1). */
static struct mt *client_conn(void)
{
	struct mt *t = mt_new();
	mt_client_open(t);
	mt_ack(t, 0);
	mt_expect_none(t);
	return t;
}

static struct mptcp_opt add_addr(struct mt *t, uint8_t id, uint32_t addr, bool good_hmac)
{
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_ADD_ADDR;
	o.add_addr.addr_id = id;
	o.add_addr.family = MPTCP_ADDR_IPV4;
	o.add_addr.addr.v4 = addr;
	/* §3.4.1: Key = sender's key || receiver's key */
	o.add_addr.hmac = mptcp_add_addr_hmac(t->peer_key, t->our_key, &o.add_addr);
	if (!good_hmac)
		o.add_addr.hmac ^= 1;
	return o;
}

/* The peer announces 10.0.0.3 (id 1); returns the stack's MP_JOIN SYN
 * towards it (flow 1 learns the stack's port and ISN). */
static struct mout announce_and_get_join_syn(struct mt *t)
{
	struct mflow *f0 = &t->f[0], *f1 = &t->f[1];
	struct mptcp_opt o[2] = { mt_dss(t, true, 0, true, 0, 0, false),
				  add_addr(t, 1, f1->peer, true) };
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_ACK, o, 2, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_rx"), 1);
	struct mout s, syn;
	bool echo = false, got_syn = false;
	while (mt_pop(t, &s)) {
		if (s.flow == 0) {
			const struct mptcp_opt *a = mt_opt(&s, MPTCP_SUB_ADD_ADDR);
			if (a != NULL) {
				assert_true(a->add_addr.echo);
				assert_int_equal(a->add_addr.addr_id, 1);
				assert_int_equal(a->add_addr.addr.v4, f1->peer);
				echo = true;
			}
		} else if (s.dst == f1->peer && (s.flags & F_SYN)) {
			syn = s;
			got_syn = true;
		}
	}
	assert_true(echo);
	assert_true(got_syn);
	assert_int_equal(syn.flags, F_SYN);
	assert_int_equal(ntohs(syn.dport), 80);
	f1->pport = syn.dport;
	f1->uport = syn.sport;
	f1->our_iss = syn.seq;
	f1->pack = syn.seq + 1;
	f1->pseq = f1->peer_isn;
	return syn;
}

/* RFC 8684 §3.4.1 and §3.2, the stack as initiator: an ADD_ADDR with a
 * valid HMAC is echoed and joined; the join SYN names the peer's token;
 * the stack checks the SYN/ACK's truncated HMAC-B and sends HMAC-A in
 * the third ACK, again until the peer's fourth ACK confirms it; then the
 * subflow carries data. */
static void test_join_client_after_add_addr(void **state)
{
	(void)state;
	struct mt *t = client_conn();
	struct mflow *f1 = &t->f[1];
	struct mout syn = announce_and_get_join_syn(t);
	const struct mptcp_opt *j = mt_opt(&syn, MPTCP_SUB_JOIN);
	assert_non_null(j);
	assert_int_equal(j->mpj.form, MPTCP_JOIN_SYN);
	assert_int_equal(j->mpj.token, t->peer_token);
	assert_int_equal(j->mpj.addr_id, 0);   /* the initial subflow's address */
	f1->nonce_us = j->mpj.nonce;
	f1->nonce_peer = 0xabcdef01;
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYNACK;
	o.mpj.addr_id = 1;
	o.mpj.nonce = f1->nonce_peer;
	uint8_t h[MPTCP_HMAC_LEN];
	mptcp_join_hmac(t->peer_key, t->our_key, f1->nonce_peer, f1->nonce_us, h);
	o.mpj.thmac = mptcp_join_thmac(h);
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	f1->pseq++;
	struct mout s = mt_expect(t, 1, F_ACK);
	assert_int_equal(s.ack, f1->pseq);
	j = mt_opt(&s, MPTCP_SUB_JOIN);
	assert_non_null(j);
	assert_int_equal(j->mpj.form, MPTCP_JOIN_ACK);
	mptcp_join_hmac(t->our_key, t->peer_key, f1->nonce_us, f1->nonce_peer, h);
	assert_memory_equal(j->mpj.hmac, h, MPTCP_JOIN_ACK_HMAC_LEN);
	assert_int_equal(mt_ctr(t, "mptcp_join_synack_rx"), 1);
	/* §3.2: the third ACK is sent again while unconfirmed */
	unsigned again = 0;
	for (int k = 0; k < 30; k++) {
		harness_advance(t->h, 100 * T_MS);
		while (mt_pop(t, &s))
			if (s.flow == 1 && mt_opt(&s, MPTCP_SUB_JOIN) != NULL &&
			    mt_opt(&s, MPTCP_SUB_JOIN)->mpj.form == MPTCP_JOIN_ACK)
				again++;
	}
	assert_true(again >= 1);
	/* the fourth ACK: stops them */
	mt_ack(t, 1);
	harness_advance(t->h, 100 * T_MS);
	while (mt_pop(t, &s))
		;
	for (int k = 0; k < 30; k++) {
		harness_advance(t->h, 100 * T_MS);
		while (mt_pop(t, &s))
			if (s.flow == 1 && mt_opt(&s, MPTCP_SUB_JOIN) != NULL)
				fail_msg("MP_JOIN third ACK resent after the fourth ACK");
	}
	assert_int_equal(mt_info(t).mptcp_subflows, 2);
	/* the peer's data on the new subflow */
	uint8_t d[500], r[500];
	bool eof;
	mt_pattern(d, sizeof(d), 40);
	mt_data(t, 1, d, 500);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 500);
	assert_memory_equal(r, d, 500);
	mt_free(t);
}

/* RFC 8684 §3.2: a SYN/ACK whose truncated HMAC is wrong: the stack
 * resets that subflow (MP_TCPRST, §3.6), counts it, keeps the
 * connection. */
static void test_join_client_bad_synack_hmac(void **state)
{
	(void)state;
	struct mt *t = client_conn();
	struct mflow *f1 = &t->f[1];
	struct mout syn = announce_and_get_join_syn(t);
	f1->nonce_us = mt_opt(&syn, MPTCP_SUB_JOIN)->mpj.nonce;
	f1->nonce_peer = 0x01020304;
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYNACK;
	o.mpj.addr_id = 1;
	o.mpj.nonce = f1->nonce_peer;
	uint8_t h[MPTCP_HMAC_LEN];
	/* the nonces the wrong way round */
	mptcp_join_hmac(t->peer_key, t->our_key, f1->nonce_us, f1->nonce_peer, h);
	o.mpj.thmac = mptcp_join_thmac(h);
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	struct mout s;
	assert_true(mt_pop(t, &s));
	assert_int_equal(s.flow, 1);
	assert_true(s.flags & F_RST);
	const struct mptcp_opt *rst = mt_opt(&s, MPTCP_SUB_TCPRST);
	assert_non_null(rst);
	assert_int_equal(rst->tcprst.reason, MPTCP_RST_EMPTCP);
	assert_int_equal(mt_ctr(t, "mptcp_join_synack_hmac_fail"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_synack_rx"), 0);
	assert_int_equal(t->n_closed, 0);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	/* the connection still moves data */
	assert_int_equal(mpdk_send(t->c, "ping", 4), 4);
	s = mt_expect(t, 0, F_ACK);
	assert_int_equal(s.len, 4);
	mt_free(t);
}

/* RFC 8684 §3.4.1: an ADD_ADDR whose HMAC does not verify is ignored (no
 * echo, no join) and counted. */
static void test_add_addr_bad_hmac(void **state)
{
	(void)state;
	struct mt *t = client_conn();
	struct mflow *f0 = &t->f[0];
	struct mptcp_opt o[2] = { mt_dss(t, true, 0, true, 0, 0, false),
				  add_addr(t, 1, t->f[1].peer, false) };
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_ACK, o, 2, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_hmac_fail"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_rx"), 0);
	harness_advance(t->h, 500 * T_MS);
	struct mout s;
	while (mt_pop(t, &s)) {
		assert_null(mt_opt(&s, MPTCP_SUB_ADD_ADDR));
		assert_false(s.flags & F_SYN);
	}
	assert_int_equal(mt_ctr(t, "mptcp_join_tx"), 0);
	mt_free(t);
}

/* RFC 8684 §3.3: 4-byte DSNs on two subflows while the data sequence
 * crosses 2^32, the chunk after the wrap arriving first on the other
 * subflow (data-level reassembly keyed across the wrap). The peer key's
 * IDSN ends in 0xfffffd95 (test_mptcp_dss.c). */
static void test_reasm_dsn32_across_wrap(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	t->peer_key = 0x11223344000e8cb4ull;
	mt_server_open(t);
	mt_join(t, 1, 1);
	uint8_t d[3 * CH], r[3 * CH];
	bool eof;
	mt_pattern(d, sizeof(d), 27);
	uint64_t base = t->peer_idsn + 1;
	assert_true((base >> 32) != ((base + 3 * CH) >> 32));
	struct mflow *f0 = &t->f[0], *f1 = &t->f[1];
	struct mptcp_opt o;
	/* chunk 2 (past 2^32) on subflow 1, then chunk 1 (across) on
	 * subflow 1, then chunk 0 on subflow 0; all with 32-bit DSNs */
	for (int k = 2; k >= 1; k--) {
		o = mt_dss(t, true, base + (uint64_t)k * CH, false, f1->pseq - f1->peer_isn, CH, false);
		mt_send_raw(t, 1, f1->pseq, f1->pack, F_ACK, &o, 1, d + k * CH, CH);
		f1->pseq += CH;
		EXPECT_DACK(t, 0);
	}
	o = mt_dss(t, true, base, false, f0->pseq - f0->peer_isn, CH, false);
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_ACK, &o, 1, d, CH);
	f0->pseq += CH;
	EXPECT_DACK(t, 3 * CH);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 3 * CH);
	assert_memory_equal(r, d, 3 * CH);
	mt_free(t);
}

/* RFC 8684 §3.3.2, §3.3.6: many small out-of-order chunks (more holes
 * than the receiver keeps) on one subflow; what the receiver drops it
 * must not DATA_ACK, and once the peer resends the missing data at data
 * level (on the other subflow) the stream is complete and exact. */
static void test_reasm_many_holes(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	enum { N = 150, SZ = 10 };
	uint8_t d[2 * N * SZ], r[2 * N * SZ];
	bool eof;
	mt_pattern(d, sizeof(d), 28);
	/* odd pieces on subflow 1: N holes */
	for (int k = 0; k < N; k++) {
		range(t, 1, d, (uint32_t)(2 * k + 1) * SZ, SZ);
		EXPECT_DACK(t, 0);
	}
	/* even pieces on subflow 0 */
	size_t got = 0;
	for (int k = 0; k < N; k++) {
		range(t, 0, d, (uint32_t)(2 * k) * SZ, SZ);
		harness_clear_tx(t->h);
		got += mt_read(t, r + got, sizeof(r) - got, &eof);
	}
	/* the peer resends (data level, subflow 0) from what is DATA_ACKed */
	for (int round = 0; round < 2 * N && got < sizeof(d); round++) {
		mt_ack(t, 0);   /* provoke nothing; read the DATA_ACK state */
		int64_t dack = mt_info(t).bytes_in;
		assert_true((size_t)dack == got + mt_info(t).rcv_queued);
		uint32_t off = (uint32_t)dack;
		uint16_t len = (uint16_t)((sizeof(d) - off) < 500 ? (sizeof(d) - off) : 500);
		range(t, 0, d, off, len);
		harness_clear_tx(t->h);
		got += mt_read(t, r + got, sizeof(r) - got, &eof);
	}
	assert_int_equal(got, sizeof(d));
	assert_memory_equal(r, d, sizeof(d));
	mt_free(t);
}

/* RFC 8684 §3.3.1: a segment the stack retransmits carries the same
 * mapping as the first time (Linux resets a subflow whose mapping
 * changes: "DSS not matching"). */
static void test_retransmit_same_mapping(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	uint8_t d[3000];
	mt_pattern(d, sizeof(d), 29);
	assert_int_equal(mpdk_send(t->c, d, sizeof(d)), (ssize_t)sizeof(d));
	struct mout first[8], s;
	int n = 0;
	while (n < 8 && mt_pop(t, &first[n]))
		if (first[n].len > 0)
			n++;
	assert_true(n >= 2);
	/* nothing acknowledged: the RTO resends the first segment */
	int rtx = 0;
	for (int k = 0; k < 40 && rtx == 0; k++) {
		harness_advance(t->h, 100 * T_MS);
		while (mt_pop(t, &s)) {
			if (s.len == 0)
				continue;
			for (int i = 0; i < n; i++) {
				if (first[i].seq != s.seq)
					continue;
				struct mptcp_opt_dss a = mt_dss_of(&first[i]), b = mt_dss_of(&s);
				assert_true(a.dsn == b.dsn);
				assert_int_equal(a.ssn, b.ssn);
				assert_int_equal(a.data_len, b.data_len);
				assert_memory_equal(s.data, first[i].data, s.len < first[i].len ? s.len : first[i].len);
				rtx++;
			}
		}
	}
	assert_true(rtx >= 1);
	mt_free(t);
}

/* RFC 8684 §3.3.3 (a subflow FIN is not a DATA_FIN): the peer closes
 * subflow 1 after sending data on it; the data is delivered, the stack
 * closes that subflow and the connection goes on over subflow 0. */
static void test_subflow_fin_connection_continues(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	struct mflow *f1 = &t->f[1];
	uint8_t d[2 * CH], r[2 * CH];
	bool eof;
	mt_pattern(d, sizeof(d), 30);
	mt_data(t, 1, d, CH);
	EXPECT_DACK(t, CH);
	struct mptcp_opt o = mt_dss(t, true, 0, true, 0, 0, false);
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_ACK | F_FIN, &o, 1, NULL, 0);
	f1->pseq++;
	struct mout s;
	bool fin = false;
	while (mt_pop(t, &s))
		if (s.flow == 1 && (s.flags & F_FIN)) {
			fin = true;
			assert_int_equal(s.ack, f1->pseq);
		}
	assert_true(fin);
	assert_int_equal(t->n_closed, 0);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), CH);
	assert_false(eof);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	mt_data(t, 0, d + CH, CH);
	assert_int_equal(mt_read(t, r + CH, sizeof(r) - CH, &eof), CH);
	assert_memory_equal(r, d, 2 * CH);
	mt_free(t);
}

/* RFC 8684 §3.5: MP_FASTCLOSE with our key: the connection is reset at
 * once, every subflow gets a RST, the application sees ECONNRESET. */
static void test_fastclose_rx(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	struct mflow *f0 = &t->f[0];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_FASTCLOSE;
	o.fastclose.rcv_key = t->our_key;
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_ACK, &o, 1, NULL, 0);
	struct mout s;
	bool rst[MT_FLOWS] = { false };
	while (mt_pop(t, &s))
		if (s.flow >= 0 && (s.flags & F_RST))
			rst[s.flow] = true;
	assert_true(rst[0]);
	assert_true(rst[1]);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, -ECONNRESET);
	assert_int_equal(mt_ctr(t, "mptcp_fastclose_rx"), 1);
	mt_free(t);
}

/* RFC 8684 §3.5: a wrong key in MP_FASTCLOSE is ignored. */
static void test_fastclose_wrong_key(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	struct mflow *f0 = &t->f[0];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_FASTCLOSE;
	o.fastclose.rcv_key = t->peer_key;
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_ACK, &o, 1, NULL, 0);
	struct mout s;
	while (mt_pop(t, &s))
		assert_false(s.flags & F_RST);
	assert_int_equal(t->n_closed, 0);
	assert_int_equal(mt_info(t).mptcp_subflows, 2);
	mt_free(t);
}

/* RFC 8684 §3.5: mpdk_abort sends MP_FASTCLOSE carrying the peer's key
 * (on the RSTs). */
static void test_abort_sends_fastclose(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	assert_int_equal(mpdk_abort(t->c), 0);
	struct mout s;
	bool fc = false;
	int rsts = 0;
	while (mt_pop(t, &s)) {
		const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_FASTCLOSE);
		if (x != NULL) {
			assert_true(x->fastclose.rcv_key == t->peer_key);
			fc = true;
		}
		if (s.flags & F_RST)
			rsts++;
	}
	assert_true(fc);
	assert_int_equal(rsts, 2);
	mt_free(t);
}

static uint32_t rnd_state;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* RFC 8684 §3.3, §3.3.2, §3.3.6 as a property: a 480 KB stream cut into
 * random chunks, each batch shuffled across two subflows (every subflow
 * in order at its own level), with random duplicates and overlapping
 * resends on the other subflow. The application must read exactly the
 * stream; every DATA_ACK must be <= the prefix received so far and they
 * must never go backwards. Seeded: the same run every time. */
static void test_reasm_random_property(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	enum { TOTAL = 480000, BATCH = 24000, MAXC = 1400, MAXN = 128 };
	static uint8_t d[TOTAL], r[TOTAL], have[TOTAL];
	mt_pattern(d, sizeof(d), 41);
	memset(have, 0, sizeof(have));
	rnd_state = 20261124;
	size_t got = 0, prefix = 0;
	int64_t last_dack = 0;
	bool eof;
	for (uint32_t b0 = 0; b0 < TOTAL; b0 += BATCH) {
		struct { uint32_t off; uint16_t len; } c[MAXN];
		unsigned n = 0;
		for (uint32_t off = b0; off < b0 + BATCH && n < MAXN - 8;) {
			uint16_t len = (uint16_t)(1 + rnd() % MAXC);
			if (off + len > b0 + BATCH)
				len = (uint16_t)(b0 + BATCH - off);
			c[n].off = off;
			c[n].len = len;
			n++;
			off += len;
		}
		assert_true(c[n - 1].off + c[n - 1].len == b0 + BATCH);
		/* duplicates and overlapping resends */
		unsigned extra = 1 + rnd() % 6;
		for (unsigned k = 0; k < extra; k++) {
			uint32_t off = b0 + rnd() % (BATCH - 1);
			uint16_t len = (uint16_t)(1 + rnd() % MAXC);
			if (off + len > b0 + BATCH)
				len = (uint16_t)(b0 + BATCH - off);
			c[n].off = off;
			c[n].len = len;
			n++;
		}
		for (unsigned k = n - 1; k > 0; k--) {
			unsigned j = rnd() % (k + 1);
			typeof(c[0]) tmp = c[k];
			c[k] = c[j];
			c[j] = tmp;
		}
		for (unsigned k = 0; k < n; k++) {
			range(t, (int)(rnd() % 2), d, c[k].off, c[k].len);
			memset(have + c[k].off, 1, c[k].len);
			while (prefix < TOTAL && have[prefix])
				prefix++;
			struct mout s;
			while (mt_pop(t, &s)) {
				const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
				if (x == NULL || !x->dss.has_ack)
					continue;
				int64_t rel = (uint32_t)((uint32_t)x->dss.data_ack -
							 (uint32_t)(t->peer_idsn + 1));
				if (rel > (int64_t)prefix)
					fail_msg("DATA_ACK %lld beyond the prefix received %zu", (long long)rel,
						 prefix);
				if (rel < last_dack)
					fail_msg("DATA_ACK went back from %lld to %lld", (long long)last_dack,
						 (long long)rel);
				last_dack = rel;
			}
			if (rnd() % 4 == 0)
				got += mt_read(t, r + got, sizeof(r) - got, &eof);
		}
		got += mt_read(t, r + got, sizeof(r) - got, &eof);
		assert_int_equal(got, b0 + BATCH);
		assert_int_equal(last_dack, b0 + BATCH);
	}
	assert_int_equal(got, TOTAL);
	assert_memory_equal(r, d, TOTAL);
	assert_int_equal(mt_ctr(t, "mptcp_dss_bad_map"), 0);
	assert_int_equal(t->n_closed, 0);
	mt_free(t);
}

/* RFC 8684 §3.2 (B flag) and §3.3.8 (MP_PRIO): a subflow joined as backup
 * carries no data while the other is usable; MP_PRIO turning the first
 * into a backup and the second into a regular subflow moves the data. */
static void test_backup_subflow_and_mp_prio(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	/* join with B set */
	struct mflow *f = &t->f[1];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.backup = true;
	o.mpj.addr_id = 1;
	o.mpj.token = t->our_token;
	f->nonce_peer = 0x600d;
	o.mpj.nonce = f->nonce_peer;
	f->pseq = f->peer_isn;
	mt_send_raw(t, 1, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 1, F_SYN | F_ACK);
	f->nonce_us = mt_opt(&s, MPTCP_SUB_JOIN)->mpj.nonce;
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	uint8_t h[MPTCP_HMAC_LEN];
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_ACK;
	mptcp_join_hmac(t->peer_key, t->our_key, f->nonce_peer, f->nonce_us, h);
	memcpy(o.mpj.hmac, h, MPTCP_JOIN_ACK_HMAC_LEN);
	mt_send_raw(t, 1, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	mt_expect(t, 1, F_ACK);
	struct mpdk_mptcp_subflow_info sfi[4];
	assert_int_equal(mpdk_mptcp_subflows(t->c, sfi, 4), 2);
	assert_true(sfi[1].backup);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	static uint8_t d[20000], seen[65536];
	uint32_t per[MT_FLOWS] = { 0 };
	mt_pattern(d, sizeof(d), 42);
	assert_int_equal(mpdk_send(t->c, d, 8000), 8000);
	for (int k = 0; k < 5; k++) {
		collect(t, d, seen, per);
		t->dack = t->our_idsn + 1 + per[0] + per[1];
		mt_ack(t, 0);
	}
	collect(t, d, seen, per);
	assert_int_equal(per[0], 8000);
	assert_int_equal(per[1], 0);
	/* MP_PRIO: subflow 0 backup, subflow 1 regular (each on itself) */
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_PRIO;
	o.prio.backup = true;
	struct mptcp_opt o2[2] = { mt_dss(t, true, 0, true, 0, 0, false), o };
	mt_send_raw(t, 0, t->f[0].pseq, t->f[0].pack, F_ACK, o2, 2, NULL, 0);
	o2[1].prio.backup = false;
	mt_send_raw(t, 1, f->pseq, f->pack, F_ACK, o2, 2, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_prio_rx"), 2);
	collect(t, d, seen, per);
	uint32_t p0 = per[0];
	assert_int_equal(mpdk_send(t->c, d + 8000, 8000), 8000);
	for (int k = 0; k < 5; k++) {
		collect(t, d, seen, per);
		t->dack = t->our_idsn + 1 + per[0] + per[1];
		mt_ack(t, 1);
	}
	collect(t, d, seen, per);
	assert_int_equal(per[0], p0);
	assert_int_equal(per[1], 8000);
	mt_free(t);
}

/* RFC 8684 §3.2: "the third ACK ... must be reliably delivered": the
 * initiator resends it until it sees the responder's ACK (the fourth).
 * If that fourth ACK was lost, the resent third ACK must draw another
 * ACK from the responder, or the initiator never learns the join is
 * done (Linux gives up and resets the subflow). */
static void test_join_third_ack_resent_is_answered(void **state)
{
	(void)state;
	struct mt *t = two_subflows();   /* the fourth ACK was consumed */
	struct mflow *f = &t->f[1];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_ACK;
	uint8_t h[MPTCP_HMAC_LEN];
	mptcp_join_hmac(t->peer_key, t->our_key, f->nonce_peer, f->nonce_us, h);
	memcpy(o.mpj.hmac, h, MPTCP_JOIN_ACK_HMAC_LEN);
	mt_send_raw(t, 1, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	struct mout s = mt_expect(t, 1, F_ACK);
	assert_int_equal(s.ack, f->pseq);
	assert_int_equal(mt_info(t).mptcp_subflows, 2);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_hmac_fail"), 0);
	mt_free(t);
}

/* RFC 8684 §3.3.3: the whole close: our DATA_FIN, the peer's DATA_ACK of
 * it and its own DATA_FIN: the application sees closed(0) and each
 * subflow is then closed with a TCP FIN. */
static void test_close_both_data_fins(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	assert_int_equal(mpdk_shutdown(t->c, MPDK_SHUT_WR), 0);
	struct mout s;
	bool dfin = false;
	while (mt_pop(t, &s)) {
		const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
		if (x != NULL && x->dss.data_fin) {
			dfin = true;
			assert_true(x->dss.dsn == t->our_idsn + 1);
			assert_int_equal(x->dss.data_len, 1);
		}
		assert_false(s.flags & F_FIN);
	}
	assert_true(dfin);
	t->dack = t->our_idsn + 2;
	struct mflow *f1 = &t->f[1];
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, 0, 0, true);
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, 0);
	bool fin[MT_FLOWS] = { false };
	for (int k = 0; k < 5; k++) {
		while (mt_pop(t, &s))
			if (s.flow >= 0 && (s.flags & F_FIN))
				fin[s.flow] = true;
		harness_advance(t->h, 10 * T_MS);
	}
	assert_true(fin[0]);
	assert_true(fin[1]);
	mt_free(t);
}

/* RFC 8684 §3.3.6 / §3.3.3: the initial subflow is reset by the peer;
 * the connection lives on over the joined one: data both ways, then the
 * close, all on subflow 1, and the handle stays valid throughout. */
static void test_initial_subflow_reset_connection_lives(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	struct mflow *f0 = &t->f[0], *f1 = &t->f[1];
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_RST | F_ACK, NULL, 0, NULL, 0);
	harness_clear_tx(t->h);
	assert_int_equal(t->n_closed, 0);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	uint8_t d[CH], r[CH];
	bool eof;
	mt_pattern(d, sizeof(d), 43);
	mt_data(t, 1, d, CH);
	EXPECT_DACK(t, CH);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), CH);
	assert_memory_equal(r, d, CH);
	assert_int_equal(mpdk_send(t->c, "pong", 4), 4);
	struct mout s = mt_expect(t, 1, F_ACK);
	assert_int_equal(s.len, 4);
	struct mptcp_opt_dss x = mt_dss_of(&s);
	assert_true(x.dsn == t->our_idsn + 1);
	f1->pack = s.seq + 4;
	t->dack = t->our_idsn + 5;
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, 0, 0, true);
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 0);
	assert_true(eof);
	assert_int_equal(mpdk_close(t->c), 0);
	bool dfin = false;
	while (mt_pop(t, &s)) {
		assert_int_equal(s.flow, 1);
		const struct mptcp_opt *y = mt_opt(&s, MPTCP_SUB_DSS);
		if (y != NULL && y->dss.data_fin)
			dfin = true;
	}
	assert_true(dfin);
	t->dack = t->our_idsn + 6;
	mt_ack(t, 1);
	harness_advance(t->h, 100 * T_MS);
	assert_int_equal(t->n_closed, 0);   /* no callback after mpdk_close */
	mt_free(t);
}

/* RFC 8684 §3.3.4: data far beyond the receive window at data level is
 * dropped (counted), not DATA_ACKed, and does not disturb the stream. */
static void test_reasm_far_beyond_window(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	uint8_t d[CH], r[CH];
	bool eof;
	mt_pattern(d, sizeof(d), 44);
	mt_data_at(t, 1, t->peer_idsn + 1 + 10u * 1000 * 1000, d, CH);
	EXPECT_DACK(t, 0);
	assert_true(mt_ctr(t, "mptcp_reasm_drop") >= 1);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	mt_data(t, 0, d, CH);
	EXPECT_DACK(t, CH);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), CH);
	assert_memory_equal(r, d, CH);
	mt_free(t);
}

/* RFC 8684 §3.7: a DSS checksum failure on one of several subflows: the
 * data is not delivered, "the affected subflow is closed with a RST that
 * includes an MP_FAIL option" carrying the DSN of the failed mapping,
 * and the connection goes on over the other subflow. */
static void test_checksum_fail_with_two_subflows(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	t->csum = true;
	mt_server_open(t);
	assert_true(mt_info(t).mptcp_checksum);
	mt_join(t, 1, 1);
	struct mflow *f1 = &t->f[1], *f0 = &t->f[0];
	uint8_t d[600], bad[300], r[600];
	bool eof;
	mt_pattern(d, sizeof(d), 45);
	memcpy(bad, d, 300);
	bad[150] ^= 0x40;
	uint32_t ssn = f1->pseq - f1->peer_isn;
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, ssn, 300, false);
	o.dss.has_csum = true;
	o.dss.csum = mptcp_dss_csum(t->pdsn, ssn, 300, mptcp_csum_partial(d, 300, 0));
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_ACK, &o, 1, bad, 300);
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 1);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	struct mout s;
	bool rst = false, fail = false;
	while (mt_pop(t, &s)) {
		if (s.flow != 1 || !(s.flags & F_RST))
			continue;
		rst = true;
		const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_FAIL);
		if (x != NULL) {
			fail = true;
			assert_true(x->fail.dsn == t->pdsn);
		}
	}
	assert_true(rst);
	assert_int_equal(t->n_closed, 0);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	/* the same data again, intact, on subflow 0 */
	ssn = f0->pseq - f0->peer_isn;
	o = mt_dss(t, true, t->pdsn, true, ssn, 300, false);
	o.dss.has_csum = true;
	o.dss.csum = mptcp_dss_csum(t->pdsn, ssn, 300, mptcp_csum_partial(d, 300, 0));
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_ACK, &o, 1, d, 300);
	f0->pseq += 300;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 300);
	assert_memory_equal(r, d, 300);
	if (!fail)
		fail_msg("RST after the checksum failure carries no MP_FAIL (RFC 8684 3.7)");
	mt_free(t);
}

/* RFC 8684 §3.3.1 + §3.3.3: with checksums, a DATA_FIN on the last data
 * mapping counts in the Data-Level Length the checksum covers; it is
 * accepted and the application gets the data, then end of stream. */
static void test_checksum_with_data_fin(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	t->csum = true;
	mt_server_open(t);
	struct mflow *f = &t->f[0];
	uint8_t d[300], r[300];
	bool eof;
	mt_pattern(d, sizeof(d), 46);
	uint32_t ssn = f->pseq - f->peer_isn;
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, ssn, 300, true);
	o.dss.has_csum = true;
	o.dss.csum = mptcp_dss_csum(t->pdsn, ssn, 301, mptcp_csum_partial(d, 300, 0));
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, d, 300);
	f->pseq += 300;
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 0);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 300);
	assert_memory_equal(r, d, 300);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), 0);
	EXPECT_DACK(t, 301);
	mt_free(t);
}

/* RFC 8684 §3.4.2: REMOVE_ADDR for the joined subflow's address id: the
 * stack closes that subflow; the connection carries on. */
static void test_remove_addr_closes_subflow(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	struct mflow *f0 = &t->f[0];
	struct mptcp_opt o[2] = { mt_dss(t, true, 0, true, 0, 0, false) };
	memset(&o[1], 0, sizeof(o[1]));
	o[1].subtype = MPTCP_SUB_REMOVE_ADDR;
	o[1].rm_addr.n_ids = 1;
	o[1].rm_addr.ids[0] = 1;
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_ACK, o, 2, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_rm_addr_rx"), 1);
	struct mout s;
	bool closed1 = false;
	while (mt_pop(t, &s))
		if (s.flow == 1 && (s.flags & (F_FIN | F_RST)))
			closed1 = true;
	assert_true(closed1);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	assert_int_equal(t->n_closed, 0);
	uint8_t d[100], r[100];
	bool eof;
	mt_pattern(d, sizeof(d), 47);
	mt_data(t, 0, d, 100);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 100);
	assert_memory_equal(r, d, 100);
	mt_free(t);
}

/* RFC 8684 §3.6: a RST with MP_TCPRST on the joined subflow: counted,
 * that subflow goes, the connection carries on. */
static void test_tcprst_rx_subflow(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	struct mflow *f1 = &t->f[1];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_TCPRST;
	o.tcprst.reason = MPTCP_RST_EBADPERF;
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_RST | F_ACK, &o, 1, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_tcprst_rx"), 1);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	assert_int_equal(t->n_closed, 0);
	struct mout s;
	while (mt_pop(t, &s))
		assert_false(s.flow == 1 && (s.flags & F_RST));
	mt_free(t);
}

/* RFC 8684 §3.1/§3.2 with a `subflow` endpoint (like `ip mptcp endpoint
 * add 10.0.0.4 subflow`): the client opens no subflow before the peer
 * has shown, with a DSS, that it has the keys; then it joins from the
 * endpoint's address with the peer's token and its address id. */
static void test_endpoint_subflow_join_after_dss(void **state)
{
	(void)state;
	mt_two_local = true;
	mt_conf.mptcp.n_endpoints = 1;
	mt_conf.mptcp.endpoints[0].addr = mt_ip("10.0.0.4");
	mt_conf.mptcp.endpoints[0].flags = MPDK_MPTCP_EP_SUBFLOW;
	mt_conf.mptcp.endpoints[0].id = 7;
	struct mt *t = mt_new();
	mt_client_open(t);
	harness_advance(t->h, 200 * T_MS);
	struct mout s;
	while (mt_pop(t, &s))
		assert_false(s.flags & F_SYN);
	mt_ack(t, 0);   /* the first DSS from the server */
	bool syn = false;
	while (mt_pop(t, &s)) {
		if (!(s.flags & F_SYN))
			continue;
		syn = true;
		assert_int_equal(s.src, mt_ip("10.0.0.4"));
		assert_int_equal(s.dst, t->f[0].peer);
		assert_int_equal(s.dport, t->f[0].pport);
		const struct mptcp_opt *j = mt_opt(&s, MPTCP_SUB_JOIN);
		assert_non_null(j);
		assert_int_equal(j->mpj.form, MPTCP_JOIN_SYN);
		assert_int_equal(j->mpj.token, t->peer_token);
		assert_int_equal(j->mpj.addr_id, 7);
		assert_false(j->mpj.backup);
	}
	assert_true(syn);
	assert_int_equal(mt_ctr(t, "mptcp_join_tx"), 1);
	mt_free(t);
}

/* RFC 8684 §3.3.6: a path that goes silent (no reset, just nothing
 * acknowledged): after its RTOs the data mapped on it is sent again on
 * the other subflow, so the peer gets every byte; once DATA_ACKed, the
 * connection is idle (no endless resending). */
static void test_send_reinject_after_silent_path(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	static uint8_t d[12000], seen[65536];
	uint32_t per[MT_FLOWS] = { 0 };
	mt_pattern(d, sizeof(d), 48);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(mpdk_send(t->c, d, sizeof(d)), (ssize_t)sizeof(d));
	/* subflow 0's segments vanish; only subflow 1 is answered */
	for (int k = 0; k < 100; k++) {
		t->f[0].pack = t->f[0].our_iss + 1;   /* never acknowledged */
		struct mout s;
		while (mt_pop(t, &s)) {
			if (s.len > 0 && s.flow == 0)
				per[0] += s.len;
			if (s.len == 0 || s.flow != 1)
				continue;
			struct mptcp_opt_dss x = mt_dss_of(&s);
			uint64_t at = x.dsn + (s.seq - (t->f[1].our_iss + x.ssn));
			uint64_t off = at - (t->our_idsn + 1);
			assert_memory_equal(s.data, d + off, s.len);
			memset(seen + off, 1, s.len);
			per[1] += s.len;
			if (SEQ_GT(s.seq + s.len, t->f[1].pack))
				t->f[1].pack = s.seq + s.len;
		}
		/* DATA_ACK: the prefix seen on subflow 1 */
		uint32_t pre = 0;
		while (pre < sizeof(d) && seen[pre])
			pre++;
		t->dack = t->our_idsn + 1 + pre;
		mt_ack(t, 1);
		if (pre == sizeof(d))
			break;
		harness_advance(t->h, 100 * T_MS);
	}
	uint32_t pre = 0;
	while (pre < sizeof(d) && seen[pre])
		pre++;
	if (per[0] == 0)
		skip();   /* the scheduler put nothing on subflow 0 */
	if (pre != sizeof(d))
		fail_msg("only %u of %zu bytes reached the peer over the live subflow (%u sent on the "
			 "silent one)", pre, sizeof(d), per[0]);
	assert_true(mt_ctr(t, "mptcp_reinject_bytes") > 0);
	assert_int_equal(mt_info(t).snd_queued, 0);
	assert_int_equal(t->n_closed, 0);
	mt_free(t);
}

/* RFC 8684 §3.3.1, §3.3.2, §3.3.6, the stack sending: 256 KB over two
 * subflows to a peer that loses 1 segment in 8 at random (and keeps no
 * out-of-order segments: go-back-N at subflow level). Every byte must
 * arrive at the DSN its mapping says, a retransmitted segment must carry
 * the mapping it had (same subflow sequence -> same DSN), and the stream
 * must complete. Seeded: the same run every time. */
static void test_send_random_loss_property(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	enum { TOTAL = 262144, NMAP = 2048 };
	static uint8_t d[TOTAL], have[TOTAL];
	static struct { uint32_t ssn; uint16_t len; uint64_t dsn; } maps[2][NMAP];
	unsigned nmaps[2] = { 0, 0 };
	mt_pattern(d, sizeof(d), 49);
	memset(have, 0, sizeof(have));
	rnd_state = 8684;
	uint32_t queued = 0, prefix = 0;
	uint64_t base = t->our_idsn + 1;
	int rounds;
	for (rounds = 0; rounds < 3000 && prefix < TOTAL; rounds++) {
		while (queued < TOTAL) {
			ssize_t n = mpdk_send(t->c, d + queued, TOTAL - queued);
			if (n <= 0)
				break;
			queued += (uint32_t)n;
		}
		struct mout s;
		while (mt_pop(t, &s)) {
			if (s.len == 0 || s.flow < 0 || s.flow > 1)
				continue;
			struct mflow *f = &t->f[s.flow];
			struct mptcp_opt_dss x = mt_dss_of(&s);
			assert_true(x.has_map);
			/* the same mapping every time it is sent */
			bool known = false;
			for (unsigned i = 0; i < nmaps[s.flow]; i++)
				if (maps[s.flow][i].ssn == x.ssn) {
					if (maps[s.flow][i].dsn != x.dsn || maps[s.flow][i].len != x.data_len)
						fail_msg("flow %d: mapping at ssn %u changed", s.flow, x.ssn);
					known = true;
				}
			if (!known) {
				assert_true(nmaps[s.flow] < NMAP);
				maps[s.flow][nmaps[s.flow]].ssn = x.ssn;
				maps[s.flow][nmaps[s.flow]].len = x.data_len;
				maps[s.flow][nmaps[s.flow]].dsn = x.dsn;
				nmaps[s.flow]++;
			}
			if (rnd() % 8 == 0)
				continue;   /* lost */
			if (SEQ_GT(s.seq, f->pack))
				continue;   /* out of order: dropped (go-back-N peer) */
			uint64_t at = x.dsn + (s.seq - (f->our_iss + x.ssn));
			assert_true(at >= base && at - base + s.len <= TOTAL);
			assert_memory_equal(s.data, d + (at - base), s.len);
			memset(have + (at - base), 1, s.len);
			if (SEQ_GT(s.seq + s.len, f->pack))
				f->pack = s.seq + s.len;
		}
		while (prefix < TOTAL && have[prefix])
			prefix++;
		t->dack = base + prefix;
		mt_ack(t, 0);
		mt_ack(t, 1);
		harness_advance(t->h, 20 * T_MS);
	}
	if (prefix != TOTAL)
		fail_msg("after %d rounds only %u of %u bytes arrived in order", rounds, prefix, TOTAL);
	assert_int_equal(t->n_closed, 0);
	assert_int_equal(mt_info(t).mptcp_subflows, 2);
	mt_free(t);
}

/* RFC 8684 §3.5 (and RFC 2525 §2.17 for TCP): closing with unread data is
 * an abort: RSTs with MP_FASTCLOSE (the peer's key) on every subflow. */
static void test_close_with_unread_data_fastcloses(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	uint8_t d[100];
	mt_pattern(d, sizeof(d), 50);
	mt_data(t, 1, d, 100);
	harness_clear_tx(t->h);
	assert_int_equal(mpdk_close(t->c), 0);
	struct mout s;
	bool rst[MT_FLOWS] = { false }, fc = false;
	while (mt_pop(t, &s)) {
		if (s.flow >= 0 && (s.flags & F_RST))
			rst[s.flow] = true;
		const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_FASTCLOSE);
		if (x != NULL) {
			assert_true(x->fastclose.rcv_key == t->peer_key);
			fc = true;
		}
	}
	assert_true(rst[0] && rst[1]);
	assert_true(fc);
	assert_int_equal(t->n_closed, 0);   /* no callback after mpdk_close */
	mt_free(t);
}

/* RFC 8684 §3.7 + §3.2: once a connection has fallen back to TCP its
 * token no longer admits subflows: a join SYN for it gets a RST. */
static void test_join_after_fallback_refused(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	struct mflow *f0 = &t->f[0];
	uint8_t d[100], r[100];
	bool eof;
	mt_pattern(d, sizeof(d), 51);
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_ACK, NULL, 0, d, 100);   /* no DSS */
	f0->pseq += 100;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 100);
	assert_true(mt_info(t).mptcp_fallback);
	harness_clear_tx(t->h);
	struct mflow *f = &t->f[1];
	struct mptcp_opt o;
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.addr_id = 1;
	o.mpj.token = t->our_token;
	o.mpj.nonce = 99;
	mt_send_raw(t, 1, f->peer_isn, 0, F_SYN, &o, 1, NULL, 0);
	struct mout s;
	assert_true(mt_pop(t, &s));
	assert_int_equal(s.flow, 1);
	assert_true(s.flags & F_RST);
	assert_int_equal(mt_ctr(t, "mptcp_join_token_unknown"), 1);
	mt_free(t);
}

/* RFC 8684 §3.7: an infinite mapping is how a connection with ONE
 * subflow falls back; arriving on a joined subflow while another is up it
 * cannot take effect. Whatever the stack does (reset that subflow, ignore
 * it, or reset the connection), it must not stall the data level: data
 * that then arrives on subflow 0 with a proper DSS is delivered, or the
 * connection is closed - never left hanging, never wrong bytes. */
static void test_infinite_mapping_on_join_subflow(void **state)
{
	(void)state;
	struct mt *t = two_subflows();
	struct mflow *f1 = &t->f[1];
	uint8_t d[600], r[600];
	bool eof;
	mt_pattern(d, sizeof(d), 52);
	mt_data(t, 0, d, 200);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 200);
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, f1->pseq - f1->peer_isn, 0, false);
	o.dss.has_map = true;   /* Data-Level Length 0: infinite mapping */
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_ACK, &o, 1, d + 200, 200);
	harness_clear_tx(t->h);
	size_t got = 200 + mt_read(t, r + 200, sizeof(r) - 200, &eof);
	/* the peer sends what follows on subflow 0, with DSS */
	t->pdsn = t->peer_idsn + 1 + got;
	mt_data(t, 0, d + got, (uint16_t)(600 - got));
	harness_advance(t->h, 100 * T_MS);
	if (t->n_closed == 0) {
		got += mt_read(t, r + got, sizeof(r) - got, &eof);
		if (got != 600)
			fail_msg("data level stalled after an infinite mapping on a joined subflow: %zu of "
				 "600 bytes (mptcp_fallback=%d, subflows=%d)", got,
				 mt_info(t).mptcp_fallback, mt_info(t).mptcp_subflows);
	}
	assert_memory_equal(r, d, got);
	mt_free(t);
}

/* RFC 8684 §3.4.1: a `signal` endpoint is announced once MPTCP is up:
 * ADD_ADDR with its id and address and the rightmost 64 bits of
 * HMAC(Key-sender || Key-receiver, id || address || port 0); the echo is
 * counted. */
static void test_signal_endpoint_add_addr(void **state)
{
	(void)state;
	mt_two_local = true;
	mt_conf.mptcp.n_endpoints = 1;
	mt_conf.mptcp.endpoints[0].addr = mt_ip("10.0.0.4");
	mt_conf.mptcp.endpoints[0].flags = MPDK_MPTCP_EP_SIGNAL;
	mt_conf.mptcp.endpoints[0].id = 5;
	struct mt *t = mt_new();
	mt_server_open(t);
	struct mout s;
	const struct mptcp_opt *a = NULL;
	struct mptcp_opt got;
	for (int k = 0; k < 5 && a == NULL; k++) {
		while (mt_pop(t, &s)) {
			const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_ADD_ADDR);
			if (x != NULL && a == NULL) {
				got = *x;
				a = &got;
			}
		}
		if (a == NULL)
			harness_advance(t->h, 50 * T_MS);
	}
	assert_non_null(a);
	assert_false(a->add_addr.echo);
	assert_int_equal(a->add_addr.addr_id, 5);
	assert_int_equal(a->add_addr.family, MPTCP_ADDR_IPV4);
	assert_int_equal(a->add_addr.addr.v4, mt_ip("10.0.0.4"));
	assert_false(a->add_addr.has_port);
	assert_true(a->add_addr.hmac == mptcp_add_addr_hmac(t->our_key, t->peer_key, &a->add_addr));
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_tx"), 1);
	/* the peer echoes it */
	struct mptcp_opt o[2] = { mt_dss(t, true, 0, true, 0, 0, false), got };
	o[1].add_addr.echo = true;
	mt_send_raw(t, 0, t->f[0].pseq, t->f[0].pack, F_ACK, o, 2, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_echo_rx"), 1);
	mt_free(t);
}

/* RFC 8684 §3 with RFC 7323 timestamps on (as Linux peers have them): the
 * MPTCP options and the timestamp fit in 40 bytes on every segment (MPTCP
 * handshakes, DSS with data, DATA_ACKs), the segments respect the peer's
 * MSS (payload + options <= 1460, RFC 6691), and the data arrives. */
static void test_timestamps_option_space(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	t->ts = true;
	t->csum = true;   /* the largest DSS: 64-bit DSN with a checksum */
	mt_server_open(t);
	mt_join(t, 1, 1);
	assert_true(mt_info(t).timestamps);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	static uint8_t d[30000], seen[65536];
	mt_pattern(d, sizeof(d), 53);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(mpdk_send(t->c, d, sizeof(d)), (ssize_t)sizeof(d));
	uint32_t total = 0;
	for (int k = 0; k < 40 && total < sizeof(d); k++) {
		struct mout s;
		while (mt_pop(t, &s)) {
			assert_true(s.o.flags & TCP_OPT_F_TS);
			assert_true(t->last_optlen <= 40);
			if (s.len == 0 || s.flow < 0)
				continue;
			if (s.len + t->last_optlen > 1460)
				fail_msg("segment of %u bytes + %u option bytes exceeds MSS 1460", s.len,
					 t->last_optlen);
			struct mptcp_opt_dss x = mt_dss_of(&s);
			assert_true(x.has_map && x.has_csum);
			uint64_t off = x.dsn + (s.seq - (t->f[s.flow].our_iss + x.ssn)) - (t->our_idsn + 1);
			assert_memory_equal(s.data, d + off, s.len);
			for (uint32_t i = 0; i < s.len; i++)
				if (!seen[off + i]) {
					seen[off + i] = 1;
					total++;
				}
			struct mflow *f = &t->f[s.flow];
			if (SEQ_GT(s.seq + s.len, f->pack))
				f->pack = s.seq + s.len;
		}
		uint32_t pre = 0;
		while (pre < sizeof(d) && seen[pre])
			pre++;
		t->dack = t->our_idsn + 1 + pre;
		mt_ack(t, 0);
		mt_ack(t, 1);
		harness_advance(t->h, 20 * T_MS);
	}
	assert_int_equal(total, sizeof(d));
	/* and the peer's data with timestamps + DSS checksum */
	uint8_t r[1000];
	bool eof;
	struct mflow *f = &t->f[1];
	uint32_t ssn = f->pseq - f->peer_isn;
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, ssn, 1000, false);
	o.dss.has_csum = true;
	o.dss.csum = mptcp_dss_csum(t->pdsn, ssn, 1000, mptcp_csum_partial(d, 1000, 0));
	mt_send_raw(t, 1, f->pseq, f->pack, F_ACK, &o, 1, d, 1000);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1000);
	assert_memory_equal(r, d, 1000);
	mt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_join_server, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_join_unknown_token, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_join_bad_hmac, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_join_limit, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_reasm_out_of_order_across_subflows, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_reasm_reinjection_after_subflow_loss, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_reasm_overlaps_and_duplicates, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_data_fin_other_subflow_before_data, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_send_reinject_after_subflow_reset, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_join_client_after_add_addr, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_join_client_bad_synack_hmac, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_add_addr_bad_hmac, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_reasm_dsn32_across_wrap, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_reasm_many_holes, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_retransmit_same_mapping, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_subflow_fin_connection_continues, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_fastclose_rx, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_fastclose_wrong_key, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_abort_sends_fastclose, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_reasm_random_property, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_backup_subflow_and_mp_prio, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_join_third_ack_resent_is_answered, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_close_both_data_fins, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_initial_subflow_reset_connection_lives, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_reasm_far_beyond_window, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_checksum_fail_with_two_subflows, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_checksum_with_data_fin, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_remove_addr_closes_subflow, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_tcprst_rx_subflow, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_subflow_join_after_dss, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_send_reinject_after_silent_path, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_send_random_loss_property, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_close_with_unread_data_fastcloses, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_join_after_fallback_refused, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_infinite_mapping_on_join_subflow, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_signal_endpoint_add_addr, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_timestamps_option_space, setup, mt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
