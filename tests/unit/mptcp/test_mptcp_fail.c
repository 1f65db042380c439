/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MP_FAIL and the infinite mapping (RFC 8684 §3.7), black box on the
 * harness: the test plays a Linux peer byte by byte.
 *
 * A DSS checksum failure on the ONLY subflow of a connection that never
 * had another, with the data level in order, is not fatal: the receiver
 * sends MP_FAIL (the DSN of the failed mapping) on an ACK and both ends
 * carry on as single-path TCP ("infinite mapping"), as Linux does
 * (net/mptcp/subflow.c, MAPPING_BAD_CSUM with allow_infinite_fallback).
 * With several subflows the failing subflow is reset with MP_FAIL and
 * MP_TCPRST "middlebox interference" (§3.6) and the connection goes on.
 * A received MP_FAIL is answered the same way: MP_FAIL plus an infinite
 * mapping on the only subflow, a subflow reset when there are others.
 */
#include "mptcp_test_util.h"

static int setup(void **state)
{
	mt_conf_reset();
	*state = NULL;
	return 0;
}

static uint64_t be64_at(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Peer data on flow @k at t->pdsn with a DSS mapping and the checksum of
 * @good; the payload on the wire is @wire (differs from @good when a
 * "middlebox" changed it). Moves pdsn and pseq. */
static void data_csum(struct mt *t, int k, const uint8_t *good, const uint8_t *wire, uint16_t len)
{
	struct mflow *f = &t->f[k];
	uint32_t ssn = f->pseq - f->peer_isn;
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, ssn, len, false);
	o.dss.has_csum = true;
	o.dss.csum = mptcp_dss_csum(t->pdsn, ssn, len, mptcp_csum_partial(good, len, 0));
	mt_send_raw(t, k, f->pseq, f->pack, F_ACK, &o, 1, wire, len);
	f->pseq += len;
	t->pdsn += len;
}

/* Peer data on flow @k as plain TCP (no MPTCP option): what a peer that
 * fell back sends. */
static void data_plain(struct mt *t, int k, const uint8_t *d, uint16_t len)
{
	struct mflow *f = &t->f[k];
	mt_send_raw(t, k, f->pseq, f->pack, F_ACK | F_PSH, NULL, 0, d, len);
	f->pseq += len;
	t->pdsn += len;
}

/* The raw MP_FAIL option of @s must be exactly kind 30, length 12,
 * subtype 6, reserved 0, then @dsn as 8 bytes (RFC 8684 §3.7, Figure 16). */
static void check_mp_fail_bytes(const struct mout *s, uint64_t dsn)
{
	int i = mt_opt_idx(s, MPTCP_SUB_FAIL);
	assert_true(i >= 0);
	const uint8_t *p = s->mp_raw[i];
	assert_int_equal(s->mp_len[i], 12);
	assert_int_equal(p[0], 30);
	assert_int_equal(p[1], 12);
	assert_int_equal(p[2], 0x60);
	assert_int_equal(p[3], 0);
	assert_true(be64_at(p + 4) == dsn);
}

/* The peer sends MP_FAIL on a pure ACK (Linux's answer to ours). */
static void peer_mp_fail(struct mt *t, int k, uint64_t dsn)
{
	struct mflow *f = &t->f[k];
	struct mptcp_opt o[2] = { mt_dss(t, true, 0, true, 0, 0, false) };
	memset(&o[1], 0, sizeof(o[1]));
	o[1].subtype = MPTCP_SUB_FAIL;
	o[1].fail.dsn = dsn;
	mt_send_raw(t, k, f->pseq, f->pack, F_ACK, o, 2, NULL, 0);
}

/* A single-subflow connection with checksums; the peer's second mapping
 * (500 bytes at DSN *@fail_dsn) arrives with one byte changed on the way
 * (a middlebox rewrote it and fixed the TCP checksum). Checks what the
 * stack sends: MP_FAIL with that DSN, exact bytes, on an ACK that also
 * carries the DATA_ACK past the mapping (the bytes are delivered as TCP
 * delivered them, as Linux does), no RST. */
