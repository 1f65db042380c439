/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path manager signals, black box on the harness (the test plays a Linux
 * peer byte by byte):
 *  - REMOVE_ADDR sent when a local endpoint is taken away with
 *    mpdk_mptcp_endpoint_del() (RFC 8684 §3.4.2), like `ip mptcp endpoint
 *    delete`: exact option bytes, the subflows from it closed, their data
 *    reinjected on the others;
 *  - the MP_CAPABLE "C" flag (§3.1) both ways: with deny_join_initial the
 *    stack sets C in its SYN/ACK and refuses joins to the initial address
 *    and port (Linux: net.mptcp.allow_join_initial_addr_port=0); a peer's
 *    C keeps the stack from opening subflows to the peer's initial
 *    address, while announced addresses are still joined.
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

/* The peer joins flow @k to the stack's address @to (not necessarily the
 * initial one). */
static void join_to(struct mt *t, int k, uint8_t id, const char *to)
{
	uint32_t us = t->us;
	t->us = mt_ip(to);
	mt_join(t, k, id);
	t->us = us;
}

/* Segments the stack sends are popped until a RST on flow @k: true if
 * one came. */
static bool rst_on(struct mt *t, int k)
{
	struct mout s;
	bool rst = false;
	while (mt_pop(t, &s))
		if (s.flow == k && (s.flags & F_RST))
			rst = true;
	return rst;
}

/* RFC 8684 §3.4.2: the stack announced 10.0.0.4 (signal endpoint, id 5),
 * the peer joined it, and the application takes the endpoint away
 * mid-connection: REMOVE_ADDR for id 5 goes on a pure ACK of the other
 * subflow, exactly kind 30, length 4, subtype 4, id 5; the subflow from
 * 10.0.0.4 is closed with a FIN; the data that was outstanding on it is
 * sent again on subflow 0, so the peer gets every byte. */
