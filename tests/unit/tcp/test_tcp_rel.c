/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP reliability and flow control against a scripted peer on a virtual
 * clock: RTT/RTO (RFC 6298), Karn, fast retransmit (RFC 5681 §3.2),
 * NewReno partial ACKs (RFC 6582), SACK recovery (RFC 6675), limited
 * transmit (RFC 3042) and early retransmit (RFC 5827), PAWS and
 * window scaling (RFC 7323), zero window and persist (RFC 9293 §3.8.6.1),
 * delayed ACKs (§3.8.6.3), Nagle (§3.7.4), keepalive (§3.8.4), the
 * retransmission budget (§3.8.3) and out-of-order reassembly.
 */
#include "test_tcp_util.h"
#include <errno.h>

#define MSS 1460

static uint8_t payload[65536];

static int setup(void **state)
{
	tt_conf_reset();
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	*state = NULL;
	return 0;
}

/* Pop every data segment sent now; returns how many (seqs relative to
 * the first data byte, iss + 1). */
static int collect(struct tt *t, uint32_t *rel, uint32_t *len, int max)
{
	struct tout s;
	int n = 0;
	while (tt_pop(t, &s)) {
		if (s.len == 0)
			continue;
		assert_true(n < max);
		rel[n] = s.seq - (t->our_iss + 1);
		len[n] = s.len;
		/* payload must be the bytes the app wrote */
		assert_memory_equal(s.data, payload + rel[n], s.len);
		n++;
	}
	return n;
}

/* Open actively, queue @bytes and grow cwnd by ACKing whole flights until
 * a flight of at least @want segments is outstanding. Returns its size;
 * rel[0] is its first segment. */
static int fill_flight(struct tt *t, uint32_t bytes, int want, uint32_t *rel, uint32_t *len)
{
	tt_active_open(t);
	assert_int_equal(mpdk_send(t->c, payload, bytes), (ssize_t)bytes);
	for (;;) {
		int n = collect(t, rel, len, 64);
		assert_true(n > 0);
		if (n >= want)
			return n;
		for (int i = 0; i < n; i++)
			tt_ack(t, t->our_iss + 1 + rel[i] + len[i], 65535);
	}
}

/* RFC 6298 §2.2, §5.5, §5.6 and Karn's algorithm (§3, §5). */
static void test_rto_backoff_karn(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	assert_int_equal(mpdk_connect(t->h->e, t->peer, t->pport, 0, t->uport, &tt_handler, t, &t->c), 0);
	struct tout s = tt_expect(t, F_SYN);
	t->our_iss = s.seq;
	t->pack = s.seq + 1;
	t->pseq = 1;
	harness_advance(t->h, 100 * T_MS);          /* RTT 100 ms */
	tt_send(t, t->pseq, t->pack, F_SYN | F_ACK, 65535, NULL, 0);
	t->pseq++;
	tt_expect(t, F_ACK);
	/* first sample R: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR */
	struct mpdk_conn_info i = tt_info(t);
	assert_int_equal(i.srtt_us, 100000);
	assert_int_equal(i.rttvar_us, 50000);
	assert_int_equal(i.rto_us, 300000);
	assert_int_equal(mpdk_send(t->c, payload, 100), 100);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.len, 100);
	/* (5.4)-(5.6): retransmit after RTO, then double it */
	harness_advance(t->h, 299 * T_MS);
	tt_expect_none(t);
	harness_advance(t->h, 1 * T_MS);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.len, 100);
	assert_int_equal(tt_info(t).rto_us, 600000);
	harness_advance(t->h, 599 * T_MS);
	tt_expect_none(t);
	harness_advance(t->h, 1 * T_MS);
	s = tt_expect(t, F_ACK);
	assert_int_equal(tt_info(t).rto_us, 1200000);
	assert_int_equal(tt_ctr(t, "tcp_rto"), 2);
	/* Karn: the ACK of a retransmitted segment gives no RTT sample */
	harness_advance(t->h, 10 * T_MS);
	tt_ack(t, t->pack + 100, 65535);
	i = tt_info(t);
	assert_int_equal(i.srtt_us, 100000);
	assert_int_equal(i.retransmits, 2);
	/* a fresh segment gives a sample again: (7/8)100 + (1/8)20 */
	assert_int_equal(mpdk_send(t->c, payload, 10), 10);
	tt_expect(t, F_ACK);
	harness_advance(t->h, 20 * T_MS);
	tt_ack(t, t->pack + 110, 65535);
	assert_int_equal(tt_info(t).srtt_us, 90000);
	tt_free(t);
}