static void csum_fail_setup(struct mt *t, uint8_t *d, uint8_t *wire, size_t n, uint64_t *fail_dsn)
{
	struct mflow *f = &t->f[0];
	uint8_t r[1500];
	bool eof;
	t->csum = true;
	mt_server_open(t);
	assert_true(mt_info(t).mptcp_checksum);
	mt_pattern(d, n, 61);
	memcpy(wire, d, n);
	wire[1000 + 77] ^= 0x20;   /* inside the second mapping */
	data_csum(t, 0, d, wire, 1000);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1000);
	assert_memory_equal(r, d, 1000);
	harness_clear_tx(t->h);

	*fail_dsn = t->pdsn;
	data_csum(t, 0, d + 1000, wire + 1000, 500);
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_fallback"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_tx"), 0);   /* no RST */
	struct mout s;
	bool fail_seen = false;
	while (mt_pop(t, &s)) {
		assert_false(s.flags & F_RST);
		if (mt_opt(&s, MPTCP_SUB_FAIL) != NULL) {
			if (!fail_seen) {
				check_mp_fail_bytes(&s, *fail_dsn);
				const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
				assert_non_null(x);
				assert_int_equal((uint32_t)x->dss.data_ack, (uint32_t)t->pdsn);
			}
			fail_seen = true;
			assert_int_equal(s.ack, f->pseq);
		}
	}
	assert_true(fail_seen);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 500);
	assert_memory_equal(r, wire + 1000, 500);
	assert_int_equal(t->n_closed, 0);
}

/* RFC 8684 §3.7: "a checksum failure on the only subflow": MP_FAIL (no
 * RST); the connection stays MPTCP until the peer answers (Linux: MP_FAIL
 * on an ACK, then an infinite mapping on its next data, and no more
 * DATA_ACKs), then it is single-path TCP: the bytes under the infinite mapping and the plain TCP
 * bytes after it reach the application in order - the stream read is
 * exactly the bytes on the wire, nothing lost, nothing twice. The stack's
 * own data then goes as plain TCP and TCP's ACK completes it; the peer's
 * FIN is the end of the data stream. */
static void test_csum_fail_only_subflow_falls_back(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	static uint8_t d[4000], wire[4000], r[4000];
	bool eof;
	uint64_t fail_dsn;
	csum_fail_setup(t, d, wire, sizeof(d), &fail_dsn);
	assert_true(mt_info(t).mptcp);   /* until the peer answers */
	assert_true(mt_ctr(t, "mptcp_mp_fail_ack_tx") >= 1);

	/* the peer's answer (from then on it is single-path TCP, so are we),
	 * then its infinite mapping on data */
	peer_mp_fail(t, 0, fail_dsn);
	assert_true(mt_info(t).mptcp_fallback);
	{
		struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, f->pseq - f->peer_isn, 0, false);
		o.dss.has_map = true;
		mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, wire + 1500, 700);
		f->pseq += 700;
		t->pdsn += 700;
	}
	struct mpdk_conn_info i = mt_info(t);
	assert_true(i.mptcp_fallback);
	assert_false(i.mptcp);
	/* then plain TCP */
	data_plain(t, 0, wire + 2200, 800);
	data_plain(t, 0, wire + 3000, 1000);
	size_t got = mt_read(t, r, sizeof(r), &eof);
	assert_int_equal(got, 2500);
	assert_memory_equal(r, wire + 1500, 2500);   /* what was on the wire, in order */

	/* our data goes as plain TCP: no DSS; TCP's ACK completes it */
	harness_clear_tx(t->h);
	uint8_t out[600];
	mt_pattern(out, sizeof(out), 62);
	assert_int_equal(mpdk_send(t->c, out, sizeof(out)), (ssize_t)sizeof(out));
	struct mout s;
	uint32_t sent = 0, first = 0;
	while (mt_pop(t, &s)) {
		if (s.len == 0)
			continue;
		assert_null(mt_opt(&s, MPTCP_SUB_DSS));
		if (sent == 0)
			first = s.seq;
		assert_memory_equal(s.data, out + (s.seq - first), s.len);
		sent += s.len;
	}
	assert_int_equal(sent, sizeof(out));
	f->pack = first + sent;
	data_plain(t, 0, NULL, 0);
	assert_int_equal(mt_info(t).snd_queued, 0);

	/* the peer's FIN ends the data stream */
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK | F_FIN, NULL, 0, NULL, 0);
	f->pseq++;
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 0);
	assert_true(eof);
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 1);
	mt_free(t);
}