static void test_remove_addr_sent_on_endpoint_del(void **state)
{
	(void)state;
	mt_two_local = true;
	mt_conf.mptcp.n_endpoints = 1;
	mt_conf.mptcp.endpoints[0].addr = mt_ip("10.0.0.4");
	mt_conf.mptcp.endpoints[0].flags = MPDK_MPTCP_EP_SIGNAL;
	mt_conf.mptcp.endpoints[0].id = 5;
	struct mt *t = mt_new();
	mt_server_open(t);
	harness_advance(t->h, 10 * T_MS);
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_tx"), 1);
	harness_clear_tx(t->h);
	join_to(t, 1, 3, "10.0.0.4");
	assert_int_equal(mt_info(t).mptcp_subflows, 2);
	harness_clear_tx(t->h);

	/* data on both subflows; only subflow 0's is acknowledged */
	static uint8_t d[20000], seen[20000];
	mt_pattern(d, sizeof(d), 71);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(mpdk_conn_set_nodelay(t->c, true), 0);
	assert_int_equal(mpdk_send(t->c, d, sizeof(d)), (ssize_t)sizeof(d));
	struct mout s;
	uint32_t on1 = 0;
	for (int k = 0; k < 10; k++) {
		while (mt_pop(t, &s)) {
			if (s.len == 0)
				continue;
			struct mptcp_opt_dss x = mt_dss_of(&s);
			uint64_t off = x.dsn + (s.seq - (t->f[s.flow].our_iss + x.ssn)) - (t->our_idsn + 1);
			assert_memory_equal(s.data, d + off, s.len);
			if (s.flow == 1) {
				on1 += s.len;
				continue;
			}
			memset(seen + off, 1, s.len);
			if (SEQ_GT(s.seq + s.len, t->f[0].pack))
				t->f[0].pack = s.seq + s.len;
		}
		mt_ack(t, 0);
		harness_advance(t->h, 5 * T_MS);
	}
	assert_true(on1 > 0);   /* the scheduler used the joined subflow */

	assert_int_equal(mpdk_mptcp_endpoint_del(t->h->e, mt_ip("10.0.0.4")), 1);
	bool rm = false, fin1 = false;
	for (int k = 0; k < 40; k++) {
		while (mt_pop(t, &s)) {
			if (s.flow == 1 && (s.flags & F_FIN))
				fin1 = true;
			int i = mt_opt_idx(&s, MPTCP_SUB_REMOVE_ADDR);
			if (i >= 0) {
				assert_int_equal(s.flow, 0);
				assert_int_equal(s.len, 0);
				assert_int_equal(s.mp_len[i], 4);
				static const uint8_t want[4] = { 30, 4, 0x40, 5 };
				assert_memory_equal(s.mp_raw[i], want, 4);
				rm = true;
			}
			if (s.flow != 0 || s.len == 0)
				continue;
			struct mptcp_opt_dss x = mt_dss_of(&s);
			uint64_t off = x.dsn + (s.seq - (t->f[0].our_iss + x.ssn)) - (t->our_idsn + 1);
			assert_memory_equal(s.data, d + off, s.len);
			memset(seen + off, 1, s.len);
			if (SEQ_GT(s.seq + s.len, t->f[0].pack))
				t->f[0].pack = s.seq + s.len;
		}
		uint32_t pre = 0;
		while (pre < sizeof(d) && seen[pre])
			pre++;
		t->dack = t->our_idsn + 1 + pre;
		mt_ack(t, 0);
		harness_advance(t->h, 20 * T_MS);
	}
	assert_true(rm);
	assert_true(fin1);
	assert_int_equal(mt_ctr(t, "mptcp_rm_addr_tx"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_endpoint_removed"), 1);
	for (uint32_t i = 0; i < sizeof(d); i++)
		if (!seen[i])
			fail_msg("byte %u never sent on subflow 0 after the removal", i);
	assert_int_equal(mt_info(t).snd_queued, 0);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	assert_int_equal(t->n_closed, 0);
	/* no longer an endpoint: a new connection does not announce it */
	assert_int_equal(mt_ctr(t, "mptcp_add_addr_tx"), 1);
	mt_free(t);
}

/* §3.4.2 corner cases of mpdk_mptcp_endpoint_del: an address that is not
 * the stack's is refused; one this connection neither announced nor uses
 * sends nothing; the only subflow's own address is not taken from it. */
static void test_endpoint_del_nothing_to_remove(void **state)
{
	(void)state;
	mt_two_local = true;
	struct mt *t = mt_new();
	mt_server_open(t);
	harness_clear_tx(t->h);
	assert_int_equal(mpdk_mptcp_endpoint_del(t->h->e, mt_ip("10.9.9.9")), -ENOENT);
	assert_int_equal(mpdk_mptcp_endpoint_del(NULL, mt_ip("10.0.0.4")), -EINVAL);
	assert_int_equal(mpdk_mptcp_endpoint_del(t->h->e, mt_ip("10.0.0.4")), 0);
	assert_int_equal(mpdk_mptcp_endpoint_del(t->h->e, mt_ip("10.0.0.1")), 0);
	harness_advance(t->h, 50 * T_MS);
	struct mout s;
	while (mt_pop(t, &s)) {
		assert_false(s.flags & (F_FIN | F_RST));
		assert_null(mt_opt(&s, MPTCP_SUB_REMOVE_ADDR));
	}
	assert_int_equal(mt_ctr(t, "mptcp_rm_addr_tx"), 0);
	assert_int_equal(mt_info(t).mptcp_subflows, 1);
	mt_free(t);
}

/* RFC 8684 §3.1, flag C sent: with deny_join_initial the SYN/ACK's
 * MP_CAPABLE is exactly kind 30, length 12, subtype 0 / version 1, flags
 * C|H (0x21), Key-B; a join to the initial address and port is refused
 * (RST, counted) while one to the stack's other address is accepted. */
static void test_c_flag_sent_and_initial_join_refused(void **state)
{
	(void)state;
	mt_two_local = true;
	mt_conf.mptcp.deny_join_initial = true;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYN, 0, 0);
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	f->pseq++;
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	int i = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(i >= 0);
	assert_int_equal(s.mp_len[i], 12);
	const uint8_t *p = s.mp_raw[i];
	assert_int_equal(p[0], 30);
	assert_int_equal(p[1], 12);
	assert_int_equal(p[2], 0x01);   /* subtype 0, version 1 */
	assert_int_equal(p[3], MPTCP_CAP_C_NO_NEW_SUBFLOW | MPTCP_CAP_H_HMAC_SHA256);
	t->our_key = be64_at(p + 4);
	assert_true(t->our_key == s.mp[i].mpc.snd_key);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	mt_keys(t);
	o = mt_mpc(MPTCP_CAP_ACK, t->peer_key, t->our_key);
	mt_send_raw(t, 0, f->pseq, f->pack, F_ACK, &o, 1, NULL, 0);
	assert_int_equal(t->n_accept, 1);

	/* a join to 10.0.0.1:80, the initial subflow's address and port */
	struct mflow *f2 = &t->f[2];
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_SYN;
	o.mpj.addr_id = 0;
	o.mpj.token = t->our_token;
	o.mpj.nonce = 0x11223344;
	f2->pseq = f2->peer_isn;
	mt_send_raw(t, 2, f2->pseq, 0, F_SYN, &o, 1, NULL, 0);
	assert_true(rst_on(t, 2));
	assert_int_equal(mt_ctr(t, "mptcp_join_initial_refused"), 1);
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 0);
	/* to the other address: accepted */
	join_to(t, 1, 1, "10.0.0.4");
	assert_int_equal(mt_ctr(t, "mptcp_join_ack_rx"), 1);
	assert_int_equal(mt_info(t).mptcp_subflows, 2);
	mt_free(t);
}