/* RFC 9293 §3.8.3 (R2) / RFC 6298: the retransmission budget ends the
 * connection with ETIMEDOUT. */
static void test_rto_budget(void **state)
{
	(void)state;
	tt_conf.data_retries = 3;
	struct tt *t = tt_new();
	tt_active_open(t);
	assert_int_equal(mpdk_send(t->c, payload, 50), 50);
	tt_expect(t, F_ACK);
	harness_advance(t->h, 60 * T_S);
	assert_int_equal(tt_ctr(t, "tcp_rto"), 3);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, -ETIMEDOUT);
	assert_int_equal(mpdk_send(t->c, payload, 1), -EBADF);
	tt_free(t);
}

/* RFC 5681 §3.2 fast retransmit on the third duplicate ACK, RFC 6582
 * §3.2 NewReno: partial ACK retransmits the next hole at once; full ACK
 * ends recovery. No SACK. */
static void test_fast_retransmit_newreno(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	uint32_t rel[64], len[64];
	int n = fill_flight(t, 40000, 6, rel, len);
	assert_true(n >= 6);
	uint32_t base = t->our_iss + 1;
	/* segments 0 and 3 of the flight are lost; 1, 2, 4.. arrive */
	uint32_t hole1 = base + rel[0], hole2 = base + rel[3];
	uint32_t cwnd0 = tt_info(t).cwnd;
	uint32_t high = base + rel[n - 1] + len[n - 1];
	/* dupacks 1 and 2 each clock out one new segment (RFC 3042 §2) */
	for (int k = 0; k < 2; k++) {
		tt_ack(t, hole1, 65535);      /* dupack k+1 (ack = una) */
		struct tout lt = tt_expect(t, F_ACK);
		assert_int_equal(lt.seq, high);
		assert_int_equal(lt.len, MSS);
		high += lt.len;
		tt_expect_none(t);
	}
	assert_int_equal(tt_ctr(t, "tcp_limited_transmit"), 2);
	assert_int_equal(tt_info(t).cwnd, cwnd0);
	uint32_t ssthresh0 = tt_info(t).ssthresh;
	tt_ack(t, hole1, 65535);      /* 3: fast retransmit */
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.seq, hole1);
	assert_int_equal(s.len, MSS);
	assert_int_equal(tt_ctr(t, "tcp_fast_retransmit"), 1);
	struct mpdk_conn_info i = tt_info(t);
	assert_true(i.ssthresh < ssthresh0);
	/* limited-transmit data is not in FlightSize (RFC 5681 §3.2) */
	assert_int_equal(i.ssthresh, (uint32_t)n * MSS / 2);
	assert_int_equal(i.cwnd, i.ssthresh + 3 * MSS);
	/* more dupacks inflate cwnd (RFC 6582 step 4) */
	tt_ack(t, hole1, 65535);
	assert_int_equal(tt_info(t).cwnd, i.ssthresh + 4 * MSS);
	harness_clear_tx(t->h);
	/* partial ACK up to the second hole: retransmit it now (step 5) */
	tt_ack(t, hole2, 65535);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.seq, hole2);
	assert_int_equal(tt_ctr(t, "tcp_partial_ack"), 1);
	assert_int_equal(tt_ctr(t, "tcp_fast_retransmit"), 1);
	/* full ACK of everything sent before recovery: exit */
	harness_clear_tx(t->h);
	tt_ack(t, high, 65535);
	i = tt_info(t);
	assert_true(i.cwnd <= i.ssthresh);
	assert_int_equal(i.retransmits, 2);
	tt_free(t);
}

