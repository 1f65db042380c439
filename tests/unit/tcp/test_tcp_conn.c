/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP connection state machine (RFC 9293 §3.5, §3.6, §3.10), RST and SYN
 * validation (RFC 5961), RST for unmatched segments (§3.10.7.1), ISNs
 * (RFC 6528), ephemeral ports and the handle API, against a scripted peer
 * on a virtual clock.
 */
#include "test_tcp_util.h"
#include <errno.h>

static int setup(void **state)
{
	tt_conf_reset();
	*state = NULL;
	return 0;
}

/* RFC 9293 §3.5 figure 6: active open, SYN options, ESTABLISHED. */
static void test_active_open(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	assert_int_equal(mpdk_connect(t->h->e, t->peer, t->pport, 0, t->uport, &tt_handler, t, &t->c), 0);
	assert_int_equal(tt_state(t), MPDK_TCP_SYN_SENT);
	struct tout s = tt_expect(t, F_SYN);
	assert_true(s.o.flags & TCP_OPT_F_MSS);
	assert_int_equal(s.o.mss, 1460);
	assert_true(s.o.flags & TCP_OPT_F_SACK_PERM);
	assert_true(s.o.flags & TCP_OPT_F_TS);
	assert_true(s.o.flags & TCP_OPT_F_WSCALE);
	t->pack = s.seq + 1;
	t->pseq = 100;
	tt_send(t, t->pseq, t->pack, F_SYN | F_ACK, 65535, NULL, 0);
	t->pseq++;
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.seq, t->pack);
	assert_int_equal(s.ack, t->pseq);
	assert_int_equal(tt_state(t), MPDK_TCP_ESTABLISHED);
	assert_int_equal(t->n_connected, 1);
	/* peer offered neither SACK, TS nor WS: none is used */
	struct mpdk_conn_info i = tt_info(t);
	assert_false(i.sack);
	assert_false(i.timestamps);
	assert_false(i.wscale);
	assert_int_equal(i.mss, 1460);
	tt_free(t);
}

/* RFC 9293 §3.10.7.2 LISTEN, backlog and accept queue. */
static void test_passive_open_backlog(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	t->auto_accept = false;
	assert_int_equal(mpdk_listen(t->h->e, 0, t->uport, 1, &tt_handler, t, &t->l), 0);
	assert_int_equal(mpdk_listen(t->h->e, 0, t->uport, 1, &tt_handler, t, &t->l), -EADDRINUSE);
	t->pseq = 500;
	tt_send(t, t->pseq, 0, F_SYN, 65535, NULL, 0);
	struct tout s = tt_expect(t, F_SYN | F_ACK);
	assert_int_equal(s.ack, 501);
	/* a second SYN from another port: backlog (1) full, dropped */
	uint16_t p0 = t->pport;
	t->pport = htons(40001);
	tt_send(t, 800, 0, F_SYN, 65535, NULL, 0);
	tt_expect_none(t);
	assert_int_equal(tt_ctr(t, "tcp_listen_overflow"), 1);
	t->pport = p0;
	/* handshake completes: accept_ready; still counts against backlog */
	tt_send(t, 501, s.seq + 1, F_ACK, 65535, NULL, 0);
	assert_int_equal(t->n_accept, 1);
	t->pport = htons(40001);
	tt_send(t, 800, 0, F_SYN, 65535, NULL, 0);
	tt_expect_none(t);
	assert_int_equal(tt_ctr(t, "tcp_listen_overflow"), 2);
	t->pport = p0;
	assert_int_equal(mpdk_accept(t->l, &t->c), 0);
	assert_int_equal(mpdk_accept(t->l, &t->c), -EAGAIN);
	assert_int_equal(tt_state(t), MPDK_TCP_ESTABLISHED);
	/* accepted: room again */
	t->pport = htons(40001);
	tt_send(t, 800, 0, F_SYN, 65535, NULL, 0);
	tt_expect(t, F_SYN | F_ACK);
	/* closing the listener resets the embryonic connection */
	assert_int_equal(mpdk_close(t->l), 0);
	s = tt_expect(t, F_RST | F_ACK);
	assert_int_equal(mpdk_accept(t->l, &t->c), -EBADF);
	tt_free(t);
}