/* RFC 8684 §3.7, after our MP_FAIL the peer goes on as plain TCP without
 * sending an infinite mapping first: data without any mapping at the
 * in-order point is the fallback too; every byte is delivered once. */
static void test_csum_fail_then_peer_plain_tcp(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	static uint8_t d[3000], wire[3000], r[3000];
	bool eof;
	uint64_t fail_dsn;
	csum_fail_setup(t, d, wire, sizeof(d), &fail_dsn);
	data_plain(t, 0, wire + 1500, 1500);
	assert_true(mt_info(t).mptcp_fallback);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1500);
	assert_memory_equal(r, wire + 1500, 1500);
	mt_free(t);
}

/* Linux's infinite mapping on segment @k of a run that starts at
 * subflow sequence @ssn0 / DSN @dsn0 (one skb cut into segments: every
 * segment repeats the skb's DSS, Data-Level Length 0, checksum 0 as
 * Linux writes it, net/mptcp/options.c mptcp_write_options). */
static void data_infinite(struct mt *t, int k, uint32_t ssn0, uint64_t dsn0, const uint8_t *d,
			  uint16_t len)
{
	struct mflow *f = &t->f[k];
	struct mptcp_opt o = mt_dss(t, true, dsn0, true, ssn0, 0, false);
	o.dss.has_map = true;
	o.dss.has_csum = true;
	o.dss.csum = 0;
	mt_send_raw(t, k, f->pseq, f->pack, F_ACK, &o, 1, d, len);
	f->pseq += len;
	t->pdsn += len;
}

/* RFC 8684 §3.7 in the order Linux 6.18 really sends it when it is the
 * sender of the corrupted data (seen in interop mptcp_fail.sh rx): our
 * MP_FAIL; its MP_FAIL on a pure ACK; then the data it had already queued
 * on the subflow, now WITHOUT any DSS (it fell back when it built the
 * infinite-mapping skb, and after the fallback it writes no option on
 * the older skbs); then the infinite mapping, repeated on every segment
 * of that skb; then plain TCP. Every byte reaches the application once,
 * in wire order; no RST, no bad-mapping drop, no DSS or MP_FAIL from us
 * once both ends fell back, and our TCP ACKs cover all of it. */
