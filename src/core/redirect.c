/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cross-engine steering of a stack with several engines (redirect.h).
 *
 * Where a TCP segment is processed: the engine that owns its 4-tuple.
 * Ownership is the rx queue the port's RSS picks (engine i polls queue i),
 * except for subflows joined to an MPTCP connection of another engine
 * (RFC 8684 §3.2: the token in SYN+MP_JOIN names the connection; every
 * subflow lives on the connection's home engine, design.md). Those get a
 * redirect entry on the engine their frames land on, and follow it.
 *
 * Header peeking here only decides where a frame goes; validation,
 * counting of bad frames and every protocol decision stay with the normal
 * input path of the engine that gets the frame. Option bytes are read
 * through the TCP and MPTCP option codecs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "core/engine.h"
#include "core/flow.h"
#include "core/log.h"
#include "core/redirect.h"
#include "drivers/port.h"
#include "mptcp/options.h"
#include "mptcp/token.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "tcp/options.h"
#include "tcp/tcb.h"

#define RD_BURST 32
#define RD_MAX_BURSTS 8

struct rd_key {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
} __rte_packed;

struct redirect {
	struct rte_ring *ring;     /* MP/SC: any engine posts, this one reads */
	struct rte_hash *table;    /* rd_key -> (gen << 8 | engine) */
	uint32_t next_gen;
	uint64_t next_check;       /* engine time of the next table upkeep */
	uint32_t check_it;         /* rte_hash_iterate position the upkeep resumes at */
	struct flow_table *flow;   /* rte_flow rules of our entries (flow.h), or NULL */
	uint64_t last_rx;          /* port_rx_frames at the last poll: idle detection */
};

static inline uintptr_t rd_val(unsigned engine, uint32_t gen)
{
	return ((uintptr_t)gen << 8) | (engine & 0xff);
}

int redirect_engine_init(struct mpdk_engine *e)
{
	static unsigned seq;
	unsigned id = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
	char name[RTE_RING_NAMESIZE];
	struct redirect *rd;

	if (e->stack->n_engines < 2)
		return 0;
	rd = rte_zmalloc("mpdk_redirect", sizeof(*rd), RTE_CACHE_LINE_SIZE);
	if (rd == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "mpdk_rd%u", id);
	rd->ring = rte_ring_create_elem(name, sizeof(struct redirect_msg), REDIRECT_RING_SIZE,
					SOCKET_ID_ANY, RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "mpdk_rdt%u", id);
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = REDIRECT_TABLE_SIZE,
		.key_len = sizeof(struct rd_key),
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
	};
	rd->table = rte_hash_create(&hp);
	if (rd->ring == NULL || rd->table == NULL) {
		MPDK_LOG(ERR, "engine %u: cannot create its redirect ring or table", e->id);
		rte_ring_free(rd->ring);
		rte_hash_free(rd->table);
		rte_free(rd);
		return -ENOMEM;
	}
	rd->next_gen = 1;
	rd->next_check = engine_now(e) + REDIRECT_CHECK_NS;
	if (flow_stack_capable(e->stack)) {
		rd->flow = flow_table_create(e);
		if (rd->flow == NULL)
			MPDK_LOG(WARNING, "engine %u: no flow rule table: software redirect only", e->id);
	}
	e->rd = rd;
	return 0;
}

void redirect_engine_fini(struct mpdk_engine *e)
{
	struct redirect *rd = e->rd;
	struct redirect_msg msgs[RD_BURST];
	unsigned n;

	if (rd == NULL)
		return;
	/* Frames still in the ring belong to us now. */
	while ((n = rte_ring_dequeue_burst_elem(rd->ring, msgs, sizeof(msgs[0]), RD_BURST, NULL)) > 0)
		for (unsigned i = 0; i < n; i++)
			if (msgs[i].type == RD_PKT || msgs[i].type == RD_TX ||
			    msgs[i].type == RD_SYN || msgs[i].type == RD_GONE)
				rte_pktmbuf_free(msgs[i].m);   /* NULL-safe */
	/* Rules still installed go with the stack (the ports outlive it). */
	flow_table_free(e, rd->flow);
	rte_ring_free(rd->ring);
	rte_hash_free(rd->table);
	rte_free(rd);
	e->rd = NULL;
}