/* RFC 9293 §3.5 figure 7: simultaneous open. */
static void test_simultaneous_open(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	assert_int_equal(mpdk_connect(t->h->e, t->peer, t->pport, 0, t->uport, &tt_handler, t, &t->c), 0);
	struct tout s = tt_expect(t, F_SYN);
	uint32_t iss = s.seq;
	t->pseq = 3000;
	tt_send(t, t->pseq, 0, F_SYN, 65535, NULL, 0);     /* crossing SYN */
	t->pseq++;
	s = tt_expect(t, F_SYN | F_ACK);
	assert_int_equal(s.seq, iss);
	assert_int_equal(s.ack, t->pseq);
	assert_int_equal(tt_state(t), MPDK_TCP_SYN_RECEIVED);
	tt_send(t, t->pseq - 1, iss + 1, F_SYN | F_ACK, 65535, NULL, 0); /* its SYN-ACK */
	assert_int_equal(tt_state(t), MPDK_TCP_ESTABLISHED);
	assert_int_equal(t->n_connected, 1);
	tt_free(t);
}

/* RFC 9293 §3.8.1 / RFC 6298 §5.5: SYN retransmitted with exponential
 * backoff; after syn_retries the open fails with ETIMEDOUT. */
static void test_syn_retries(void **state)
{
	(void)state;
	tt_conf.syn_retries = 3;
	struct tt *t = tt_new();
	assert_int_equal(mpdk_connect(t->h->e, t->peer, t->pport, 0, t->uport, &tt_handler, t, &t->c), 0);
	struct tout s = tt_expect(t, F_SYN);
	uint64_t gaps[] = { 1000, 2000, 4000 };
	for (int i = 0; i < 3; i++) {
		harness_advance(t->h, gaps[i] * T_MS - T_MS);
		tt_expect_none(t);
		harness_advance(t->h, T_MS);
		struct tout r = tt_expect(t, F_SYN);
		assert_int_equal(r.seq, s.seq);
	}
	harness_advance(t->h, 8000 * T_MS);
	tt_expect_none(t);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, -ETIMEDOUT);
	assert_int_equal(mpdk_send(t->c, "x", 1), -EBADF);
	assert_int_equal(tt_ctr(t, "tcp_syn_retransmits"), 3);
	tt_free(t);
}

/* RFC 9293 §3.10.7.3: RST answering our SYN -> connection refused. */
static void test_refused(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	assert_int_equal(mpdk_connect(t->h->e, t->peer, t->pport, 0, t->uport, &tt_handler, t, &t->c), 0);
	struct tout s = tt_expect(t, F_SYN);
	/* RST without an acceptable ACK: ignored (RFC 5961 §3 for SYN-SENT) */
	tt_send(t, 0, s.seq + 5, F_RST | F_ACK, 0, NULL, 0);
	assert_int_equal(tt_state(t), MPDK_TCP_SYN_SENT);
	/* bad ACK without RST: answered with RST <SEQ=SEG.ACK> */
	harness_clear_tx(t->h);
	tt_send(t, 0, s.seq + 5, F_ACK, 0, NULL, 0);
	struct tout r = tt_expect(t, F_RST);
	assert_int_equal(r.seq, s.seq + 5);
	tt_send(t, 0, s.seq + 1, F_RST | F_ACK, 0, NULL, 0);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, -ECONNREFUSED);
	tt_free(t);
}

/* RFC 9293 §3.6: active close ESTABLISHED -> FIN_WAIT_1 -> FIN_WAIT_2 ->
 * TIME_WAIT (2MSL) -> CLOSED. */