static void test_csum_fail_linux_order_plain_then_infinite(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	static uint8_t d[7000], wire[7000], r[7000];
	bool eof;
	uint64_t fail_dsn;
	csum_fail_setup(t, d, wire, sizeof(d), &fail_dsn);
	assert_true(mt_ctr(t, "mptcp_mp_fail_ack_tx") >= 1);
	peer_mp_fail(t, 0, fail_dsn);
	assert_true(mt_info(t).mptcp_fallback);
	harness_clear_tx(t->h);

	/* queued before the peer's fallback, sent after it: no option */
	data_plain(t, 0, wire + 1500, 1400);
	data_plain(t, 0, wire + 2900, 1400);
	/* the infinite-mapping skb, three segments */
	uint32_t ssn0 = f->pseq - f->peer_isn;
	uint64_t dsn0 = t->pdsn;
	data_infinite(t, 0, ssn0, dsn0, wire + 4300, 1000);
	data_infinite(t, 0, ssn0, dsn0, wire + 5300, 1000);
	data_infinite(t, 0, ssn0, dsn0, wire + 6300, 300);
	/* and plain TCP again */
	data_plain(t, 0, wire + 6600, 400);

	size_t got = mt_read(t, r, sizeof(r), &eof);
	assert_int_equal(got, 5500);
	assert_memory_equal(r, wire + 1500, 5500);
	assert_false(eof);
	assert_int_equal(mt_ctr(t, "mptcp_dss_bad_map"), 0);
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_fallback_infinite"), 1);
	assert_int_equal(t->n_closed, 0);

	/* what we sent meanwhile (no delayed ACKs here): TCP ACKs, no RST,
	 * no MPTCP signal */
	struct mout s;
	uint32_t last_ack = 0;
	bool any = false;
	while (mt_pop(t, &s)) {
		assert_false(s.flags & F_RST);
		assert_null(mt_opt(&s, MPTCP_SUB_DSS));
		assert_null(mt_opt(&s, MPTCP_SUB_FAIL));
		last_ack = s.ack;
		any = true;
	}
	assert_true(any);
	assert_int_equal(last_ack, f->pseq);
	mt_free(t);
}

/* RFC 8684 §3.7: MP_FAIL received on the only subflow (the peer found one
 * of our mappings corrupted): the stack answers with MP_FAIL and an
 * infinite mapping (a DSS whose Data-Level Length is 0, at the DSN and
 * subflow sequence of what it sends next) and is single-path TCP from
 * then on: its data leaves without DSS, TCP ACKs complete it, the peer's
 * plain TCP data is delivered in order. */
static void test_mp_fail_rx_only_subflow(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	struct mflow *f = &t->f[0];
	uint8_t a[1000], r[1000];
	bool eof;
	mt_pattern(a, sizeof(a), 63);
	mt_data(t, 0, a, 300);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 300);
	/* our first 400 bytes: TCP-acked, DATA_ACK not yet */
	assert_int_equal(mpdk_send(t->c, a, 400), 400);
	struct mout s;
	uint32_t first = 0, sent = 0;
	while (mt_pop(t, &s))
		if (s.len > 0) {
			first = sent == 0 ? s.seq : first;
			sent += s.len;
		}
	assert_int_equal(sent, 400);
	f->pack = first + sent;
	harness_clear_tx(t->h);

	struct mptcp_opt o[2] = { mt_dss(t, true, 0, true, 0, 0, false) };
	memset(&o[1], 0, sizeof(o[1]));
	o[1].subtype = MPTCP_SUB_FAIL;
	o[1].fail.dsn = t->our_idsn + 1;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, o, 2, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_rx"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_rx_fallback"), 1);
	assert_int_equal(t->n_closed, 0);

	/* the answer: MP_FAIL and the infinite mapping, no RST */
	bool fail = false, inf = false;
	while (mt_pop(t, &s)) {
		assert_false(s.flags & F_RST);
		if (mt_opt(&s, MPTCP_SUB_FAIL) != NULL)
			fail = true;
		const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_DSS);
		if (x != NULL && x->dss.has_map && x->dss.data_len == 0) {
			inf = true;
			assert_true(x->dss.dsn == t->our_idsn + 1 + 400);
			assert_int_equal(x->dss.ssn, s.seq - f->our_iss);
		}
	}
	assert_true(fail);
	assert_true(inf);
	assert_int_equal(mt_ctr(t, "mptcp_infinite_map_tx"), 1);
	/* the 400 bytes TCP acknowledged count as delivered */
	assert_int_equal(mt_info(t).snd_queued, 0);
	assert_true(mt_info(t).mptcp_fallback);

	/* then plain TCP both ways */
	assert_int_equal(mpdk_send(t->c, a + 400, 500), 500);
	sent = 0;
	while (mt_pop(t, &s))
		if (s.len > 0) {
			assert_null(mt_opt(&s, MPTCP_SUB_DSS));
			assert_null(mt_opt(&s, MPTCP_SUB_FAIL));
			assert_memory_equal(s.data, a + 400 + sent, s.len);
			sent += s.len;
		}
	assert_int_equal(sent, 500);
	f->pack += 500;
	data_plain(t, 0, a + 300, 600);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 600);
	assert_memory_equal(r, a + 300, 600);
	assert_int_equal(mt_info(t).snd_queued, 0);

	/* the close is TCP's: our FIN is the DATA_FIN, its ACK ends our
	 * side; the peer's FIN ends the stream; closed(0) */
	harness_clear_tx(t->h);
	assert_int_equal(mpdk_shutdown(t->c, MPDK_SHUT_WR), 0);
	bool fin = false;
	while (mt_pop(t, &s))
		if (s.flags & F_FIN) {
			fin = true;
			assert_int_equal(s.seq, f->pack);
			assert_null(mt_opt(&s, MPTCP_SUB_DSS));
		}
	assert_true(fin);
	f->pack++;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK | F_FIN, NULL, 0, NULL, 0);
	f->pseq++;
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, 0);
	mt_free(t);
}