/* RFC 6675: with SACK, holes are retransmitted as the scoreboard marks
 * them lost, both before the cumulative ACK moves. */
static void test_sack_recovery(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	t->peer_sack = true;
	uint32_t rel[64], len[64];
	int n = fill_flight(t, 60000, 12, rel, len);
	assert_true(tt_info(t).sack);
	assert_true(n >= 12);
	uint32_t base = t->our_iss + 1;
	uint32_t h1 = base + rel[2], h2 = base + rel[5];
	uint32_t end = base + rel[n - 1] + len[n - 1];
	/* peer got 0,1 then 3,4, then 6..: SACK blocks grow */
	tt_ack(t, h1, 65535);   /* cumulative up to the first hole */
	harness_clear_tx(t->h);
	struct tcp_opts o = tt_opts(t, F_ACK);
	o.flags |= TCP_OPT_F_SACK;
	o.n_sack = 2;
	o.sack[0].start = base + rel[6];
	o.sack[1].start = h1 + len[2];
	o.sack[1].end = h2;
	int rtx_h1 = 0, rtx_h2 = 0;
	for (int k = 7; k < n; k++) {
		o.sack[0].end = base + rel[k] + len[k];
		tt_send_raw(t, t->pseq, h1, F_ACK, 65535, &o, NULL, 0);
		struct tout s;
		while (tt_pop(t, &s)) {
			if (s.len && s.seq == h1)
				rtx_h1++;
			if (s.len && s.seq == h2)
				rtx_h2++;
		}
	}
	assert_int_equal(rtx_h1, 1);
	assert_int_equal(rtx_h2, 1);
	assert_int_equal(tt_ctr(t, "tcp_sack_recovery"), 1);
	assert_int_equal(tt_ctr(t, "tcp_rto"), 0);
	tt_ack(t, end, 65535);
	assert_int_equal(tt_info(t).retransmits, 2);
	tt_free(t);
}

/* RFC 3042 §2 limited transmit: the first and second duplicate ACKs each
 * send one new segment (within cwnd + 2*SMSS and the receive window),
 * cwnd is unchanged; a third dupACK sends none and starts recovery. */
static void test_limited_transmit(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	uint32_t rel[64], len[64];
	int n = fill_flight(t, 40000, 6, rel, len);
	uint32_t base = t->our_iss + 1;
	uint32_t una = base + rel[0];
	uint32_t nxt = base + rel[n - 1] + len[n - 1];
	struct mpdk_conn_info i0 = tt_info(t);
	tt_ack(t, una, 65535);                /* dupack 1 */
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.seq, nxt);
	assert_int_equal(s.len, MSS);
	tt_expect_none(t);
	tt_ack(t, una, 65535);                /* dupack 2 */
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.seq, nxt + MSS);
	assert_int_equal(s.len, MSS);
	tt_expect_none(t);
	struct mpdk_conn_info i = tt_info(t);
	assert_int_equal(i.cwnd, i0.cwnd);
	assert_int_equal(i.ssthresh, i0.ssthresh);
	assert_int_equal(tt_ctr(t, "tcp_limited_transmit"), 2);
	assert_int_equal(tt_ctr(t, "tcp_fast_retransmit"), 0);
	/* dupack 3: fast retransmit of SND.UNA, no third new segment */
	tt_ack(t, una, 65535);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.seq, una);
	assert_int_equal(tt_ctr(t, "tcp_limited_transmit"), 2);
	assert_int_equal(tt_ctr(t, "tcp_fast_retransmit"), 1);
	assert_int_equal(tt_ctr(t, "tcp_early_retransmit"), 0);
	tt_free(t);
}

