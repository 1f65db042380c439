/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TSO on MPTCP subflows (issue 6; src/tcp/tcp_output.c, docs/performance.md
 * "MPTCP and TSO"), against the scripted peer with a fake port capability
 * (PORT_TX_TSO, as test_tcp_tso.c), the frames read as the port gets them:
 *  - once the subflow is in its data phase, new data leaves as
 *    super-segments of a whole number of segment payloads, each inside one
 *    mapping, whose single DSS (the port repeats it on every segment it
 *    cuts) describes that whole mapping: RFC 8684 §3.3.1, "the Data
 *    Sequence Mapping ... a mapping that contains that segment", which is
 *    how Linux sends (one mapping per TSO skb);
 *  - each cut segment fits the peer's MSS with the options (TS + DSS,
 *    MPTCP_DSS_RESERVE) on it (RFC 9293 §3.7.1);
 *  - an RTO retransmits one ordinary segment, and its DSS is still the
 *    full mapping (Linux's receiver takes only that same mapping again,
 *    net/mptcp/subflow.c: "Allow replacing only with an identical map");
 *  - with DSS checksums (flag A) TSO stays on: the checksum of a mapping is
 *    computed over all its data when the mapping is made, so it verifies
 *    over the super-segments' bytes (§3.3.1);
 *  - before the peer showed a DSS (handshake not over) no super-segment.
 */
#include "mptcp_test_util.h"
#include "tcp/tcb.h"
#include "mptcp/mptcp_int.h"
#include "drivers/port.h"

struct frame {
	uint64_t ol_flags;
	uint16_t tso_segsz, l4_len;
	uint32_t seq, len;
	uint8_t flags;
	bool has_map;
	struct mptcp_opt_dss dss;
	uint8_t data[70000];
};

static struct frame fr;
static uint8_t payload[65536];

static int setup(void **state)
{
	(void)state;
	mt_conf_reset();
	mt_conf.sndbuf = 1 << 20;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + (i >> 9));
	return 0;
}

static void give_tso(struct mt *t, uint32_t tso_max, uint32_t frame_max)
{
	struct net_iface *ifp = &t->h->stack->ifaces[0];
	ifp->caps |= PORT_TX_TSO | PORT_TX_TCP_CKSUM | PORT_TX_IPV4_CKSUM;
	ifp->port->caps = ifp->caps;
	ifp->port->tso_max = tso_max;
	ifp->port->tso_frame_max = frame_max;
}

/* Next TCP frame the stack handed to the port, with its DSS parsed. */
static bool pop_frame(struct mt *t, struct frame *f)
{
	struct rte_mbuf *m;
	harness_poll(t->h);
	while ((m = harness_pop_tx(t->h, 0)) != NULL) {
		static uint8_t buf[70000];
		uint32_t len = m->pkt_len;
		assert_true(len <= sizeof(buf));
		const uint8_t *p = rte_pktmbuf_read(m, 0, len, buf);
		if (p != buf)
			memcpy(buf, p, len);
		f->ol_flags = m->ol_flags;
		f->tso_segsz = m->tso_segsz;
		f->l4_len = m->l4_len;
		rte_pktmbuf_free(m);
		const struct rte_ether_hdr *eh = (const void *)buf;
		if (eh->ether_type != htons(RTE_ETHER_TYPE_IPV4))
			continue;
		const struct rte_ipv4_hdr *ih = (const void *)(eh + 1);
		if (ih->next_proto_id != IPPROTO_TCP)
			continue;
		const struct rte_tcp_hdr *th = (const void *)(ih + 1);
		uint32_t hl = (th->data_off >> 4) * 4u;
		f->seq = ntohl(th->sent_seq);
		f->flags = th->tcp_flags;
		f->len = ntohs(ih->total_length) - 20 - hl;
		memcpy(f->data, (const uint8_t *)th + hl, f->len);
		struct tcp_opts o;
		assert_int_equal(tcp_opts_parse((const uint8_t *)(th + 1), hl - 20, 0, &o), 0);
		if (o.flags & TCP_OPT_F_TS)
			t->ts_ecr = o.ts_val;
		f->has_map = false;
		for (unsigned i = 0; i < o.n_mptcp; i++) {
			struct mptcp_opt mo;
			assert_int_equal(mptcp_opt_parse(o.mptcp[i].p, o.mptcp[i].len, f->flags, &mo), 0);
			if (mo.subtype == MPTCP_SUB_DSS && mo.dss.has_map) {
				f->has_map = true;
				f->dss = mo.dss;
			}
		}
		return true;
	}
	return false;
}

/* MP_CAPABLE with the stack as server, the peer with timestamps (as
 * Linux), then a DSS from the peer: the subflow is in its data phase. */
