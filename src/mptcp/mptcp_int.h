/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_INT_H
#define MPDK_MPTCP_INT_H

/*
 * The MPTCP connection (RFC 8684) as the engine keeps it: the meta
 * connection (data sequence space, send buffer kept until DATA_ACKed,
 * data-level reassembly, DATA_FIN) and its subflows. Internal to
 * src/mptcp/; the TCP engine sees only mptcp/mptcp_tcp.h.
 *
 * Shape. A subflow is an ordinary struct tcb with t->sf pointing at its
 * struct mptcp_subflow. The application's handle is the initial subflow's
 * tcb (the "anchor"): once MPTCP is confirmed, anchor->mp points at the
 * meta and every API call on the handle acts on the meta. If the peer
 * does not answer MP_CAPABLE the sf and meta are dropped before anything
 * was sent at data level, and the handle is a plain TCP connection
 * (fallback, RFC 8684 §3.7). When the anchor's own TCP connection dies
 * while other subflows carry on, its tcb is kept as a closed shell that
 * still holds the handle.
 *
 * Lifetime. The meta is referenced by each subflow that points at it and
 * freed when the last one goes. Everything is owned by one engine.
 */

#include <stdint.h>
#include <stdbool.h>
#include <sys/queue.h>
#include <rte_tcp.h>
#include "tcp/tcb.h"
#include "mptcp/options.h"
#include "mptcp/crypto.h"
#include "mptcp/sched.h"
#include "mptcp/cc_coupled.h"
#include "mptcp/hs_ec.h"
#include "mptcp/hs_app.h"

struct mptcp_meta;

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)                      \
	for ((var) = TAILQ_FIRST((head));                               \
	     (var) && ((tvar) = TAILQ_NEXT((var), field), 1);           \
	     (var) = (tvar))
#endif

/* A mapping we sent (or will send) on a subflow: subflow bytes
 * [ssn, ssn+len) carry data [dsn, dsn+len). Created when the meta pushes
 * data into the subflow; every segment lies within one mapping and
 * carries it whole. */
struct mptcp_txmap {
	uint32_t ssn;       /* absolute subflow sequence number */
	uint16_t len;
	uint16_t csum;      /* DSS checksum of the mapping (when in use) */
	uint64_t dsn;
};

/* A mapping received on a subflow (or several contiguous ones without
 * checksums, merged: then len may exceed 16 bits). */
struct mptcp_rxmap {
	uint32_t ssn;       /* absolute */
	uint32_t len;       /* payload bytes (DATA_FIN excluded) */
	uint64_t dsn;
	bool fin;           /* a DATA_FIN follows the payload */
	bool has_csum;
	uint16_t csum;
};

/*
 * Map storage (issue 6, "memory per idle connection"). Each subflow keeps
 * a few mappings inline; past that the ring (tx) or sorted array (rx) moves
 * to the heap, doubling up to the maximum, and back inline when it empties
 * (the subflow is idle). Contiguous mappings merge (tx: while none of the
 * last one was sent; rx: without checksums), so a bulk transfer needs few.
 * A failed allocation is counted (mptcp_map_nomem): a send is refused
 * (back-pressure, retried), a received mapping is dropped (the peer repeats
 * it on the mapping's other segments or the data level retransmits).
 */
#define MPTCP_TXMAP_MAX 256    /* power of two */
#define MPTCP_RXMAP_MAX 512
#define MPTCP_TXMAP_INLINE 4   /* power of two */
#define MPTCP_RXMAP_INLINE 4
/* Tests only: fail the next N map allocations (0 = none). */
extern unsigned mptcp_map_fail_next;
/* Option bytes a data segment of a subflow carries on top of the TCP
 * ones: DSS with a 32-bit DATA_ACK and a 64-bit mapping (22, or 24 with
 * a checksum), padded to 24. */
#define MPTCP_DSS_RESERVE 24

enum mptcp_sf_kind {
	SF_MPC,      /* the initial subflow (MP_CAPABLE) */
	SF_JOIN,     /* an additional subflow (MP_JOIN) */
};