int redirect_post(struct mpdk_engine *e, unsigned to, const struct redirect_msg *msg)
{
	const struct mpdk_stack *s = e->stack;

	if (to >= s->n_engines || s->engines[to] == NULL || s->engines[to]->rd == NULL)
		return -EINVAL;
	if (rte_ring_mp_enqueue_elem(s->engines[to]->rd->ring, (void *)(uintptr_t)msg,
				     sizeof(*msg)) != 0) {
		CTR_INC(e, engine_redirect_ring_full);
		return -ENOBUFS;
	}
	return 0;
}

/* Hand frame @m to engine @to; on failure it is dropped (and counted). */
static void post_frame(struct mpdk_engine *e, unsigned to, uint8_t type, uint16_t iface,
		       struct rte_mbuf *m)
{
	struct redirect_msg msg = { .type = type, .from = (uint8_t)e->id, .iface = iface, .m = m };

	if (redirect_post(e, to, &msg) != 0)
		rte_pktmbuf_free(m);
	else if (type == RD_PKT)
		CTR_INC(e, engine_redirect_tx);
	else
		CTR_INC(e, engine_tx_via_engine0);
}

void redirect_tx(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		post_frame(e, 0, RD_TX, iface, pkts[i]);
}

unsigned redirect_owner(const struct mpdk_stack *s, uint16_t iface, uint32_t laddr, uint16_t lport,
			uint32_t raddr, uint16_t rport)
{
	const struct mpdk_port *p;

	if (s->n_engines < 2 || iface >= s->n_ifaces)
		return 0;
	p = s->ifaces[iface].port;
	/* Received segments travel raddr:rport -> laddr:lport. */
	if (!s->sw_steer[iface])
		return port_rss_queue(p, raddr, laddr, rport, lport);
	return port_toeplitz_ipv4(port_rss_std_key, raddr, laddr, rport, lport, true) % s->n_engines;
}

static inline void rd_key_make(struct rd_key *k, uint32_t laddr, uint16_t lport, uint32_t raddr,
			       uint16_t rport)
{
	memset(k, 0, sizeof(*k));
	k->laddr = laddr;
	k->raddr = raddr;
	k->lport = lport;
	k->rport = rport;
}

int redirect_lookup(struct mpdk_engine *e, uint32_t laddr, uint16_t lport, uint32_t raddr,
		    uint16_t rport)
{
	struct rd_key k;
	void *v;

	if (e->rd == NULL)
		return -1;
	rd_key_make(&k, laddr, lport, raddr, rport);
	if (rte_hash_lookup_data(e->rd->table, &k, &v) < 0)
		return -1;
	return (int)((uintptr_t)v & 0xff);
}

unsigned redirect_table_size(const struct mpdk_engine *e)
{
	return e->rd != NULL ? (unsigned)rte_hash_count(e->rd->table) : 0;
}

int redirect_flow_queue(struct mpdk_engine *e, uint32_t laddr, uint16_t lport, uint32_t raddr,
			uint16_t rport)
{
	return e->rd != NULL ? flow_installed_queue(e->rd->flow, laddr, lport, raddr, rport) : -1;
}

unsigned redirect_flow_pending(const struct mpdk_engine *e)
{
	return e->rd != NULL ? flow_pending(e->rd->flow) : 0;
}

/* Can a rule on @iface's port deliver the 4-tuple to engine @home
 * directly? Only where each engine has its own rx queue and RSS picks
 * this engine (one rule per 4-tuple: the RSS owner's), not home. */
static bool rd_flow_useful(const struct mpdk_engine *e, uint16_t iface, const struct rd_key *k,
			   unsigned home)
{
	const struct mpdk_stack *s = e->stack;
	const struct mpdk_port *p = s->ifaces[iface].port;

	return e->rd->flow != NULL && !s->sw_steer[iface] && (p->caps & PORT_FLOW_STEER) &&
	       home != e->id && home < p->n_rx_queues &&
	       redirect_owner(s, iface, k->laddr, k->lport, k->raddr, k->rport) == e->id;
}

/* A frame from @iface's port on this engine's queue whose 4-tuple RSS puts
 * on another engine's: only an rte_flow rule sends it here. */