/* Limited transmit honours the receive window (RFC 3042 §2): with the
 * offered window already full, a dupACK sends nothing new. */
static void test_limited_transmit_rwnd(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	uint32_t rel[64], len[64];
	int n = fill_flight(t, 40000, 6, rel, len);
	uint32_t base = t->our_iss + 1;
	uint32_t una = base + rel[0];
	uint16_t wnd = (uint16_t)(rel[n - 1] + len[n - 1] - rel[0]);
	tt_ack(t, una, wnd);                  /* window update: not a dupack */
	tt_expect_none(t);
	tt_ack(t, una, wnd);                  /* dupack 1, window full */
	tt_expect_none(t);
	tt_ack(t, una, wnd);                  /* dupack 2 */
	tt_expect_none(t);
	assert_int_equal(tt_ctr(t, "tcp_limited_transmit"), 0);
	tt_free(t);
}

/* RFC 5827 §3.1 early retransmit: 3 segments outstanding, nothing more
 * to send, the first is lost; the two dupACKs the peer can send trigger
 * a fast retransmit (ER_thresh = 3 - 1) without waiting for the RTO. */
static void test_early_retransmit(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_active_open(t);
	assert_int_equal(mpdk_send(t->c, payload, 3 * MSS), 3 * MSS);
	uint32_t rel[8], len[8];
	assert_int_equal(collect(t, rel, len, 8), 3);
	uint32_t una = t->our_iss + 1;
	uint64_t rto0 = tt_ctr(t, "tcp_rto");
	tt_ack(t, una, 65535);                /* dupack 1: segment 2 arrived */
	tt_expect_none(t);                    /* no new data: no limited transmit */
	tt_ack(t, una, 65535);                /* dupack 2: segment 3 arrived */
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.seq, una);
	assert_int_equal(s.len, MSS);
	assert_int_equal(tt_ctr(t, "tcp_early_retransmit"), 1);
	assert_int_equal(tt_ctr(t, "tcp_fast_retransmit"), 1);
	assert_int_equal(tt_ctr(t, "tcp_rto"), rto0);
	tt_ack(t, una + 3 * MSS, 65535);      /* full ACK ends recovery */
	assert_int_equal(tt_info(t).retransmits, 1);
	assert_int_equal(tt_ctr(t, "tcp_rto"), rto0);
	tt_free(t);
}

/* RFC 5827 §3.2 SACK variant: with 3 segments outstanding and none
 * to send, recovery starts once ER_thresh = 2 segments are SACKed. */
static void test_early_retransmit_sack(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	t->peer_sack = true;
	tt_active_open(t);
	assert_true(tt_info(t).sack);
	assert_int_equal(mpdk_send(t->c, payload, 3 * MSS), 3 * MSS);
	uint32_t rel[8], len[8];
	assert_int_equal(collect(t, rel, len, 8), 3);
	uint32_t una = t->our_iss + 1;
	struct tcp_opts o = tt_opts(t, F_ACK);
	o.flags |= TCP_OPT_F_SACK;
	o.n_sack = 1;
	o.sack[0].start = una + MSS;
	o.sack[0].end = una + 2 * MSS;
	tt_send_raw(t, t->pseq, una, F_ACK, 65535, &o, NULL, 0);
	tt_expect_none(t);
	o = tt_opts(t, F_ACK);
	o.flags |= TCP_OPT_F_SACK;
	o.n_sack = 1;
	o.sack[0].start = una + MSS;
	o.sack[0].end = una + 3 * MSS;
	tt_send_raw(t, t->pseq, una, F_ACK, 65535, &o, NULL, 0);
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.seq, una);
	assert_int_equal(s.len, MSS);
	assert_int_equal(tt_ctr(t, "tcp_early_retransmit"), 1);
	assert_int_equal(tt_ctr(t, "tcp_sack_recovery"), 1);
	assert_int_equal(tt_ctr(t, "tcp_rto"), 0);
	tt_ack(t, una + 3 * MSS, 65535);
	assert_int_equal(tt_info(t).retransmits, 1);
	tt_free(t);
}