struct mptcp_subflow {
	struct tcb *t;
	struct mptcp_meta *mp;
	TAILQ_ENTRY(mptcp_subflow) link;   /* on mp->sfs */
	uint8_t kind;
	bool active;             /* on mp->sfs and usable */
	bool client;             /* we sent the SYN */
	bool fully_established;  /* MPC client: the peer showed it has our keys
				    (a DSS came back); JOIN: 4th ACK seen */
	bool join_ack_pending;   /* JOIN initiator: third ACK not confirmed */
	bool backup;             /* we asked for backup (MP_JOIN B / MP_PRIO) */
	bool peer_backup;        /* the peer asked for backup */
	bool send_prio;          /* MP_PRIO to send on the next ACK */
	bool peer_fin;           /* the peer closed this subflow (FIN) */
	bool infinite;           /* fallback: infinite mapping from inf_ssn */
	bool csum;               /* checksums negotiated on this handshake */
	bool dss_seen;           /* the peer sent a DSS on this subflow */
	uint8_t local_id, remote_id;
	uint8_t rst_reason;      /* MP_TCPRST reason for our RST */
	uint32_t local_nonce, remote_nonce;
	uint64_t remote_thmac;   /* JOIN SYN/ACK truncated HMAC received */
	uint32_t rx_ssn;         /* subflow seq of the first byte in t->rcvq */
	uint32_t inf_ssn;
	uint64_t inf_dsn;
	bool fail_pending;       /* our RST carries MP_FAIL (§3.7) */
	uint64_t fail_dsn;       /* DSN of the mapping whose checksum failed */
	bool send_fail;          /* MP_FAIL on our next segments (§3.7 fallback) */
	uint8_t fail_tx_left;    /* segments that may still carry it */
	bool send_infinite;      /* an infinite mapping on our next segment */
	bool fail_wait;          /* we sent MP_FAIL (§3.7): the peer's infinite
				    mapping (or unmapped data) makes us fall back */
	bool rx_peer_maps;       /* fallen back on the peer's MP_FAIL: its own
				    data keeps its mappings until its infinite
				    mapping or its first unmapped byte (§3.7) */
	uint64_t join_ack_time;  /* when the JOIN third ACK was last sent */
	/* mappings (see "Map storage" above) */
	struct mptcp_txmap *tx;  /* ring of tx_cap entries: tx_inl or heap */
	uint16_t tx_head, tx_n, tx_cap;
	uint16_t rx_n, rx_cap;   /* rx: sorted by ssn */
	struct mptcp_rxmap *rx;  /* rx_inl or heap */
	struct mptcp_txmap tx_inl[MPTCP_TXMAP_INLINE];
	struct mptcp_rxmap rx_inl[MPTCP_RXMAP_INLINE];
	/* stats */
	uint64_t data_in, data_out;
	bool initial;
};

/* The @i-th oldest mapping sent on @sf (i < sf->tx_n). */
static inline struct mptcp_txmap *sf_txmap(const struct mptcp_subflow *sf, unsigned i)
{
	return &sf->tx[(sf->tx_head + i) & (sf->tx_cap - 1u)];
}

/* meta flags */
#define MF_APP          (1u << 0)  /* the application holds the handle */
#define MF_ESTABLISHED  (1u << 1)  /* MPTCP confirmed (keys exchanged) */
#define MF_FIN_QUEUED   (1u << 2)  /* our DATA_FIN after write_seq */
#define MF_FIN_ACKED    (1u << 3)
#define MF_RCVD_FIN     (1u << 4)  /* peer's DATA_FIN consumed */
#define MF_PEER_FIN     (1u << 5)  /* peer's DATA_FIN seen (maybe not in order) */
#define MF_DONE         (1u << 6)  /* data level finished (or failed) */
#define MF_WANT_WRITABLE (1u << 7)
#define MF_SHUT_RD      (1u << 8)
#define MF_NODELAY      (1u << 9)
#define MF_FASTCLOSE    (1u << 10) /* RSTs carry MP_FASTCLOSE */
#define MF_CSUM         (1u << 11) /* DSS checksums in use */
#define MF_FALLBACK     (1u << 12) /* running as plain TCP on one subflow */
#define MF_PENDING      (1u << 13) /* on the engine's push list */
#define MF_EOF_SENT     (1u << 14)
#define MF_NO_INFINITE  (1u << 15) /* data was reinjected: no infinite-mapping
				      fallback any more (§3.7) */
#define MF_PEER_C       (1u << 16) /* the peer set C in MP_CAPABLE: no
				      subflows to its initial address (§3.1) */

#define MPTCP_REINJECT_MAX 32
#define MPTCP_PM_MAX_ADDRS 8

struct mptcp_raddr {             /* an address the peer announced */
	uint32_t addr;           /* network order */
	uint16_t port;           /* network order, 0 = the connection's */
	uint8_t id;
	bool joined;
};

