/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP (RFC 792, RFC 1122 3.2.2): echo both ways, protocol unreachable. */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include "core/engine.h"
#include "net/cksum.h"
#include "net/icmp.h"
#include "net/ipv4.h"

#define ICMP_HDR_LEN ((uint32_t)sizeof(struct rte_icmp_hdr))

/* Echo requests carry our send time in the first payload bytes; the peer
 * echoes it back, so no per-ping state is kept. */
#define ICMP_TS_LEN ((uint32_t)sizeof(uint64_t))

static void icmp_reply_echo(struct mpdk_engine *e, struct rte_mbuf *m, uint32_t len)
{
	const struct rte_ipv4_hdr *ih = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	/* RFC 792: reply from the address that was pinged. */
	uint32_t src = ih->dst_addr, dst = ih->src_addr;

	rte_pktmbuf_adj(m, m->l3_len);
	struct rte_icmp_hdr *ic = rte_pktmbuf_mtod(m, struct rte_icmp_hdr *);
	ic->icmp_type = ICMP_TYPE_ECHO_REPLY;
	ic->icmp_code = 0;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = cksum_finish(cksum_mbuf(m, 0, len, 0));
	/* The rx offload verdicts mean nothing on the way out. */
	m->ol_flags &= RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT;
	if (ipv4_output(e, m, src, dst, IPPROTO_ICMP, 0) == 0)
		CTR_INC(e, icmp_echo_replies_sent);
}

static void icmp_echo_reply_rx(struct mpdk_engine *e, const struct rte_mbuf *m, uint32_t len)
{
	const struct mpdk_stack *s = e->stack;
	const struct rte_ipv4_hdr *ih = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	const struct rte_icmp_hdr *ic =
		rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, m->l3_len);

	CTR_INC(e, icmp_echo_replies_rx);
	if (s->conf.on_ping_reply == NULL)
		return;
	struct mpdk_ping_reply r = {
		.from = ih->src_addr,
		.id = rte_be_to_cpu_16(ic->icmp_ident),
		.seq = rte_be_to_cpu_16(ic->icmp_seq_nb),
		.len = (uint16_t)(len - ICMP_HDR_LEN),
	};
	if (len - ICMP_HDR_LEN >= ICMP_TS_LEN) {
		uint64_t ts;
		const uint64_t *p = rte_pktmbuf_read(m, m->l3_len + ICMP_HDR_LEN, ICMP_TS_LEN, &ts);
		memcpy(&ts, p, sizeof(ts));
		/* A reply from the future was not ours: report no RTT. */
		r.rtt_ns = engine_now(e) >= ts ? engine_now(e) - ts : 0;
	}
	s->conf.on_ping_reply(s->conf.ping_arg, &r);
}

void icmp_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	uint32_t hlen = m->l3_len;
	uint32_t len = m->pkt_len - hlen;
	(void)iface;

	/* The header is written in place for a reply, so it must be in the
	 * first segment; PMDs never split that early. */
	if (unlikely(len < ICMP_HDR_LEN || m->data_len < hlen + ICMP_HDR_LEN)) {
		CTR_INC(e, icmp_rx_truncated);
		goto drop;
	}
	if (unlikely(cksum_finish(cksum_mbuf(m, hlen, len, 0)) != 0)) {
		CTR_INC(e, icmp_rx_bad_cksum);
		goto drop;
	}
	const struct rte_icmp_hdr *ic = rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, hlen);
	switch (ic->icmp_type) {
	case ICMP_TYPE_ECHO_REQUEST:
		CTR_INC(e, icmp_echo_requests);
		icmp_reply_echo(e, m, len);
		return;
	case ICMP_TYPE_ECHO_REPLY:
		icmp_echo_reply_rx(e, m, len);
		break;
	case ICMP_TYPE_DEST_UNREACH:
	case 4:  /* source quench */
	case 5:  /* redirect: hosts may ignore (we have static routes) */
	case 11: /* time exceeded */
	case 12: /* parameter problem */
		CTR_INC(e, icmp_rx_errors);
		break;
	default:
		CTR_INC(e, icmp_rx_other);
		break;
	}
drop:
	rte_pktmbuf_free(m);
}

int icmp_echo_request(struct mpdk_engine *e, uint32_t dst, uint16_t id, uint16_t seq, uint16_t len)
{
	uint32_t hdst = rte_be_to_cpu_32(dst);
	if (dst == 0 || dst == UINT32_MAX || (hdst & 0xf0000000u) == 0xe0000000u)
		return -EINVAL;
	if (ICMP_HDR_LEN + len > UINT16_MAX)
		return -EINVAL;
	struct rte_mbuf *m = engine_alloc_mbuf(e);
	if (m == NULL)
		return -ENOBUFS;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(ICMP_HDR_LEN + len));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -EINVAL;
	}
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)p;
	ic->icmp_type = ICMP_TYPE_ECHO_REQUEST;
	ic->icmp_code = 0;
	ic->icmp_cksum = 0;
	ic->icmp_ident = rte_cpu_to_be_16(id);
	ic->icmp_seq_nb = rte_cpu_to_be_16(seq);
	uint8_t *pl = p + ICMP_HDR_LEN;
	uint32_t i = 0;
	if (len >= ICMP_TS_LEN) {
		/* Called by the application between polls: read the clock. */
		uint64_t now = engine_refresh_now(e);
		memcpy(pl, &now, sizeof(now));
		i = ICMP_TS_LEN;
	}
	for (; i < len; i++)
		pl[i] = (uint8_t)i;
	ic->icmp_cksum = cksum_finish(cksum_partial(p, ICMP_HDR_LEN + len, 0));

	int rc = ipv4_output(e, m, 0, dst, IPPROTO_ICMP, 0);
	if (rc == 0)
		CTR_INC(e, icmp_echo_requests_sent);
	return rc == -EMSGSIZE ? -EINVAL : rc;
}

void icmp_send_unreach(struct mpdk_engine *e, struct rte_mbuf *orig, uint8_t code)
{
	const struct rte_ipv4_hdr *ih = rte_pktmbuf_mtod(orig, const struct rte_ipv4_hdr *);
	uint32_t src = ih->dst_addr, dst = ih->src_addr;
	uint32_t quote = RTE_MIN(orig->pkt_len, (uint32_t)ICMP_ERR_QUOTE_MAX);
	struct rte_mbuf *m = engine_alloc_mbuf(e);
	if (m == NULL)
		goto out;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(ICMP_HDR_LEN + quote));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		goto out;
	}
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)p;
	memset(ic, 0, sizeof(*ic)); /* id/seq are the "unused" word */
	ic->icmp_type = ICMP_TYPE_DEST_UNREACH;
	ic->icmp_code = code;
	const void *q = rte_pktmbuf_read(orig, 0, quote, p + ICMP_HDR_LEN);
	if (q != p + ICMP_HDR_LEN)
		memcpy(p + ICMP_HDR_LEN, q, quote);
	ic->icmp_cksum = cksum_finish(cksum_partial(p, ICMP_HDR_LEN + quote, 0));
	if (ipv4_output(e, m, src, dst, IPPROTO_ICMP, 0) == 0)
		CTR_INC(e, icmp_unreach_sent);
out:
	rte_pktmbuf_free(orig);
}