/* RFC 8684 §3.7 with checksums: part of a mapping waits for the rest (the
 * checksum covers the whole mapping) when the peer's MP_FAIL arrives. The
 * peer has not fallen back yet (it does on our infinite mapping), so its
 * mapping still holds: the bytes wait until the rest of the mapping comes
 * (here as plain TCP: the peer fell back meanwhile), the checksum over all
 * of it holds, and all 1000 bytes reach the application before the FIN. */
static void test_mp_fail_rx_releases_held_bytes(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	t->csum = true;
	mt_server_open(t);
	struct mflow *f = &t->f[0];
	uint8_t d[1000], r[1000];
	bool eof;
	mt_pattern(d, sizeof(d), 67);
	uint32_t ssn = f->pseq - f->peer_isn;
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, ssn, 1000, false);
	o.dss.has_csum = true;
	o.dss.csum = mptcp_dss_csum(t->pdsn, ssn, 1000, mptcp_csum_partial(d, 1000, 0));
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, d, 300);
	f->pseq += 300;
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	struct mptcp_opt o2[2] = { mt_dss(t, true, 0, true, 0, 0, false) };
	memset(&o2[1], 0, sizeof(o2[1]));
	o2[1].subtype = MPTCP_SUB_FAIL;
	o2[1].fail.dsn = t->our_idsn + 1;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, o2, 2, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_rx_fallback"), 1);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK | F_FIN, NULL, 0, d + 300, 700);
	f->pseq += 701;
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 0);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1000);
	assert_memory_equal(r, d, 1000);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 0);
	assert_true(eof);
	mt_free(t);
}

/* RFC 8684 §3.7, the peer's MP_FAIL answered with ours and an infinite
 * mapping: our side is plain TCP from then on, but the peer's is not
 * until it gets that infinite mapping. Until then (Linux: the rest of an
 * skb mapped before, or a data-level retransmission when DATA_ACKs stop
 * while its retransmit timer runs) its segments still carry mappings,
 * and they, not the subflow sequence, say where the bytes belong: a
 * data-level retransmission on the subflow is a duplicate, not new data.
 * Then the peer's plain TCP continues the stream. The application reads
 * every byte once, in order. */