static bool rd_off_queue(const struct mpdk_engine *e, uint16_t iface, const struct rd_key *k)
{
	const struct mpdk_stack *s = e->stack;

	return !s->sw_steer[iface] && (s->ifaces[iface].port->caps & PORT_FLOW_STEER) &&
	       redirect_owner(s, iface, k->laddr, k->lport, k->raddr, k->rport) != e->id;
}

static void rd_set(struct mpdk_engine *e, uint16_t iface, const struct rd_key *k, unsigned home)
{
	struct redirect *rd = e->rd;
	uint32_t gen = rd->next_gen++ & 0xffffff;

	if (rte_hash_add_key_data(rd->table, k, (void *)rd_val(home, gen)) < 0) {
		CTR_INC(e, engine_redirect_table_full);
		return;
	}
	CTR_INC(e, engine_redirect_added);
	/* The entry carries the segments until the port steers them (and
	 * for good when it cannot): the rule is made later, off this path. */
	if (rd_flow_useful(e, iface, k, home))
		flow_want(e, rd->flow, iface, k->laddr, k->lport, k->raddr, k->rport, (uint16_t)home);
}

/* Drop an entry and its rule; @now: the rule at once, not when idle. */
static void rd_del(struct mpdk_engine *e, const struct rd_key *k, bool now)
{
	if (rte_hash_del_key(e->rd->table, k) >= 0)
		CTR_INC(e, engine_redirect_removed);
	flow_drop(e, e->rd->flow, k->laddr, k->lport, k->raddr, k->rport, now);
}

/* Does this engine have a connection (any state) for the 4-tuple? */
static bool has_conn(struct mpdk_engine *e, const struct rd_key *k)
{
	return e->tcp != NULL && tcp_demux_lookup(e->tcp, k->laddr, k->lport, k->raddr, k->rport) != NULL;
}

/* A SYN for a 4-tuple whose redirect entry (@v) points to engine @to: ask
 * it (RD_SYN) instead of believing the SYN. */
static void post_syn(struct mpdk_engine *e, unsigned to, uint16_t iface, const struct rd_key *k,
		     uintptr_t v, bool from_port, struct rte_mbuf *m)
{
	struct redirect_msg msg = {
		.type = RD_SYN, .from = (uint8_t)e->id, .iface = iface,
		.gen = (uint32_t)(v >> 8) | (from_port ? RD_SYN_FROM_PORT : 0),
		.t = { .laddr = k->laddr, .raddr = k->raddr, .lport = k->lport, .rport = k->rport },
		.m = m,
	};

	if (redirect_post(e, to, &msg) != 0)
		rte_pktmbuf_free(m);
	else
		CTR_INC(e, engine_redirect_tx);
}

/* The home engine of the MPTCP connection a SYN+MP_JOIN names, or -1 for
 * any other segment (no MP_JOIN, unknown token). @th is a copy of the
 * TCP header, @m's TCP header starts at @l4off. */
static int join_home(struct mpdk_engine *e, const struct rte_mbuf *m, uint32_t l4off,
		     const struct rte_tcp_hdr *th)
{
	uint8_t buf[40];
	struct tcp_opts o;
	struct token_entry ent;
	uint32_t hlen = (uint32_t)(th->data_off >> 4) * 4;
	const uint8_t *opts;

	if (hlen <= sizeof(*th) || l4off + hlen > m->pkt_len)
		return -1;
	opts = rte_pktmbuf_read(m, l4off + sizeof(*th), hlen - sizeof(*th), buf);
	if (opts == NULL || tcp_opts_parse(opts, hlen - sizeof(*th), true, &o) < 0)
		return -1;
	for (unsigned i = 0; i < o.n_mptcp; i++) {
		struct mptcp_opt mo;

		if (o.mptcp[i].len < 3 || (o.mptcp[i].p[2] >> 4) != MPTCP_SUB_JOIN)
			continue;
		if (mptcp_opt_parse(o.mptcp[i].p, o.mptcp[i].len, th->tcp_flags, &mo) != 0)
			continue;
		if (mo.mpj.form != MPTCP_JOIN_SYN && mo.mpj.form != MPTCP_JOIN_SYN_EC)
			continue;
		if (token_table_lookup(e->stack->tokens, mo.mpj.token, &ent) != 0 ||
		    ent.home >= e->stack->n_engines)
			return -1;
		return (int)ent.home;
	}
	return -1;
}