static struct mt *open_conn(bool csum)
{
	struct mt *t = mt_new();
	t->ts = true;
	t->csum = csum;
	mt_server_open(t);
	mt_ack(t, 0);
	harness_clear_tx(t->h);
	return t;
}

/* The checksum of the mapping @m over the bytes of payload[] it maps. */
static uint16_t map_csum(const struct mt *t, const struct mptcp_opt_dss *m)
{
	uint64_t off = m->dsn - (t->our_idsn + 1);
	return mptcp_dss_csum(m->dsn, m->ssn, m->data_len,
			      mptcp_csum_partial(payload + off, m->data_len, 0));
}

/* Send @n bytes; check every frame: super-segments inside one mapping,
 * the DSS the whole mapping, bytes right. Returns the super-segments. */
static unsigned send_and_check(struct mt *t, uint32_t n, bool csum)
{
	struct mflow *f = &t->f[0];
	struct mptcp_subflow *sf = tcb_from_handle(t->c)->sf;
	const uint32_t segsz = sf->t->mss;
	assert_int_equal(mpdk_send(t->c, payload, n), (ssize_t)n);
	unsigned supers = 0, maps_seen = 0;
	uint32_t last_map_ssn = 0, got = 0;
	while (pop_frame(t, &fr)) {
		if (fr.len == 0)
			continue;
		assert_true(fr.has_map);
		uint32_t rel = fr.seq - f->our_iss;
		/* the segment (and every segment the port cuts from it) lies in
		 * the mapping its DSS carries (§3.3.1) */
		assert_true(SEQ_GEQ(rel, fr.dss.ssn));
		assert_true(SEQ_LEQ(rel + fr.len, fr.dss.ssn + fr.dss.data_len));
		uint64_t dsn = fr.dss.dsn + (rel - fr.dss.ssn);
		assert_memory_equal(fr.data, payload + (dsn - (t->our_idsn + 1)), fr.len);
		assert_int_equal(fr.dss.has_csum, csum);
		if (csum)
			assert_int_equal(fr.dss.csum, map_csum(t, &fr.dss));
		if (fr.dss.ssn != last_map_ssn || maps_seen == 0)
			maps_seen++;
		last_map_ssn = fr.dss.ssn;
		if (fr.ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
			supers++;
			assert_int_equal(fr.tso_segsz, segsz);
			assert_int_equal(fr.len % segsz, 0);
			assert_true(fr.len >= 2 * segsz);
			/* each cut segment fits MSS 1460 with its options */
			assert_true(fr.l4_len - 20u + fr.tso_segsz <= 1460);
			assert_false(fr.flags & (F_FIN | F_SYN | F_RST));
		}
		got += fr.len;
	}
	assert_int_equal(got, n < 10 * segsz ? n : got);
	return supers;
}

/* A flight of new data goes out as super-segments, each with the one
 * mapping that contains it; the subflow's mappings are recorded once
 * (tx_n equals the mappings seen); the next flights too. */
static void test_tso_super_segments_one_mapping(void **state)
{
	(void)state;
	struct mt *t = open_conn(false);
	struct mflow *f = &t->f[0];
	give_tso(t, 65455, 1514);
	struct mptcp_subflow *sf = tcb_from_handle(t->c)->sf;
	uint32_t segsz = sf->t->mss;
	assert_int_equal(segsz, 1460 - 12 - MPTCP_DSS_RESERVE);
	unsigned supers = send_and_check(t, 40000, false);
	assert_true(supers >= 1);
	assert_int_equal(mt_ctr(t, "tcp_tso_sends"), supers);
	assert_true(mt_ctr(t, "tcp_tso_segs") >= 2 * supers);
	assert_true(sf->tx_n >= 1);
	/* ACK the flight (subflow and data level): the rest follows, also
	 * as super-segments */
	f->pack = sf->t->snd_max;
	t->dack = sf->mp->snd_nxt;
	mt_ack(t, 0);
	struct mout s;
	unsigned more = 0;
	while (pop_frame(t, &fr)) {
		if (fr.len == 0)
			continue;
		assert_true(fr.has_map);
		uint32_t rel = fr.seq - f->our_iss;
		assert_true(SEQ_GEQ(rel, fr.dss.ssn) && SEQ_LEQ(rel + fr.len, fr.dss.ssn + fr.dss.data_len));
		if (fr.ol_flags & RTE_MBUF_F_TX_TCP_SEG)
			more++;
	}
	(void)s;
	assert_true(more >= 1);
	assert_int_equal(mt_ctr(t, "mptcp_dss_bad_map"), 0);
	mt_free(t);
}

/* RFC 6298 §5.4 / RFC 8684 §3.3.1: an RTO resends one ordinary segment,
 * whose DSS is the super-segment's full mapping (the receiver has it
 * already, and takes only that same mapping again). */