static void test_mp_fail_rx_peer_still_mapped(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	struct mflow *f = &t->f[0];
	uint8_t a[3000], r[3000];
	bool eof;
	mt_pattern(a, sizeof(a), 71);
	mt_data(t, 0, a, 1000);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1000);
	assert_memory_equal(r, a, 1000);
	harness_clear_tx(t->h);
	peer_mp_fail(t, 0, t->our_idsn + 1);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_rx_fallback"), 1);
	assert_true(mt_info(t).mptcp_fallback);

	/* bytes 500..999 again at the data level, on new subflow sequence
	 * numbers: nothing new for the application */
	mt_data_at(t, 0, t->pdsn - 500, a + 500, 500);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	assert_true(mt_ctr(t, "mptcp_rx_data_dup") >= 1);
	/* new data, still mapped */
	mt_data(t, 0, a + 1000, 1000);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1000);
	assert_memory_equal(r, a + 1000, 1000);
	/* the peer fell back: plain TCP continues the data stream */
	data_plain(t, 0, a + 2000, 1000);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1000);
	assert_memory_equal(r, a + 2000, 1000);
	assert_int_equal(t->n_closed, 0);
	(void)f;
	mt_free(t);
}

/* The same, reordered: the peer's re-sent byte (still mapped, a
 * data-level duplicate) is late, and its infinite mapping, on the data
 * after it, arrives first, out of order. The switch to plain TCP happens
 * at the in-order point, not at the early segment: the late byte is still
 * placed by its mapping (dropped), and the data after it is delivered
 * once, in order (RFC 8684 §3.7). */
static void test_mp_fail_rx_infinite_mapping_out_of_order(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	struct mflow *f = &t->f[0];
	uint8_t a[2000], r[2000];
	bool eof;
	mt_pattern(a, sizeof(a), 73);
	mt_data(t, 0, a, 1000);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 1000);
	harness_clear_tx(t->h);
	peer_mp_fail(t, 0, t->our_idsn + 1);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_rx_fallback"), 1);

	uint32_t late = f->pseq;   /* the re-sent byte's place: held back */
	f->pseq += 1;
	/* the infinite mapping on the next 500 bytes, out of order */
	struct mptcp_opt o = mt_dss(t, true, t->pdsn, true, f->pseq - f->peer_isn, 0, false);
	o.dss.has_map = true;
	o.dss.dsn64 = true;
	o.dss.dsn = t->pdsn;
	o.dss.ssn = f->pseq - f->peer_isn;
	o.dss.data_len = 0;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, a + 1000, 500);
	f->pseq += 500;
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	/* the late byte: DSN of the last byte delivered, on its own SSN */
	mt_send_raw(t, 0, late, f->pack, F_ACK, (struct mptcp_opt[]){ mt_dss(t, true, t->pdsn - 1, true,
		    late - f->peer_isn, 1, false) }, 1, a + 999, 1);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 500);
	assert_memory_equal(r, a + 1000, 500);
	assert_true(mt_ctr(t, "mptcp_rx_data_dup") >= 1);
	/* then plain TCP */
	data_plain(t, 0, a + 1500, 500);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 500);
	assert_memory_equal(r, a + 1500, 500);
	assert_int_equal(t->n_closed, 0);
	mt_free(t);
}

/* After a fallback (RFC 8684 §3.7) the peer's segments carry no DSS, so
 * no DATA_ACK wakes the data level: when the peer's TCP window was too
 * small for a segment (RFC 9293 §3.8.6.2.1, sender SWS avoidance) our data
 * waits in the connection's queue, where TCP's persist timer cannot see
 * it, and the peer's window update - a pure ACK that ACKs nothing new -
 * must send it. (Seen against Linux: a stall until the client's timeout,
 * one run in ~40 of mptcp_fail.sh tx.) */