static void test_active_close_time_wait(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_active_open(t);
	assert_int_equal(mpdk_shutdown(t->c, MPDK_SHUT_WR), 0);
	struct tout s = tt_expect(t, F_FIN | F_ACK);
	assert_int_equal(s.seq, t->pack);
	assert_int_equal(tt_state(t), MPDK_TCP_FIN_WAIT_1);
	assert_int_equal(mpdk_send(t->c, "x", 1), -EPIPE);
	tt_ack(t, t->pack + 1, 65535);
	assert_int_equal(tt_state(t), MPDK_TCP_FIN_WAIT_2);
	tt_expect_none(t);
	/* half-close: the peer may still send */
	tt_data(t, "abc", 3);
	char b[8];
	assert_int_equal(mpdk_recv(t->c, b, sizeof(b)), 3);
	tt_send(t, t->pseq, t->pack + 1, F_FIN | F_ACK, 65535, NULL, 0);
	t->pseq++;
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.ack, t->pseq);
	/* both directions done: closed(0), connection lingers in TIME_WAIT */
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, 0);
	assert_int_equal(mpdk_conn_info(t->c, &(struct mpdk_conn_info){0}), -EBADF);
	/* a retransmitted FIN is ACKed again (and restarts 2MSL) */
	harness_advance(t->h, 1000 * T_MS);
	tt_send(t, t->pseq - 1, t->pack + 1, F_FIN | F_ACK, 65535, NULL, 0);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.ack, t->pseq);
	harness_advance(t->h, 1999 * T_MS);
	assert_int_equal(tt_ctr(t, "tcp_time_wait_expired"), 0);
	harness_advance(t->h, 2 * T_MS);
	assert_int_equal(tt_ctr(t, "tcp_time_wait_expired"), 1);
	/* gone: a segment now draws a RST (§3.10.7.1) */
	tt_ack(t, t->pack + 1, 65535);
	tt_expect(t, F_RST);
	tt_free(t);
}

/* RFC 9293 §3.6: passive close CLOSE_WAIT -> LAST_ACK -> CLOSED. */
static void test_passive_close(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_passive_open(t);
	tt_send(t, t->pseq, t->pack, F_FIN | F_ACK, 65535, NULL, 0);
	t->pseq++;
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.ack, t->pseq);
	assert_int_equal(tt_state(t), MPDK_TCP_CLOSE_WAIT);
	assert_true(t->n_readable >= 1);
	char b[4];
	assert_int_equal(mpdk_recv(t->c, b, sizeof(b)), 0);  /* EOF */
	assert_int_equal(mpdk_send(t->c, "hi", 2), 2);
	s = tt_expect(t, F_ACK);
	assert_int_equal(s.len, 2);
	assert_int_equal(mpdk_close(t->c), 0);
	s = tt_expect(t, F_FIN | F_ACK);
	assert_int_equal(s.seq, t->pack + 2);
	assert_int_equal(mpdk_send(t->c, "x", 1), -EBADF);
	tt_ack(t, t->pack + 3, 65535);
	assert_int_equal(t->n_closed, 0);  /* closed by the app: no callback */
	tt_ack(t, t->pack + 3, 65535);
	tt_expect(t, F_RST);               /* CLOSED: unknown now */
	tt_free(t);
}

/* RFC 9293 §3.6 figure 13: simultaneous close via CLOSING. */
static void test_simultaneous_close(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_active_open(t);
	assert_int_equal(mpdk_shutdown(t->c, MPDK_SHUT_WR), 0);
	tt_expect(t, F_FIN | F_ACK);
	tt_send(t, t->pseq, t->pack, F_FIN | F_ACK, 65535, NULL, 0);   /* does not ack our FIN */
	t->pseq++;
	tt_expect(t, F_ACK);
	assert_int_equal(tt_state(t), MPDK_TCP_CLOSING);
	tt_ack(t, t->pack + 1, 65535);
	assert_int_equal(t->n_closed, 1);   /* TIME_WAIT */
	assert_int_equal(t->closed_err, 0);
	tt_free(t);
}

/* RFC 9293 §3.10.4 ABORT: RST, handle stale. */
static void test_abort(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_active_open(t);
	assert_int_equal(mpdk_abort(t->c), 0);
	struct tout s = tt_expect(t, F_RST | F_ACK);
	assert_int_equal(s.seq, t->pack);
	assert_int_equal(mpdk_abort(t->c), -EBADF);
	assert_int_equal(t->n_closed, 0);
	tt_free(t);
}