/* RFC 7323 §5.3: PAWS drops a segment whose TSval is older than
 * TS.Recent (and ACKs); a RST is exempt. */
static void test_paws(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	t->peer_ts = true;
	tt_passive_open(t);
	assert_true(tt_info(t).timestamps);
	t->ts_val = 6000;
	tt_data(t, "ab", 2);
	assert_int_equal(tt_info(t).rcv_queued, 2);
	harness_advance(t->h, 50 * T_MS);
	harness_clear_tx(t->h);
	t->ts_val = 5999;                 /* older */
	tt_data(t, "cd", 2);
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.ack, t->pseq - 2);
	assert_true(s.o.flags & TCP_OPT_F_TS);
	assert_int_equal(s.o.ts_ecr, 6000);
	assert_int_equal(tt_info(t).rcv_queued, 2);
	assert_int_equal(tt_ctr(t, "tcp_paws_drop"), 1);
	t->pseq -= 2;
	t->ts_val = 6001;
	tt_data(t, "cd", 2);
	assert_int_equal(tt_info(t).rcv_queued, 4);
	tt_free(t);
}

/* RFC 7323 §2: window scale negotiated in SYNs, SYN windows unscaled,
 * later windows shifted both ways. */
static void test_window_scaling(void **state)
{
	(void)state;
	tt_conf.rcvbuf = 1 << 20;
	struct tt *t = tt_new();
	t->peer_ws = 3;
	assert_int_equal(mpdk_connect(t->h->e, t->peer, t->pport, 0, t->uport, &tt_handler, t, &t->c), 0);
	struct tout s = tt_expect(t, F_SYN);
	assert_true(s.o.flags & TCP_OPT_F_WSCALE);
	assert_int_equal(s.o.wscale, 5);      /* 1 MB >> 5 fits 16 bits */
	assert_int_equal(s.wnd, 65535);       /* SYN: never scaled */
	t->our_iss = s.seq;
	t->pack = s.seq + 1;
	t->pseq = 1;
	tt_send(t, t->pseq, t->pack, F_SYN | F_ACK, 200, NULL, 0);
	t->pseq++;
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.wnd, (1 << 20) >> 5);
	struct mpdk_conn_info i = tt_info(t);
	assert_true(i.wscale);
	assert_int_equal(i.snd_wscale, 3);
	assert_int_equal(i.rcv_wscale, 5);
	/* SYN-ACK window is taken unscaled */
	assert_int_equal(i.snd_wnd, 200);
	tt_ack(t, t->pack, 100);              /* 100 << 3 = 800 bytes */
	assert_int_equal(tt_info(t).snd_wnd, 800);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	assert_int_equal(mpdk_send(t->c, payload, 3000), 3000);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.len, 800);
	tt_expect_none(t);
	tt_free(t);
}

/* RFC 9293 §3.8.6.1: zero window -> persist timer sends one-byte probes
 * with backoff, and data flows when the window opens. */
static void test_zero_window_persist(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_active_open(t);
	tt_ack(t, t->pack, 0);                /* window closed */
	assert_int_equal(mpdk_send(t->c, payload, 1000), 1000);
	tt_expect_none(t);
	uint32_t rto = tt_info(t).rto_us;
	harness_advance(t->h, (uint64_t)rto * 1000);
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.len, 1);
	assert_int_equal(s.seq, t->pack);
	assert_int_equal(s.data[0], payload[0]);
	tt_ack(t, t->pack, 0);                /* still closed: byte not taken */
	harness_advance(t->h, (uint64_t)rto * 1000 * 2 - T_MS);
	tt_expect_none(t);
	harness_advance(t->h, T_MS);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.len, 1);
	assert_int_equal(tt_ctr(t, "tcp_persist_probe"), 2);
	tt_ack(t, t->pack, 0);
	assert_int_equal(t->n_closed, 0);
	/* window opens: everything goes, from the first unacked byte */
	harness_clear_tx(t->h);
	tt_ack(t, t->pack, 65535);
	uint32_t got = 0;
	while (tt_pop(t, &s)) {
		assert_int_equal(s.seq, t->pack + got);
		assert_memory_equal(s.data, payload + got, s.len);
		got += s.len;
	}
	assert_int_equal(got, 1000);
	tt_free(t);
}