static void test_tso_retransmission_keeps_mapping(void **state)
{
	(void)state;
	struct mt *t = open_conn(false);
	struct mflow *f = &t->f[0];
	give_tso(t, 65455, 1514);
	struct mptcp_subflow *sf = tcb_from_handle(t->c)->sf;
	assert_int_equal(mpdk_send(t->c, payload, 20000), 20000);
	struct mptcp_opt_dss first = { 0 };
	bool have = false;
	uint32_t first_seq = 0;
	while (pop_frame(t, &fr)) {
		if (fr.len > 0 && !have && (fr.ol_flags & RTE_MBUF_F_TX_TCP_SEG)) {
			first = fr.dss;
			first_seq = fr.seq;
			have = true;
		}
	}
	assert_true(have);
	uint64_t tso0 = mt_ctr(t, "tcp_tso_sends");
	/* no ACK: the RTO fires */
	harness_advance(t->h, 1500 * T_MS);
	bool rtx = false;
	while (pop_frame(t, &fr)) {
		if (fr.len == 0 || fr.seq != first_seq)
			continue;
		rtx = true;
		assert_false(fr.ol_flags & RTE_MBUF_F_TX_TCP_SEG);
		assert_true(fr.len <= sf->t->mss);
		assert_true(fr.has_map);
		assert_int_equal(fr.dss.ssn, first.ssn);
		assert_int_equal(fr.dss.dsn, first.dsn);
		assert_int_equal(fr.dss.data_len, first.data_len);
		assert_memory_equal(fr.data, payload, fr.len);
	}
	assert_true(rtx);
	assert_int_equal(mt_ctr(t, "tcp_tso_sends"), tso0);
	assert_true(mt_ctr(t, "tcp_retransmits") >= 1);
	(void)f;
	mt_free(t);
}

/* Flag A: TSO stays on; every super-segment's DSS checksum is the one of
 * its whole mapping, computed over the mapping's bytes (§3.3.1). */
static void test_tso_with_checksums(void **state)
{
	(void)state;
	struct mt *t = open_conn(true);
	assert_true(mt_info(t).mptcp_checksum);
	give_tso(t, 65455, 1514);
	unsigned supers = send_and_check(t, 30000, true);
	assert_true(supers >= 1);
	assert_int_equal(mt_ctr(t, "tcp_tso_sends"), supers);
	mt_free(t);
}

/* The port's frame limit (net_tap counts the Ethernet header) shrinks the
 * segment payload below the subflow's MSS: still whole segments inside
 * one mapping. */
static void test_tso_frame_max(void **state)
{
	(void)state;
	struct mt *t = open_conn(false);
	struct mflow *f = &t->f[0];
	give_tso(t, 65455, 1500);
	struct mptcp_subflow *sf = tcb_from_handle(t->c)->sf;
	assert_int_equal(mpdk_send(t->c, payload, 30000), 30000);
	unsigned supers = 0;
	while (pop_frame(t, &fr)) {
		if (fr.len == 0)
			continue;
		uint32_t rel = fr.seq - f->our_iss;
		assert_true(fr.has_map);
		assert_true(SEQ_GEQ(rel, fr.dss.ssn) && SEQ_LEQ(rel + fr.len, fr.dss.ssn + fr.dss.data_len));
		if (fr.ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
			supers++;
			assert_true(fr.tso_segsz < sf->t->mss);
			assert_true(14u + 20u + fr.l4_len + fr.tso_segsz <= 1500);
			assert_int_equal(fr.len % fr.tso_segsz, 0);
		}
	}
	assert_true(supers >= 1);
	mt_free(t);
}

/* Before the peer's first DSS the handshake is not over (its MP_CAPABLE
 * may still be repeated, §3.1): ordinary segments only. */
static void test_no_tso_before_dss(void **state)
{
	(void)state;
	struct mt *t = mt_new();
	t->ts = true;
	mt_server_open(t);
	harness_clear_tx(t->h);
	give_tso(t, 65455, 1514);
	assert_int_equal(mpdk_send(t->c, payload, 20000), 20000);
	unsigned data = 0;
	while (pop_frame(t, &fr))
		if (fr.len > 0) {
			data++;
			assert_false(fr.ol_flags & RTE_MBUF_F_TX_TCP_SEG);
		}
	assert_true(data > 0);
	assert_int_equal(mt_ctr(t, "tcp_tso_sends"), 0);
	mt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tso_super_segments_one_mapping, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_tso_retransmission_keeps_mapping, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_tso_with_checksums, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_tso_frame_max, setup, mt_teardown),
		cmocka_unit_test_setup_teardown(test_no_tso_before_dss, setup, mt_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