static void test_fallback_window_update_sends(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	mt_server_open(t);
	struct mflow *f = &t->f[0];
	uint8_t a[6000];
	struct mout s;
	mt_pattern(a, sizeof(a), 79);
	peer_mp_fail(t, 0, t->our_idsn + 1);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_rx_fallback"), 1);
	while (mt_pop(t, &s))
		;
	/* the peer's window shrinks to less than a segment */
	f->wnd = 500;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, NULL, 0, NULL, 0);
	assert_int_equal(mpdk_send(t->c, a, sizeof(a)), (int)sizeof(a));
	uint32_t sent = 0;
	while (mt_pop(t, &s))
		sent += s.len;
	assert_true(sent < sizeof(a));
	/* its window opens, nothing new ACKed */
	f->wnd = 65535;
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, NULL, 0, NULL, 0);
	uint32_t more = 0, end = 0;
	while (mt_pop(t, &s)) {
		if (s.len > 0)
			assert_null(mt_opt(&s, MPTCP_SUB_DSS));
		more += s.len;
		end = s.seq + s.len;
	}
	assert_true(more > 0);   /* the update alone sent data */
	/* the rest as the peer ACKs it */
	for (int round = 0; round < 20 && sent + more < sizeof(a); round++) {
		f->pack = end;
		mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, NULL, 0, NULL, 0);
		while (mt_pop(t, &s)) {
			more += s.len;
			if (s.len > 0)
				end = s.seq + s.len;
		}
	}
	assert_int_equal(sent + more, sizeof(a));
	mt_free(t);
}

/* An established connection (flow 0) with a joined subflow (flow 1). */
static struct mt *two_subflows(bool csum)
{
	struct mt *t = mt_new();
	t->csum = csum;
	mt_server_open(t);
	mt_join(t, 1, 1);
	harness_clear_tx(t->h);
	return t;
}

/* The RST on flow @k sent since the last pop, with its MP_TCPRST reason
 * (-1 if it has none) and whether MP_FAIL came with it (DSN in *@dsn). */
static bool find_rst(struct mt *t, int k, int *reason, bool *fail, uint64_t *dsn)
{
	struct mout s;
	bool rst = false;
	*reason = -1;
	*fail = false;
	while (mt_pop(t, &s)) {
		if (s.flow != k || !(s.flags & F_RST))
			continue;
		rst = true;
		const struct mptcp_opt *x = mt_opt(&s, MPTCP_SUB_TCPRST);
		if (x != NULL)
			*reason = x->tcprst.reason;
		x = mt_opt(&s, MPTCP_SUB_FAIL);
		if (x != NULL) {
			*fail = true;
			*dsn = x->fail.dsn;
		}
	}
	return rst;
}

/* RFC 8684 §3.7 + §3.6: a checksum failure on the INITIAL subflow while a
 * second one is joined: no fallback (two subflows); the initial subflow
 * is reset with MP_FAIL (DSN of the mapping) and MP_TCPRST "middlebox
 * interference" (0x06), nothing of the mapping is delivered, and the
 * same data sent intact on the other subflow is. */
static void test_csum_fail_two_subflows_resets_subflow(void **state)
{
	(void)state;
	struct mt *t = two_subflows(true);
	uint8_t d[400], bad[400], r[400];
	bool eof;
	mt_pattern(d, sizeof(d), 64);
	memcpy(bad, d, sizeof(bad));
	bad[10] ^= 1;
	uint64_t dsn = t->pdsn;
	data_csum(t, 0, d, bad, 400);
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_fallback"), 0);
	int reason;
	bool fail;
	uint64_t fdsn = 0;
	assert_true(find_rst(t, 0, &reason, &fail, &fdsn));
	assert_true(fail);
	assert_true(fdsn == dsn);
	assert_int_equal(reason, MPTCP_RST_EMIDDLEBOX);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_tx"), 1);
	assert_int_equal(t->n_closed, 0);
	assert_false(mt_info(t).mptcp_fallback);
	assert_int_equal(mpdk_recv(t->c, r, sizeof(r)), -EAGAIN);
	t->pdsn = dsn;
	struct mflow *f1 = &t->f[1];
	uint32_t ssn = f1->pseq - f1->peer_isn;
	struct mptcp_opt o = mt_dss(t, true, dsn, true, ssn, 400, false);
	o.dss.has_csum = true;
	o.dss.csum = mptcp_dss_csum(dsn, ssn, 400, mptcp_csum_partial(d, 400, 0));
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_ACK, &o, 1, d, 400);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 400);
	assert_memory_equal(r, d, 400);
	mt_free(t);
}