/* RFC 9293 §3.8.6.3 / RFC 5681 §4.2: delayed ACK within 40 ms, at least
 * every second full segment; out-of-order data ACKed at once with SACK. */
static void test_delayed_ack_and_ooo(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	t->peer_sack = true;
	tt_passive_open(t);
	tt_data(t, payload, 100);
	tt_expect_none(t);
	harness_advance(t->h, 39 * T_MS);
	tt_expect_none(t);
	harness_advance(t->h, 1 * T_MS);
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.ack, t->pseq);
	tt_data(t, payload, MSS);
	tt_expect_none(t);
	tt_data(t, payload, MSS);
	s = tt_expect(t, F_ACK);              /* second full segment */
	assert_int_equal(s.ack, t->pseq);
	/* out of order: duplicate ACK with a SACK block at once */
	uint32_t gap = t->pseq;
	t->pseq += 500;
	tt_data(t, payload + 500, 300);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.ack, gap);
	assert_int_equal(s.o.n_sack, 1);
	assert_int_equal(s.o.sack[0].start, gap + 500);
	assert_int_equal(s.o.sack[0].end, gap + 800);
	uint32_t q0 = tt_info(t).rcv_queued;
	/* fill the hole: ACK at once, data delivered in order */
	uint32_t save = t->pseq;
	t->pseq = gap;
	tt_data(t, payload, 500);
	t->pseq = save;
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.ack, gap + 800);
	assert_int_equal(s.o.n_sack, 0);
	assert_int_equal(tt_info(t).rcv_queued, q0 + 800);
	uint8_t buf[4096];
	ssize_t k = mpdk_recv(t->c, buf, sizeof(buf));
	assert_int_equal(k, 100 + 2 * MSS + 800);
	assert_memory_equal(buf + 100 + 2 * MSS, payload, 800);
	tt_free(t);
}

/* RFC 9293 §3.7.4 Nagle: a small segment waits while data is unacked,
 * unless no-delay is set. */
static void test_nagle(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_active_open(t);
	assert_int_equal(mpdk_send(t->c, payload, 10), 10);
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.len, 10);
	assert_int_equal(mpdk_send(t->c, payload + 10, 10), 10);
	tt_expect_none(t);                    /* held: 10 bytes unacked */
	tt_ack(t, t->pack + 10, 65535);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.len, 10);
	assert_int_equal(s.seq, t->pack + 10);
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	assert_int_equal(mpdk_send(t->c, payload + 20, 10), 10);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.len, 10);
	tt_free(t);
}

/* RFC 9293 §3.8.4 keepalive: probes after the idle time, ETIMEDOUT after
 * the unanswered count; an answer resets it. */
static void test_keepalive(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_active_open(t);
	assert_int_equal(mpdk_conn_set_keepalive(t->c, true, 1000, 500, 2), 0);
	harness_advance(t->h, 999 * T_MS);
	tt_expect_none(t);
	harness_advance(t->h, 1 * T_MS);
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.seq, t->pack - 1);
	assert_int_equal(s.len, 0);
	tt_ack(t, t->pack, 65535);            /* answered */
	harness_advance(t->h, 999 * T_MS);
	tt_expect_none(t);
	harness_advance(t->h, 1 * T_MS);
	tt_expect(t, F_ACK);                  /* idle again since the answer */
	harness_advance(t->h, 500 * T_MS);
	tt_expect(t, F_ACK);
	harness_advance(t->h, 500 * T_MS);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, -ETIMEDOUT);
	assert_int_equal(tt_ctr(t, "tcp_keepalive_probe"), 3);
	tt_free(t);
}