/* An ARP frame received from a port: tell the other engines who the
 * sender is, the way arp_input() learns it (RFC 826 merge; added when
 * the frame was for one of our addresses). */
static void arp_mirror(struct mpdk_engine *e, uint16_t iface, const struct rte_mbuf *m)
{
	const struct mpdk_stack *s = e->stack;
	const struct net_iface *ifp = &s->ifaces[iface];
	struct rte_arp_hdr copy;
	const struct rte_arp_hdr *ah;
	struct redirect_msg msg = { .type = RD_ARP, .from = (uint8_t)e->id, .iface = iface };

	ah = rte_pktmbuf_read(m, sizeof(struct rte_ether_hdr), sizeof(*ah), &copy);
	if (ah == NULL || ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ah->arp_hlen != RTE_ETHER_ADDR_LEN || ah->arp_plen != sizeof(uint32_t) ||
	    ah->arp_data.arp_sip == 0 || !rte_is_valid_assigned_ether_addr(&ah->arp_data.arp_sha))
		return;   /* arp_input() counts what is wrong with it */
	msg.arp.ip = ah->arp_data.arp_sip;
	memcpy(msg.arp.mac, ah->arp_data.arp_sha.addr_bytes, 6);
	for (uint16_t a = 0; a < ifp->n_addrs; a++)
		if (ifp->addrs[a] == ah->arp_data.arp_tip)
			msg.gen = 1;
	for (unsigned i = 0; i < s->n_engines; i++)
		if (i != e->id && redirect_post(e, i, &msg) == 0)
			CTR_INC(e, engine_arp_mirrored);
}

bool redirect_steer(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m, bool from_port)
{
	const struct mpdk_stack *s = e->stack;
	struct rte_ether_hdr ecopy;
	struct rte_ipv4_hdr icopy;
	struct rte_tcp_hdr tcopy;
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ih;
	const struct rte_tcp_hdr *th;
	struct rd_key k;
	uint32_t l4off;
	void *v;

	if (s->n_engines < 2 || e->rd == NULL)
		return false;
	eh = rte_pktmbuf_read(m, 0, sizeof(*eh), &ecopy);
	if (eh == NULL)
		return false;
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		if (from_port)
			arp_mirror(e, iface, m);
		return false;
	}
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return false;
	ih = rte_pktmbuf_read(m, sizeof(*eh), sizeof(*ih), &icopy);
	if (ih == NULL || (ih->version_ihl >> 4) != 4 || ih->next_proto_id != IPPROTO_TCP ||
	    (ih->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)))
		return false;
	l4off = sizeof(*eh) + (uint32_t)(ih->version_ihl & 0xf) * 4;
	th = rte_pktmbuf_read(m, l4off, sizeof(*th), &tcopy);
	if (th == NULL)
		return false;
	rd_key_make(&k, ih->dst_addr, th->dst_port, ih->src_addr, th->src_port);

	if ((th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) ==
	    RTE_TCP_SYN_FLAG) {
		int home;

		/* A SYN proves nothing about the 4-tuple: anyone who guesses
		 * it can send one. While an entry or a connection of this
		 * engine claims the 4-tuple, the SYN goes where that
		 * connection lives and its TCP decides (RFC 5961 §4: a SYN
		 * in a synchronized state gets a challenge ACK); the entry
		 * changes only once the engine it names has no connection
		 * for the 4-tuple (RD_SYN answered by RD_GONE, below). */
		if (rte_hash_lookup_data(e->rd->table, &k, &v) >= 0) {
			unsigned to = (uintptr_t)v & 0xff;
			if (to != e->id) {
				post_syn(e, to, iface, &k, (uintptr_t)v, from_port, m);
				return true;
			}
			if (has_conn(e, &k))
				return false;
			rd_del(e, &k, false);   /* points here, nothing here: stale */
		} else if (has_conn(e, &k)) {
			return false;
		}
		if (from_port && rd_off_queue(e, iface, &k)) {
			/* Delivered here by a rule of the engine RSS picks,
			 * yet nothing here has the 4-tuple: that engine's
			 * entry is stale (the rule outlives a connection until
			 * the upkeep finds it gone). The SYN goes to it, whose
			 * entry logic decides, as if the rule were gone. */
			post_frame(e, redirect_owner(s, iface, k.laddr, k.lport, k.raddr, k.rport),
				   RD_PKT, iface, m);
			return true;
		}
		home = join_home(e, m, l4off, th);
		if (home >= 0 && (unsigned)home != e->id) {
			/* RFC 8684 §3.2 subflow of a connection owned by
			 * another engine: it lives there, and so do the rest
			 * of its segments that land here. */
			rd_set(e, iface, &k, (unsigned)home);
			CTR_INC(e, engine_join_handover);
			post_frame(e, (unsigned)home, RD_PKT, iface, m);
			return true;
		}
		if (home >= 0) {
			/* Ours already. On a software-steered port engine 0
			 * is the home receiving the join itself, and the
			 * 4-tuple's owner by hash may be another engine: an
			 * entry pointing here keeps the rest of it here. */
			if (from_port && s->sw_steer[iface] &&
			    redirect_owner(s, iface, k.laddr, k.lport, k.raddr, k.rport) != e->id)
				rd_set(e, iface, &k, e->id);
			return false;
		}
	} else if (rte_hash_lookup_data(e->rd->table, &k, &v) >= 0) {
		unsigned to = (uintptr_t)v & 0xff;
		if (to == e->id)
			return false;
		post_frame(e, to, RD_PKT, iface, m);
		return true;
	}
	if (from_port && s->sw_steer[iface]) {
		unsigned owner = redirect_owner(s, iface, k.laddr, k.lport, k.raddr, k.rport);
		if (owner != e->id) {
			post_frame(e, owner, RD_PKT, iface, m);
			return true;
		}
	}
	return false;
}