struct mptcp_meta {
	struct tcp_engine *te;
	struct tcb *anchor;      /* tcb whose handle the app holds */
	TAILQ_HEAD(, mptcp_subflow) sfs;   /* active subflows */
	uint32_t refs;           /* subflow structs pointing here */
	uint32_t flags;          /* MF_* */
	uint8_t state;           /* enum tcp_state, the app's view */
	int err;
	bool client;

	uint64_t local_key, remote_key;
	uint32_t local_token, remote_token;
	bool token_in_table;
	struct mptcp_hmac_ctx hmac_local;   /* key local||remote */
	struct mptcp_hmac_ctx hmac_remote;  /* key remote||local */

	/* send side: sndq holds data [snd_una, write_seq) */
	uint64_t snd_una, snd_nxt, write_seq;
	uint64_t snd_wnd_end;    /* peer's data-level right edge */
	struct mbuf_q sndq;
	struct rte_mbuf *sndq_own_tail;
	uint32_t sndbuf;
	struct { uint64_t dsn; uint32_t len; } rq[MPTCP_REINJECT_MAX];
	uint8_t rq_n;

	/* receive side */
	uint64_t rcv_nxt;
	uint64_t peer_fin_dsn;
	struct mbuf_q rcvq;
	struct tcp_reasm reasm;  /* keyed by the low 32 bits of the DSN */
	uint32_t rcvbuf;

	/* data-level retransmission timer (DATA_FIN, stalls, joins) */
	struct timer t_meta;
	uint8_t nrtx;
	uint64_t last_progress;

	/* path manager */
	struct mptcp_raddr raddr[MPTCP_PM_MAX_ADDRS];
	uint8_t n_raddr;
	uint8_t add_addr_accepted;
	uint8_t joins_opened;    /* extra subflows opened or accepted */
	uint8_t signal_next;     /* next local endpoint to announce */
	bool add_addr_pending;   /* an ADD_ADDR to put on the next pure ACK */
	struct mptcp_opt_add_addr add_addr;
	bool add_addr_echo_pending;
	struct mptcp_opt_add_addr add_addr_echo;
	uint8_t rm_id_pending;   /* REMOVE_ADDR id to send, 0 = none */
	bool rm_pending;
	uint8_t next_local_id;

	/* subflows that went away, kept for mpdk_mptcp_subflows() */
	uint8_t n_gone;
	struct mpdk_mptcp_subflow_info gone[4];

	struct mptcp_sched sched;          /* src/mptcp/sched.c */
	struct mptcp_cc_group ccg;         /* coupled CC (LIA/OLIA) */
	const struct tcp_cc_ops *cc;       /* subflows' CC, NULL = TCP's */

	TAILQ_ENTRY(mptcp_meta) pend_link;

	/* keying mode (src/mptcp/hs_ec.c, docs/security.md): appended */
	uint8_t hs_mode;                   /* enum mptcp_hs_mode in use */
	struct hs_ec_conn ec;              /* hs_mode == HS_EC */
	struct hs_app_conn app;            /* hs_mode == HS_APP (hs_app.c) */
};

static inline struct mptcp_meta *tcb_meta(const struct tcb *t)
{
	return t->sf ? t->sf->mp : NULL;
}

/* 32 -> 64-bit: the value nearest to @ref whose low half is @v. */
static inline uint64_t mptcp_expand(uint64_t ref, uint32_t v)
{
	uint64_t c = (ref & ~0xffffffffull) | v;
	if (c > ref && c - ref > (1ull << 31) && c >= (1ull << 32))
		c -= 1ull << 32;
	else if (c < ref && ref - c > (1ull << 31))
		c += 1ull << 32;
	return c;
}

/* An indirect mbuf for the one segment @m (not the chain after it:
 * rte_pktmbuf_clone would follow m->next, which links queues here). */
static inline struct rte_mbuf *mptcp_clone_seg(struct rte_mbuf *m, struct rte_mempool *pool)
{
	struct rte_mbuf *c = rte_pktmbuf_alloc(pool);
	if (c == NULL)
		return NULL;
	rte_pktmbuf_attach(c, m);
	c->data_off = m->data_off;
	c->data_len = m->data_len;
	c->pkt_len = m->data_len;
	return c;
}