/* RFC 5961 §3.2: RST exactly at RCV.NXT resets, in-window RST draws a
 * challenge ACK, out-of-window RST is dropped. */
static void test_rst_validation(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_active_open(t);
	tt_send(t, t->pseq + 100000, 0, F_RST, 0, NULL, 0);          /* outside */
	tt_expect_none(t);
	assert_int_equal(tt_state(t), MPDK_TCP_ESTABLISHED);
	tt_send(t, t->pseq + 10, 0, F_RST, 0, NULL, 0);              /* inside, not exact */
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.ack, t->pseq);
	assert_int_equal(tt_ctr(t, "tcp_challenge_ack"), 1);
	assert_int_equal(tt_state(t), MPDK_TCP_ESTABLISHED);
	tt_send(t, t->pseq, 0, F_RST, 0, NULL, 0);                   /* exact */
	tt_expect_none(t);
	assert_int_equal(t->n_closed, 1);
	assert_int_equal(t->closed_err, -ECONNRESET);
	tt_free(t);
}

/* RFC 5961 §4.2: a SYN in a synchronized state draws a challenge ACK,
 * §7: challenge ACKs are rate limited. */
static void test_syn_challenge_ack_rate_limit(void **state)
{
	(void)state;
	tt_conf.challenge_ack_limit = 2;
	struct tt *t = tt_new();
	tt_active_open(t);
	for (int i = 0; i < 3; i++)
		tt_send(t, t->pseq + 5 + (uint32_t)i, 0, F_SYN, 65535, NULL, 0);
	struct tout s = tt_expect(t, F_ACK);
	assert_int_equal(s.ack, t->pseq);
	tt_expect(t, F_ACK);
	tt_expect_none(t);
	assert_int_equal(tt_ctr(t, "tcp_challenge_ack"), 2);
	assert_int_equal(tt_ctr(t, "tcp_challenge_ack_limited"), 1);
	assert_int_equal(tt_state(t), MPDK_TCP_ESTABLISHED);
	/* a new second: allowed again */
	harness_advance(t->h, T_S);
	tt_send(t, t->pseq + 9, 0, F_SYN, 65535, NULL, 0);
	tt_expect(t, F_ACK);
	/* RFC 5961 §5.2: ACK of data never sent: ACK and drop */
	tt_ack(t, t->pack + 1000, 65535);
	tt_expect(t, F_ACK);
	assert_int_equal(tt_ctr(t, "tcp_rx_ack_unsent"), 1);
	tt_free(t);
}

/* RFC 9293 §3.10.7.1: segments for no connection get a RST. */
static void test_rst_unmatched(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	t->pport = htons(1234);
	tt_send(t, 100, 777, F_ACK, 1000, "xy", 2);
	struct tout s = tt_expect(t, F_RST);
	assert_int_equal(s.seq, 777);
	tt_send(t, 100, 0, F_SYN, 1000, NULL, 0);
	s = tt_expect(t, F_RST | F_ACK);
	assert_int_equal(s.seq, 0);
	assert_int_equal(s.ack, 101);
	tt_send(t, 100, 0, F_FIN, 1000, "abc", 3);
	s = tt_expect(t, F_RST | F_ACK);
	assert_int_equal(s.ack, 104);
	tt_send(t, 100, 0, F_RST, 1000, NULL, 0);    /* never answer a RST */
	tt_expect_none(t);
	assert_int_equal(tt_ctr(t, "tcp_rx_no_conn"), 3);
	tt_free(t);
}

/* Bad checksum: dropped and counted, no answer. */
static void test_bad_checksum(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	uint8_t seg[20] = {0}, frame[128];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)seg;
	th->src_port = t->pport;
	th->dst_port = t->uport;
	th->data_off = 5 << 4;
	th->tcp_flags = F_SYN;
	th->cksum = 0x1234;
	size_t n = harness_build_ipv4(frame, &t->peer_mac, &t->our_mac, t->peer, t->us, IPPROTO_TCP, seg, 20);
	harness_inject(t->h, 0, frame, n);
	harness_poll(t->h);
	tt_expect_none(t);
	assert_int_equal(tt_ctr(t, "tcp_rx_bad_cksum"), 1);
	tt_free(t);
}