/* RFC 8684 §3.7: MP_FAIL received (not on a RST) while two subflows are
 * up: the connection cannot fall back; the subflow it came on is reset
 * (MP_TCPRST "middlebox interference") and the connection carries on over
 * the other one. */
static void test_mp_fail_rx_two_subflows_resets_subflow(void **state)
{
	(void)state;
	struct mt *t = two_subflows(false);
	struct mflow *f1 = &t->f[1];
	struct mptcp_opt o[2] = { mt_dss(t, true, 0, true, 0, 0, false) };
	memset(&o[1], 0, sizeof(o[1]));
	o[1].subtype = MPTCP_SUB_FAIL;
	o[1].fail.dsn = t->our_idsn + 1;
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_ACK, o, 2, NULL, 0);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_rx"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_rx_reset"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_rx_fallback"), 0);
	int reason;
	bool fail;
	uint64_t fdsn;
	assert_true(find_rst(t, 1, &reason, &fail, &fdsn));
	assert_int_equal(reason, MPTCP_RST_EMIDDLEBOX);
	assert_int_equal(t->n_closed, 0);
	struct mpdk_conn_info i = mt_info(t);
	assert_int_equal(i.mptcp_subflows, 1);
	assert_false(i.mptcp_fallback);
	uint8_t d[200], r[200];
	bool eof;
	mt_pattern(d, sizeof(d), 65);
	mt_data(t, 0, d, 200);
	assert_int_equal(mt_read(t, r, sizeof(r), &eof), 200);
	assert_memory_equal(r, d, 200);
	mt_free(t);
}

/* RFC 8684 §3.7: once data went twice at the data level (a reinjection),
 * an infinite mapping could duplicate bytes: a checksum failure on the
 * only subflow then resets it (with MP_FAIL) instead of falling back.
 * Here the reinjection comes from a join that failed: the connection
 * "had" another subflow (Linux: allow_infinite_fallback is cleared once a
 * join starts), so the only subflow left is reset and the connection
 * ends. */
static void test_csum_fail_after_a_join_no_fallback(void **state)
{
	(void)state;
	struct mt *t = two_subflows(true);
	struct mflow *f1 = &t->f[1];
	/* the peer resets the joined subflow */
	mt_send_raw(t, 1, f1->pseq, f1->pack, F_RST | F_ACK, NULL, 0, NULL, 0);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	harness_clear_tx(t->h);
	uint8_t d[300], bad[300];
	mt_pattern(d, sizeof(d), 66);
	memcpy(bad, d, sizeof(bad));
	bad[0] ^= 0x80;
	data_csum(t, 0, d, bad, 300);
	assert_int_equal(mt_ctr(t, "mptcp_dss_csum_bad"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_mp_fail_fallback"), 0);
	int reason;
	bool fail;
	uint64_t fdsn;
	assert_true(find_rst(t, 0, &reason, &fail, &fdsn));
	assert_true(fail);
	assert_int_equal(t->n_closed, 1);
	mt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_csum_fail_only_subflow_falls_back, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_csum_fail_then_peer_plain_tcp, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_csum_fail_linux_order_plain_then_infinite, setup,
						mt_teardown),
		cmocka_unit_test_setup_teardown(test_mp_fail_rx_only_subflow, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mp_fail_rx_releases_held_bytes, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mp_fail_rx_peer_still_mapped, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_window_update_sends, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mp_fail_rx_infinite_mapping_out_of_order, setup,
						mt_teardown),
		cmocka_unit_test_setup_teardown(test_csum_fail_two_subflows_resets_subflow, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_mp_fail_rx_two_subflows_resets_subflow, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_csum_fail_after_a_join_no_fallback, setup, mt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