/* ---- meta.c ---- */
struct mptcp_meta *mptcp_meta_alloc(struct tcp_engine *te, bool client);
void mptcp_meta_unref(struct mptcp_meta *mp);
/* Keys known: derive tokens, IDSNs, HMAC contexts, sequence spaces. */
void mptcp_meta_keys(struct mptcp_meta *mp);
/* MPTCP confirmed on the anchor: the meta takes over the handle. */
void mptcp_meta_established(struct mptcp_meta *mp, struct tcb *anchor);
void mptcp_meta_attach(struct mptcp_meta *mp, struct mptcp_subflow *sf);
void mptcp_meta_detach(struct mptcp_subflow *sf, int err);
void mptcp_meta_schedule(struct mptcp_meta *mp);   /* push at the next hook */
void mptcp_meta_push(struct mptcp_meta *mp);
void mptcp_meta_data_ack(struct mptcp_meta *mp, uint64_t ack, struct tcb *from);
void mptcp_meta_rx(struct mptcp_meta *mp, uint64_t dsn, struct rte_mbuf *m, uint32_t len);
void mptcp_meta_rx_fin(struct mptcp_meta *mp, uint64_t dsn);
void mptcp_meta_reset(struct mptcp_meta *mp, int err, bool fastclose);
void mptcp_meta_event(struct mptcp_meta *mp, uint32_t ev);
void mptcp_meta_reinject(struct mptcp_meta *mp, struct mptcp_subflow *sf);
struct mptcp_subflow *mptcp_meta_pick(struct mptcp_meta *mp, uint64_t pending, uint32_t *room,
				      struct mptcp_sched_choice *ch,
				      struct mptcp_sched_subflow *ss);
uint32_t mptcp_meta_rcv_space(const struct mptcp_meta *mp);
void mptcp_meta_check_done(struct mptcp_meta *mp);
/* §3.7: may @sf fall back to an infinite mapping (the only subflow the
 * connection ever had, nothing reinjected, data level in order)? */
bool mptcp_meta_can_fall_back(const struct mptcp_meta *mp, const struct mptcp_subflow *sf);
/* §3.7: single-path TCP from here: subflow byte @ssn is data byte @dsn. */
void mptcp_meta_fall_back(struct mptcp_meta *mp, struct mptcp_subflow *sf, uint32_t ssn,
			  uint64_t dsn);

/* ---- subflow.c ---- */
struct mptcp_subflow *mptcp_sf_alloc(struct tcb *t, struct mptcp_meta *mp, uint8_t kind);
/* The first option of @subtype in @o that parses; a malformed one is
 * counted (mptcp_opt_bad) when @t is given. -ENOENT: none. Shared by the
 * RFC 8684, EC (hs_ec.c) and app (hs_app.c) handshakes. */
int mptcp_opt_find(struct tcb *t, const struct tcp_opts *o, uint8_t thflags,
		   enum mptcp_subtype subtype, struct mptcp_opt *out);
void mptcp_sf_set_mss(struct tcb *t);
void mptcp_sf_reset(struct tcb *t, uint8_t reason);
/* Push @len bytes of meta data at @dsn into the subflow's send queue. */
int mptcp_sf_push(struct mptcp_subflow *sf, uint64_t dsn, uint32_t len);
void mptcp_sf_send_ack(struct mptcp_subflow *sf);
/* Forget every mapping sent on @sf (they were reinjected elsewhere). */
void mptcp_sf_tx_clear(struct mptcp_subflow *sf);
/* Map storage in use by @sf, bytes (struct and heap; for the tests). */
size_t mptcp_sf_mem(const struct mptcp_subflow *sf);

/* ---- pm.c ---- */
void mptcp_pm_established(struct mptcp_meta *mp);
void mptcp_pm_add_addr_rcvd(struct mptcp_meta *mp, struct tcb *t, const struct mptcp_opt_add_addr *a);
void mptcp_pm_rm_addr_rcvd(struct mptcp_meta *mp, const struct mptcp_opt_remove_addr *r);
int mptcp_pm_join_connect(struct mptcp_meta *mp, uint32_t laddr, uint32_t raddr, uint16_t rport,
			  uint8_t remote_id, bool backup);
uint8_t mptcp_pm_local_id(struct mptcp_meta *mp, uint32_t laddr, bool *backup);
void mptcp_pm_tick(struct mptcp_meta *mp);
/* §3.1 C flag: is @laddr:@lport (network order) our side of the initial
 * subflow? */
bool mptcp_pm_is_initial_local(const struct mptcp_meta *mp, uint32_t laddr, uint16_t lport);

#endif