/* Table upkeep: ask each entry's home whether the connection is still
 * there (answered with RD_GONE when not). A round goes on from where the
 * last one stopped (a full ring ends a round early), so every entry gets
 * asked however large the table is; a round ends at the table's end. */
static int redirect_check(struct mpdk_engine *e)
{
	struct redirect *rd = e->rd;
	const void *key;
	void *v;
	int n = 0;

	for (;;) {
		uint32_t it = rd->check_it;
		if (rte_hash_iterate(rd->table, &key, &v, &it) < 0) {
			rd->check_it = 0;   /* end of the table: next round starts over */
			break;
		}
		const struct rd_key *k = key;
		struct redirect_msg msg = {
			.type = RD_CHECK, .from = (uint8_t)e->id,
			.gen = (uint32_t)((uintptr_t)v >> 8),
			.t = { .laddr = k->laddr, .raddr = k->raddr, .lport = k->lport, .rport = k->rport },
		};
		if (redirect_post(e, (uintptr_t)v & 0xff, &msg) != 0)
			break;   /* ring full: next round resumes at this entry */
		rd->check_it = it;
		n++;
	}
	return n;
}

static void redirect_msg_handle(struct mpdk_engine *e, struct redirect_msg *msg)
{
	struct rd_key k;
	void *v;

	switch (msg->type) {
	case RD_PKT:
		CTR_INC(e, engine_redirect_rx);
		if (msg->iface >= e->stack->n_ifaces) {
			CTR_INC(e, engine_redirect_bad_iface);
			rte_pktmbuf_free(msg->m);
			break;
		}
		msg->m->port = msg->iface;
		if (!redirect_steer(e, msg->iface, msg->m, false))
			engine_input_steered(e, msg->iface, msg->m);
		break;
	case RD_SYN: {
		CTR_INC(e, engine_redirect_rx);
		if (msg->iface >= e->stack->n_ifaces) {
			CTR_INC(e, engine_redirect_bad_iface);
			rte_pktmbuf_free(msg->m);
			break;
		}
		rd_key_make(&k, msg->t.laddr, msg->t.lport, msg->t.raddr, msg->t.rport);
		if (has_conn(e, &k)) {
			/* the connection is here: its TCP answers the SYN */
			msg->m->port = msg->iface;
			engine_input_steered(e, msg->iface, msg->m);
			break;
		}
		/* Nothing here: the sender's entry is stale. It drops it and
		 * steers the SYN afresh (the frame rides along, so both happen
		 * in that order). */
		unsigned to = msg->from;
		msg->type = RD_GONE;
		msg->from = (uint8_t)e->id;
		if (redirect_post(e, to, msg) != 0)
			rte_pktmbuf_free(msg->m);
		break;
	}
	case RD_TX:
		if (msg->iface >= e->stack->n_ifaces) {
			CTR_INC(e, engine_redirect_bad_iface);
			rte_pktmbuf_free(msg->m);
		} else {
			engine_tx_queue(e, msg->iface, msg->m);
		}
		break;
	case RD_ARP: {
		struct rte_ether_addr mac;
		memcpy(mac.addr_bytes, msg->arp.mac, 6);
		if (msg->iface < e->stack->n_ifaces)
			arp_learn(e, msg->iface, msg->arp.ip, &mac, msg->gen != 0);
		break;
	}
	case RD_CHECK:
		if (e->tcp == NULL ||
		    tcp_demux_lookup(e->tcp, msg->t.laddr, msg->t.lport, msg->t.raddr,
				     msg->t.rport) == NULL) {
			unsigned to = msg->from;
			msg->type = RD_GONE;
			msg->from = (uint8_t)e->id;
			redirect_post(e, to, msg);
		}
		break;
	case RD_GONE:
		rd_key_make(&k, msg->t.laddr, msg->t.lport, msg->t.raddr, msg->t.rport);
		/* Only the entry that was asked about: a newer join may have
		 * re-pointed the 4-tuple since. With a SYN riding along, a new
		 * connection is starting on the 4-tuple: the old rule goes
		 * now, before the rest of the handshake can follow it. */
		if (rte_hash_lookup_data(e->rd->table, &k, &v) >= 0 &&
		    (uint32_t)((uintptr_t)v >> 8) == (msg->gen & ~RD_SYN_FROM_PORT))
			rd_del(e, &k, msg->m != NULL);
		if (msg->m == NULL)
			break;
		if (msg->iface >= e->stack->n_ifaces) {
			CTR_INC(e, engine_redirect_bad_iface);
			rte_pktmbuf_free(msg->m);
			break;
		}
		msg->m->port = msg->iface;
		if (!redirect_steer(e, msg->iface, msg->m, (msg->gen & RD_SYN_FROM_PORT) != 0))
			engine_input_steered(e, msg->iface, msg->m);
		break;
	default:
		break;
	}
}