/* RFC 6528: ISNs differ per 4-tuple and advance with the 4 µs clock. */
static void test_isn(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	uint32_t isn[4];
	for (int i = 0; i < 4; i++) {
		mpdk_conn_t c;
		assert_int_equal(mpdk_connect(t->h->e, t->peer, htons((uint16_t)(1000 + i)), 0, t->uport,
					      &tt_handler, t, &c), 0);
		isn[i] = tt_expect(t, F_SYN).seq;
		assert_int_equal(mpdk_abort(c), 0);
	}
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			assert_true(isn[i] != isn[j]);
	/* same 4-tuple one second later: + 250000 ticks of 4 µs */
	harness_advance(t->h, T_S);
	mpdk_conn_t c;
	assert_int_equal(mpdk_connect(t->h->e, t->peer, htons(1000), 0, t->uport, &tt_handler, t, &c), 0);
	uint32_t again = tt_expect(t, F_SYN).seq;
	assert_int_equal(again - isn[0], 250000);
	tt_free(t);
}

/* Ephemeral ports (RFC 6056): in range, distinct 4-tuples. */
static void test_ephemeral_ports(void **state)
{
	(void)state;
	tt_conf.ephemeral_lo = 50000;
	tt_conf.ephemeral_hi = 50003;
	struct tt *t = tt_new();
	mpdk_conn_t c[5];
	uint16_t seen[4];
	for (int i = 0; i < 4; i++) {
		assert_int_equal(mpdk_connect(t->h->e, t->peer, htons(80), 0, 0, &tt_handler, t, &c[i]), 0);
		struct mpdk_conn_info in;
		assert_int_equal(mpdk_conn_info(c[i], &in), 0);
		seen[i] = ntohs(in.local_port);
		assert_true(seen[i] >= 50000 && seen[i] <= 50003);
		for (int j = 0; j < i; j++)
			assert_true(seen[i] != seen[j]);
	}
	assert_int_equal(mpdk_connect(t->h->e, t->peer, htons(80), 0, 0, &tt_handler, t, &c[4]),
			 -EADDRNOTAVAIL);
	/* another destination port: the same local ports are free again */
	assert_int_equal(mpdk_connect(t->h->e, t->peer, htons(81), 0, 0, &tt_handler, t, &c[4]), 0);
	/* explicit port in use */
	mpdk_conn_t x;
	assert_int_equal(mpdk_connect(t->h->e, t->peer, htons(80), 0, htons(seen[0]), &tt_handler, t, &x),
			 -EADDRINUSE);
	tt_free(t);
}