/* Without deny_join_initial the SYN/ACK has no C (flags A-H: only H). */
static void test_c_flag_off_by_default(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	struct mflow *f = &t->f[0];
	assert_int_equal(mpdk_listen(t->h->e, 0, f->uport, 8, &mt_handler, t, &t->l), 0);
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYN, 0, 0);
	f->pseq = f->peer_isn;
	mt_send_raw(t, 0, f->pseq, 0, F_SYN, &o, 1, NULL, 0);
	struct mout s = mt_expect(t, 0, F_SYN | F_ACK);
	int i = mt_opt_idx(&s, MPTCP_SUB_CAPABLE);
	assert_true(i >= 0);
	assert_int_equal(s.mp_raw[i][3], MPTCP_CAP_H_HMAC_SHA256);
	mt_free(t);
}

/* The stack connects (flow 0) and the peer's SYN/ACK carries C|H. */
static void client_open_c(struct mt *t)
{
	struct mflow *f = &t->f[0];
	f->uport = htons(50000);
	f->pport = htons(80);
	assert_int_equal(mpdk_connect(t->h->e, f->peer, f->pport, 0, f->uport, &mt_handler, t, &t->c), 0);
	struct mout s = mt_expect(t, 0, F_SYN);
	f->our_iss = s.seq;
	f->pack = s.seq + 1;
	f->pseq = f->peer_isn;
	struct mptcp_opt o = mt_mpc(MPTCP_CAP_SYNACK, t->peer_key, 0);
	o.mpc.flags |= MPTCP_CAP_C_NO_NEW_SUBFLOW;
	mt_send_raw(t, 0, f->pseq, f->pack, F_SYN | F_ACK, &o, 1, NULL, 0);
	f->pseq++;
	s = mt_expect(t, 0, F_ACK);
	const struct mptcp_opt *mpc = mt_opt(&s, MPTCP_SUB_CAPABLE);
	assert_non_null(mpc);
	t->our_key = mpc->mpc.snd_key;
	mt_keys(t);
	assert_int_equal(t->n_connected, 1);
}

/* RFC 8684 §3.1, flag C received: "the sender of this option will not
 * accept additional MPTCP subflows to the source address and port": with
 * a `subflow` endpoint (10.0.0.4) the stack opens no subflow to the
 * peer's initial 10.0.0.2:80 (counted), but it does join the address the
 * peer then announces (ADD_ADDR 10.0.0.3). */
static void test_c_flag_received_no_join_to_initial(void **state)
{
	(void)state;
	mt_two_local = true;
	mt_conf.mptcp.n_endpoints = 1;
	mt_conf.mptcp.endpoints[0].addr = mt_ip("10.0.0.4");
	mt_conf.mptcp.endpoints[0].flags = MPDK_MPTCP_EP_SUBFLOW;
	struct mt *t = mt_new();
	client_open_c(t);
	mt_ack(t, 0);   /* the server's first DSS: joins would start now */
	harness_advance(t->h, 200 * T_MS);
	struct mout s;
	while (mt_pop(t, &s))
		assert_false(s.flags & F_SYN);
	assert_int_equal(mt_ctr(t, "mptcp_join_tx"), 0);
	assert_int_equal(mt_ctr(t, "mptcp_join_peer_c_skipped"), 1);

	struct mflow *f0 = &t->f[0], *f1 = &t->f[1];
	struct mptcp_opt o[2] = { mt_dss(t, true, 0, true, 0, 0, false) };
	memset(&o[1], 0, sizeof(o[1]));
	o[1].subtype = MPTCP_SUB_ADD_ADDR;
	o[1].add_addr.addr_id = 1;
	o[1].add_addr.family = MPTCP_ADDR_IPV4;
	o[1].add_addr.addr.v4 = f1->peer;
	o[1].add_addr.hmac = mptcp_add_addr_hmac(t->peer_key, t->our_key, &o[1].add_addr);
	mt_send_raw(t, 0, f0->pseq, f0->pack, F_ACK, o, 2, NULL, 0);
	bool syn = false;
	while (mt_pop(t, &s)) {
		if (!(s.flags & F_SYN))
			continue;
		assert_int_equal(s.dst, f1->peer);
		assert_non_null(mt_opt(&s, MPTCP_SUB_JOIN));
		syn = true;
	}
	assert_true(syn);
	assert_int_equal(mt_ctr(t, "mptcp_join_tx"), 1);
	mt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_remove_addr_sent_on_endpoint_del, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_del_nothing_to_remove, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_c_flag_sent_and_initial_join_refused, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_c_flag_off_by_default, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_c_flag_received_no_join_to_initial, setup, mt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