int redirect_poll(struct mpdk_engine *e)
{
	struct redirect *rd = e->rd;
	struct redirect_msg msgs[RD_BURST];
	unsigned n;
	int work = 0;

	if (rd == NULL)
		return 0;
	/* Up to RD_MAX_BURSTS bursts: engine 0 of a software-steered port
	 * hands over up to a burst per port per iteration, so draining a
	 * single burst would let the ring fill; bounded so that a flood
	 * cannot starve this engine's own rx. */
	for (unsigned b = 0; b < RD_MAX_BURSTS; b++) {
		n = rte_ring_sc_dequeue_burst_elem(rd->ring, msgs, sizeof(msgs[0]), RD_BURST, NULL);
		for (unsigned i = 0; i < n; i++)
			redirect_msg_handle(e, &msgs[i]);
		work += (int)n;
		if (n < RD_BURST)
			break;
	}
	if (e->now >= rd->next_check) {
		rd->next_check = e->now + REDIRECT_CHECK_NS;
		if (rte_hash_count(rd->table) > 0)
			work += redirect_check(e);
	}
	if (rd->flow != NULL) {
		/* Rule changes cost a NIC table write or a syscall: in an
		 * iteration that received nothing (no frame from a port, no
		 * message), or once a request has waited FLOW_DEFER_MAX_NS. */
		bool idle = work == 0 && e->ctr[CTR_port_rx_frames] == rd->last_rx;
		rd->last_rx = e->ctr[CTR_port_rx_frames];
		work += flow_poll(e, rd->flow, idle);
	}
	return work;
}