/* Handles: bad arguments and stale handles never crash. */
static void test_api_errors(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	char b[4];
	struct rte_mbuf *m;
	mpdk_conn_t c;
	assert_int_equal(mpdk_send(MPDK_CONN_INVALID, "x", 1), -EBADF);
	assert_int_equal(mpdk_recv(0x0123456789abcdefull, b, 4), -EBADF);
	assert_int_equal(mpdk_recv_mbuf(~0ull, &m), -EBADF);
	assert_int_equal(mpdk_close(0x0100000000000005ull), -EBADF);
	assert_int_equal(mpdk_abort(42), -EBADF);
	assert_int_equal(mpdk_shutdown(42, MPDK_SHUT_WR), -EBADF);
	assert_null(mpdk_conn_engine(42));
	assert_int_equal(mpdk_listen(NULL, 0, htons(1), 1, NULL, NULL, &c), -EINVAL);
	assert_int_equal(mpdk_listen(t->h->e, 0, 0, 1, NULL, NULL, &c), -EINVAL);
	assert_int_equal(mpdk_listen(t->h->e, 0, htons(1), 0, NULL, NULL, &c), -EINVAL);
	assert_int_equal(mpdk_listen(t->h->e, tt_ip("10.9.9.9"), htons(1), 1, NULL, NULL, &c),
			 -EADDRNOTAVAIL);
	assert_int_equal(mpdk_connect(t->h->e, 0, htons(1), 0, 0, NULL, NULL, &c), -EINVAL);
	assert_int_equal(mpdk_connect(t->h->e, tt_ip("192.168.1.1"), htons(1), 0, 0, NULL, NULL, &c),
			 -MPDK_ENOROUTE);
	tt_active_open(t);
	assert_int_equal(mpdk_send(t->c, NULL, 1), -EINVAL);
	assert_int_equal(mpdk_shutdown(t->c, 7), -EINVAL);
	assert_int_equal(mpdk_recv(t->c, b, sizeof(b)), -EAGAIN);
	assert_int_equal(mpdk_conn_set_cc(t->c, "nope"), -EINVAL);
	assert_int_equal(mpdk_conn_set_cc(t->c, "cubic"), 0);
	assert_string_equal(tt_info(t).cc, "cubic");
	assert_ptr_equal(mpdk_conn_engine(t->c), t->h->e);
	mpdk_conn_t old = t->c;
	assert_int_equal(mpdk_close(t->c), 0);
	assert_int_equal(mpdk_close(old), -EBADF);
	assert_int_equal(mpdk_send(old, "x", 1), -EBADF);
	assert_int_equal(mpdk_conn_info(old, &(struct mpdk_conn_info){0}), -EBADF);
	assert_string_equal(mpdk_tcp_state_name(MPDK_TCP_TIME_WAIT), "TIME_WAIT");
	/* pool exhaustion is an error, not a crash */
	tt_free(t);
	tt_conf.max_conns = 2;
	t = tt_new();
	mpdk_conn_t a, bb, cc;
	assert_int_equal(mpdk_connect(t->h->e, t->peer, htons(1), 0, 0, NULL, NULL, &a), 0);
	assert_int_equal(mpdk_connect(t->h->e, t->peer, htons(2), 0, 0, NULL, NULL, &bb), 0);
	assert_int_equal(mpdk_connect(t->h->e, t->peer, htons(3), 0, 0, NULL, NULL, &cc), -ENOMEM);
	assert_int_equal(tt_ctr(t, "tcp_conn_alloc_fail"), 1);
	assert_int_equal(mpdk_abort(a), 0);
	assert_int_equal(mpdk_connect(t->h->e, t->peer, htons(3), 0, 0, NULL, NULL, &cc), 0);
	tt_free(t);
}

/* RFC 9293 §3.10.7.4 / RFC 2525 §2.17: close with unread data resets. */
static void test_close_unread_resets(void **state)
{
	(void)state;
	struct tt *t = tt_new();
	tt_passive_open(t);
	tt_data(t, "data", 4);
	harness_clear_tx(t->h);
	assert_int_equal(mpdk_close(t->c), 0);
	tt_expect(t, F_RST | F_ACK);
	tt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_active_open, setup),
		cmocka_unit_test_setup(test_passive_open_backlog, setup),
		cmocka_unit_test_setup(test_simultaneous_open, setup),
		cmocka_unit_test_setup(test_syn_retries, setup),
		cmocka_unit_test_setup(test_refused, setup),
		cmocka_unit_test_setup(test_active_close_time_wait, setup),
		cmocka_unit_test_setup(test_passive_close, setup),
		cmocka_unit_test_setup(test_simultaneous_close, setup),
		cmocka_unit_test_setup(test_abort, setup),
		cmocka_unit_test_setup(test_rst_validation, setup),
		cmocka_unit_test_setup(test_syn_challenge_ack_rate_limit, setup),
		cmocka_unit_test_setup(test_rst_unmatched, setup),
		cmocka_unit_test_setup(test_bad_checksum, setup),
		cmocka_unit_test_setup(test_isn, setup),
		cmocka_unit_test_setup(test_ephemeral_ports, setup),
		cmocka_unit_test_setup(test_api_errors, setup),
		cmocka_unit_test_setup(test_close_unread_resets, setup),
	};
	harness_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