/* Data beyond the advertised window is trimmed (RFC 9293 §3.10.7.4),
 * a zero window only takes the ACK. */
static void test_receive_window(void **state)
{
	(void)state;
	tt_conf.rcvbuf = 4000;
	struct tt *t = tt_new();
	tt_passive_open(t);
	tt_data(t, payload, 1400);
	tt_data(t, payload + 1400, 1400);
	tt_data(t, payload + 2800, 1400);       /* 1200 fit */
	tt_data(t, payload + 4200, 1000);       /* window closed: dropped */
	struct tout s;
	uint32_t last_ack = 0, last_wnd = 1;
	while (tt_pop(t, &s)) {
		last_ack = s.ack;
		last_wnd = s.wnd;
	}
	harness_advance(t->h, 100 * T_MS);
	while (tt_pop(t, &s)) {
		last_ack = s.ack;
		last_wnd = s.wnd;
	}
	assert_int_equal(last_ack, t->pseq - 1200);
	assert_int_equal(last_wnd, 0);
	assert_int_equal(tt_info(t).rcv_queued, 4000);
	assert_int_equal(tt_ctr(t, "tcp_rcv_window_drop"), 200);
	assert_int_equal(tt_ctr(t, "tcp_rx_out_of_window"), 1);
	/* reading opens the window: update sent */
	uint8_t buf[4000];
	assert_int_equal(mpdk_recv(t->c, buf, sizeof(buf)), 4000);
	assert_memory_equal(buf, payload, 4000);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.wnd, 4000);
	tt_free(t);
}

/* Zero-copy send and receive. */
static void test_mbuf_api(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_passive_open(t);
	struct rte_mbuf *m = rte_pktmbuf_alloc(mpdk_stack_pool(t->h->stack));
	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, 300), payload, 300);
	assert_int_equal(mpdk_send_mbuf(t->c, m), 0);
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.len, 300);
	assert_memory_equal(s.data, payload, 300);
	tt_data(t, payload + 1000, 700);
	struct rte_mbuf *r;
	assert_int_equal(mpdk_recv_mbuf(t->c, &r), 700);
	assert_int_equal(r->pkt_len, 700);
	assert_memory_equal(rte_pktmbuf_mtod(r, void *), payload + 1000, r->data_len);
	rte_pktmbuf_free(r);
	assert_int_equal(mpdk_recv_mbuf(t->c, &r), -EAGAIN);
	tt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rto_backoff_karn, setup),
		cmocka_unit_test_setup(test_rto_budget, setup),
		cmocka_unit_test_setup(test_fast_retransmit_newreno, setup),
		cmocka_unit_test_setup(test_sack_recovery, setup),
		cmocka_unit_test_setup(test_limited_transmit, setup),
		cmocka_unit_test_setup(test_limited_transmit_rwnd, setup),
		cmocka_unit_test_setup(test_early_retransmit, setup),
		cmocka_unit_test_setup(test_early_retransmit_sack, setup),
		cmocka_unit_test_setup(test_paws, setup),
		cmocka_unit_test_setup(test_window_scaling, setup),
		cmocka_unit_test_setup(test_zero_window_persist, setup),
		cmocka_unit_test_setup(test_delayed_ack_and_ooo, setup),
		cmocka_unit_test_setup(test_nagle, setup),
		cmocka_unit_test_setup(test_keepalive, setup),
		cmocka_unit_test_setup(test_receive_window, setup),
		cmocka_unit_test_setup(test_mbuf_api, setup),
	};
	harness_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
