/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Subflows (RFC 8684 §3.1, §3.2, §3.3): the MP_CAPABLE and MP_JOIN
 * handshakes in both roles, the MPTCP options each segment carries, the
 * mappings between subflow and data sequence numbers (sent and received),
 * and the hooks the TCP engine calls (mptcp_tcp.h).
 *
 * Mappings we send: the meta pushes a chunk of its send buffer into the
 * subflow's send queue (as indirect mbufs: no copy) and records the
 * mapping. Every segment stays inside one mapping and carries it whole in
 * its DSS option, retransmissions included, so a mapping never changes
 * once sent (Linux treats a changed mapping as DSS "not matching").
 *
 * Mappings we receive: kept per subflow, sorted by subflow sequence
 * number; in-order subflow data is cut along them and handed to the meta
 * by DSN. Data whose mapping has not arrived waits in the subflow's
 * receive queue.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <openssl/crypto.h>
#include "mptcp/mptcp_int.h"
#include "mptcp/mptcp_tcp.h"
#include "mptcp/token.h"
#include "net/cksum.h"
#include "core/log.h"

#define MPC_SYN_TRIES 2  /* SYNs with MP_CAPABLE before falling back (§3.7) */

static inline uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline struct mpdk_engine *sf_engine(const struct tcb *t) { return t->te->e; }

/* Find the first MPTCP option of @subtype that parses. Returns 0, or
 * -ENOENT (none), or the parse error of the last one of that subtype. */
int mptcp_opt_find(struct tcb *t, const struct tcp_opts *o, uint8_t thflags,
		   enum mptcp_subtype subtype, struct mptcp_opt *out)
{
	int rc = -ENOENT;
	for (unsigned i = 0; i < o->n_mptcp; i++) {
		const uint8_t *p = o->mptcp[i].p;
		if (o->mptcp[i].len < 3 || (p[2] >> 4) != subtype)
			continue;
		rc = mptcp_opt_parse(p, o->mptcp[i].len, thflags, out);
		if (rc == 0)
			return 0;
		if (rc == -EBADMSG && t != NULL)
			CTR_INC(sf_engine(t), mptcp_opt_bad);
	}
	return rc;
}

struct mptcp_subflow *mptcp_sf_alloc(struct tcb *t, struct mptcp_meta *mp, uint8_t kind)
{
	struct mptcp_subflow *sf = calloc(1, sizeof(*sf));
	if (sf == NULL) {
		CTR_INC(sf_engine(t), mptcp_sf_alloc_fail);
		return NULL;
	}
	sf->t = t;
	sf->mp = mp;
	sf->kind = kind;
	sf->tx = sf->tx_inl;
	sf->tx_cap = MPTCP_TXMAP_INLINE;
	sf->rx = sf->rx_inl;
	sf->rx_cap = MPTCP_RXMAP_INLINE;
	t->sf = sf;
	mp->refs++;
	return sf;
}

/* Drop the MPTCP state of @t: it is (again) a plain TCP connection. */
static void sf_drop(struct tcb *t)
{
	mptcp_sf_free(t);
}

void mptcp_sf_free(struct tcb *t)
{
	struct mptcp_subflow *sf = t->sf;
	if (sf == NULL)
		return;
	struct mptcp_meta *mp = sf->mp;
	if (sf->active) {
		TAILQ_REMOVE(&mp->sfs, sf, link);
		sf->active = false;
	}
	mptcp_cc_group_del(&mp->ccg, &t->cc);
	if (mp->anchor == t)
		mp->anchor = NULL;
	t->mp = NULL;
	t->sf = NULL;
	if (sf->tx != sf->tx_inl)
		free(sf->tx);
	if (sf->rx != sf->rx_inl)
		free(sf->rx);
	free(sf);
	mptcp_meta_unref(mp);
}

void mptcp_sf_set_mss(struct tcb *t)
{
	uint32_t base = t->mss_base - ((t->flags & TF_TS_OK) ? 12 : 0);
	uint32_t mss = base > MPTCP_DSS_RESERVE + 64 ? base - MPTCP_DSS_RESERVE : 64;
	t->mss = (uint16_t)mss;
	t->cc.c.mss = mss;
	t->sb.mss = mss;
}

void mptcp_sf_reset(struct tcb *t, uint8_t reason)
{
	if (t->sf != NULL)
		t->sf->rst_reason = reason;
	if (tcb_synced(t) || t->state == TCPS_SYN_RECEIVED || t->state == TCPS_SYN_SENT)
		tcp_send_rst_conn(t);
	tcb_done(t, -ECONNRESET);
}

void mptcp_sf_send_ack(struct mptcp_subflow *sf)
{
	struct tcb *t = sf->t;
	if (!tcb_synced(t) || t->state == TCPS_TIME_WAIT)
		return;
	if (sf->join_ack_pending)
		sf->join_ack_time = engine_now(sf_engine(t));
	tcp_send_ack(t);
}

/* ------------------------------------------------------------ handshakes */

void mptcp_connect_init(struct tcb *t)
{
	struct tcp_engine *te = t->te;
	bool ec_cached = false;
	if (te->conf.mptcp.disabled || te->tokens == NULL)
		return;
	if (hs_app_conf(te)) {   /* application-supplied keys (hs_app.c) */
		hs_app_connect_init(t);
		return;
	}
	switch (hs_conf_mode(te)) {   /* EC point exchange (hs_ec.c) */
	case MPDK_KEY_EC_PREFERRED:
	case MPDK_KEY_EC_REQUIRED:
		if (hs_ec_connect_init(t, &ec_cached))
			return;
		break;   /* RFC 8684: peer remembered as not EC, or no key pair */
	default:
		break;
	}
	struct mptcp_meta *mp = mptcp_meta_alloc(te, true);
	if (mp == NULL)
		return;
	int rc = token_table_alloc(te->tokens, te->e->id, mp, &mp->local_key, &mp->local_token);
	if (rc < 0) {
		if (rc == -ENOSPC)
			CTR_INC(te->e, mptcp_token_full);
		mptcp_meta_unref(mp);
		return;
	}
	mp->token_in_table = true;
	struct mptcp_subflow *sf = mptcp_sf_alloc(t, mp, SF_MPC);
	if (sf == NULL) {
		mptcp_meta_unref(mp);
		return;
	}
	sf->client = true;
	sf->initial = true;
	sf->csum = te->conf.mptcp.checksum;
	mp->ec.fell_back = mp->ec.peer_cached = ec_cached;
	CTR_INC(te->e, mptcp_active_open);
}

bool mptcp_listen_syn(struct tcb *t, const struct tcp_opts *o, uint8_t thflags)
{
	struct tcp_engine *te = t->te;
	struct mptcp_opt opt;
	if (te->conf.mptcp.disabled || te->tokens == NULL)
		return true;
	unsigned mode = hs_conf_mode(te);
	bool ec_req = mode == MPDK_KEY_EC_REQUIRED;
	if (o->n_mptcp == 0 && !ec_req)
		return true;
	if (hs_app_conf(te)) {   /* application-supplied keys (hs_app.c) */
		hs_app_listen_syn(t, o, thflags);
		return true;
	}
	if (o->n_mptcp == 0 || mptcp_opt_find(t, o, thflags, MPTCP_SUB_CAPABLE, &opt) != 0 ||
	    (opt.mpc.form != MPTCP_CAP_SYN && opt.mpc.form != MPTCP_CAP_EC_SYN)) {
		/* not MPTCP v1 (§3.1: ignore, plain TCP); ec-required refuses */
		if (ec_req)
			CTR_INC(te->e, ec_required_refused_passive);
		return !ec_req;
	}
	if (opt.mpc.form == MPTCP_CAP_EC_SYN) {
		/* EC point exchange (hs_ec.c); rfc8684 mode does not know it
		 * and answers as plain TCP, as Linux does */
		if (mode == MPDK_KEY_EC_PREFERRED || ec_req)
			return hs_ec_listen_syn(t, &opt);
		return true;
	}
	if (ec_req) {
		CTR_INC(te->e, ec_required_refused_passive);
		return false;
	}
	struct mptcp_meta *mp = mptcp_meta_alloc(te, false);
	if (mp == NULL)
		return true;
	int rc = token_table_alloc(te->tokens, te->e->id, mp, &mp->local_key, &mp->local_token);
	if (rc < 0) {
		/* §3.1 / design: answer as plain TCP when out of tokens */
		if (rc == -ENOSPC)
			CTR_INC(te->e, mptcp_token_full);
		mptcp_meta_unref(mp);
		return true;
	}
	mp->token_in_table = true;
	struct mptcp_subflow *sf = mptcp_sf_alloc(t, mp, SF_MPC);
	if (sf == NULL) {
		mptcp_meta_unref(mp);
		return true;
	}
	sf->initial = true;
	/* §3.3.1: checksums when either side asks for them */
	sf->csum = te->conf.mptcp.checksum || (opt.mpc.flags & MPTCP_CAP_A_CHECKSUM);
	CTR_INC(te->e, mptcp_passive_open);
	return true;
}

bool mptcp_is_join_syn(struct tcp_engine *te, const struct tcp_opts *o, uint8_t thflags)
{
	struct mptcp_opt opt;
	if (te->conf.mptcp.disabled || te->tokens == NULL || o->n_mptcp == 0)
		return false;
	return mptcp_opt_find(NULL, o, thflags, MPTCP_SUB_JOIN, &opt) == 0 &&
	       (opt.mpj.form == MPTCP_JOIN_SYN || opt.mpj.form == MPTCP_JOIN_SYN_EC);
}

bool mptcp_join_syn_drop(struct tcp_engine *te, const struct tcp_opts *o, uint8_t thflags)
{
	struct mptcp_opt opt;
	if (te->ec == NULL || mptcp_opt_find(NULL, o, thflags, MPTCP_SUB_JOIN, &opt) != 0)
		return false;   /* no EC connections on this engine */
	return hs_ec_join_precheck(te, &opt.mpj);
}

void mptcp_syn_sent_ack(struct tcb *t, const struct tcp_opts *o, uint8_t thflags)
{
	if (t->sf != NULL && t->sf->kind == SF_MPC)
		hs_ec_syn_sent_ack(t, o, thflags);
}

bool mptcp_join_syn(struct tcb *t, const struct tcp_opts *o, uint8_t thflags)
{
	struct tcp_engine *te = t->te;
	struct mpdk_engine *e = te->e;
	struct mptcp_opt opt;
	struct token_entry ent;

	CTR_INC(e, mptcp_join_syn_rx);
	if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_JOIN, &opt) != 0 ||
	    token_table_lookup(te->tokens, opt.mpj.token, &ent) != 0 || ent.home != e->id) {
		CTR_INC(e, mptcp_join_token_unknown);
		return false;
	}
	struct mptcp_meta *mp = ent.conn;
	if (!(mp->flags & MF_ESTABLISHED) || (mp->flags & (MF_DONE | MF_FALLBACK)) ||
	    (mp->hs_mode == HS_EC) != (opt.mpj.form == MPTCP_JOIN_SYN_EC)) {
		CTR_INC(e, mptcp_join_token_unknown);
		return false;
	}
	if (mp->hs_mode == HS_APP && !hs_app_join_ok(mp))
		return false;   /* application keys not set yet (counted) */
	if (te->conf.mptcp.deny_join_initial && mptcp_pm_is_initial_local(mp, t->laddr, t->lport)) {
		/* §3.1: our MP_CAPABLE said C: not to the initial address */
		CTR_INC(e, mptcp_join_initial_refused);
		return false;
	}
	if (mp->joins_opened >= te->conf.mptcp.max_subflows) {
		CTR_INC(e, mptcp_join_limit);
		return false;
	}
	struct mptcp_subflow *sf = mptcp_sf_alloc(t, mp, SF_JOIN);
	if (sf == NULL)
		return false;
	mp->joins_opened++;
	sf->remote_nonce = opt.mpj.nonce;
	sf->remote_id = opt.mpj.addr_id;
	sf->peer_backup = opt.mpj.backup;
	sf->local_nonce = (uint32_t)rte_rand();
	sf->local_id = mptcp_pm_local_id(mp, t->laddr, &sf->backup);
	sf->csum = (mp->flags & MF_CSUM) != 0;
	if (mp->hs_mode == HS_EC)
		hs_ec_join_accepted(mp, &opt.mpj);
	return true;
}

bool mptcp_synack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct mpdk_engine *e = sf_engine(t);
	struct mptcp_opt opt;

	if (sf->kind == SF_MPC && mp->hs_mode == HS_APP)
		return hs_app_synack_rcvd(t, o, thflags);
	if (sf->kind == SF_MPC && mp->hs_mode == HS_EC) {
		int rc = hs_ec_synack_rcvd(t, o, thflags);
		if (rc != 2)
			return rc == 1;
		/* the peer chose RFC 8684: go on below */
	}
	if (sf->kind == SF_MPC) {
		if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_CAPABLE, &opt) != 0 ||
		    opt.mpc.form != MPTCP_CAP_SYNACK) {
			/* §3.7: the peer (or a middlebox) said no: plain TCP */
			CTR_INC(e, mptcp_fallback_synack);
			sf_drop(t);
			return true;
		}
		mp->remote_key = opt.mpc.snd_key;
		if (opt.mpc.flags & MPTCP_CAP_A_CHECKSUM)
			sf->csum = true;
		if (opt.mpc.flags & MPTCP_CAP_C_NO_NEW_SUBFLOW)
			mp->flags |= MF_PEER_C;   /* §3.1: no joins to its initial address */
		mptcp_meta_keys(mp);
		mptcp_meta_established(mp, t);
		return true;
	}
	/* MP_JOIN initiator (§3.2) */
	if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_JOIN, &opt) != 0 ||
	    opt.mpj.form != MPTCP_JOIN_SYNACK) {
		CTR_INC(e, mptcp_join_no_option);
		mptcp_sf_reset(t, MPTCP_RST_EMPTCP);
		return false;
	}
	uint8_t h[MPTCP_HMAC_LEN];
	sf->remote_nonce = opt.mpj.nonce;
	bool auth_ok;
	if (mp->hs_mode == HS_EC) {
		auth_ok = hs_ec_auth_b_ok(mp, sf->remote_nonce, sf->local_nonce, opt.mpj.thmac);
	} else {
		mptcp_join_hmac_ctx(&mp->hmac_remote, sf->remote_nonce, sf->local_nonce, h);
		auth_ok = mptcp_join_thmac(h) == opt.mpj.thmac;
	}
	if (!auth_ok || (mp->flags & MF_DONE)) {
		CTR_INC(e, mptcp_join_synack_hmac_fail);
		mptcp_sf_reset(t, MPTCP_RST_EMPTCP);
		return false;
	}
	CTR_INC(e, mptcp_join_synack_rx);
	sf->remote_id = opt.mpj.addr_id;
	sf->peer_backup = opt.mpj.backup;
	sf->join_ack_pending = true;
	sf->join_ack_time = engine_now(e);
	mptcp_meta_attach(mp, sf);
	timer_arm_in(&e->tw, &mp->t_meta, (uint64_t)tcp_rto_current(t) * NS_PER_US);
	return true;
}

/* ------------------------------------------------------------ map storage */

unsigned mptcp_map_fail_next;

static void *map_alloc(size_t n)
{
	if (mptcp_map_fail_next > 0) {
		mptcp_map_fail_next--;
		return NULL;
	}
	return malloc(n);
}

/* Room for one more sent mapping: the ring doubles (inline -> heap) up to
 * MPTCP_TXMAP_MAX. -ENOSPC at the maximum, -ENOMEM (counted) when the
 * heap says no. */
static int txmap_reserve(struct mptcp_subflow *sf)
{
	if (sf->tx_n < sf->tx_cap)
		return 0;
	if (sf->tx_cap >= MPTCP_TXMAP_MAX)
		return -ENOSPC;
	uint16_t cap = (uint16_t)(sf->tx_cap * 2);
	struct mptcp_txmap *n = map_alloc(cap * sizeof(*n));
	if (n == NULL) {
		CTR_INC(sf_engine(sf->t), mptcp_map_nomem);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < sf->tx_n; i++)
		n[i] = *sf_txmap(sf, i);
	if (sf->tx != sf->tx_inl)
		free(sf->tx);
	sf->tx = n;
	sf->tx_cap = cap;
	sf->tx_head = 0;
	return 0;
}

/* Nothing left in flight: the ring goes back inline. */
static void txmap_idle(struct mptcp_subflow *sf)
{
	if (sf->tx_n != 0)
		return;
	sf->tx_head = 0;
	if (sf->tx != sf->tx_inl) {
		free(sf->tx);
		sf->tx = sf->tx_inl;
		sf->tx_cap = MPTCP_TXMAP_INLINE;
	}
}

void mptcp_sf_tx_clear(struct mptcp_subflow *sf)
{
	sf->tx_n = 0;
	txmap_idle(sf);
}

/* Room for one more received mapping: doubles up to MPTCP_RXMAP_MAX. */
static int rxmap_reserve(struct mptcp_subflow *sf)
{
	if (sf->rx_n < sf->rx_cap)
		return 0;
	if (sf->rx_cap >= MPTCP_RXMAP_MAX)
		return -ENOSPC;
	uint16_t cap = (uint16_t)(sf->rx_cap * 2);
	if (cap > MPTCP_RXMAP_MAX)
		cap = MPTCP_RXMAP_MAX;
	struct mptcp_rxmap *n = map_alloc(cap * sizeof(*n));
	if (n == NULL) {
		CTR_INC(sf_engine(sf->t), mptcp_map_nomem);
		return -ENOMEM;
	}
	memcpy(n, sf->rx, sf->rx_n * sizeof(*n));
	if (sf->rx != sf->rx_inl)
		free(sf->rx);
	sf->rx = n;
	sf->rx_cap = cap;
	return 0;
}

/* Few mappings left (all consumed, or a handful): back inline. */
static void rxmap_idle(struct mptcp_subflow *sf)
{
	if (sf->rx == sf->rx_inl || sf->rx_n > MPTCP_RXMAP_INLINE / 2)
		return;
	memcpy(sf->rx_inl, sf->rx, sf->rx_n * sizeof(sf->rx[0]));
	free(sf->rx);
	sf->rx = sf->rx_inl;
	sf->rx_cap = MPTCP_RXMAP_INLINE;
}

size_t mptcp_sf_mem(const struct mptcp_subflow *sf)
{
	size_t n = sizeof(*sf);
	if (sf->tx != sf->tx_inl)
		n += sf->tx_cap * sizeof(sf->tx[0]);
	if (sf->rx != sf->rx_inl)
		n += sf->rx_cap * sizeof(sf->rx[0]);
	return n;
}

/* Can mapping @b directly follow @a as one mapping? Both without
 * checksums (a checksum covers exactly its own mapping, RFC 8684 §3.3.1),
 * @a without a DATA_FIN, contiguous in both sequence spaces. */
static bool rxmap_joins(const struct mptcp_rxmap *a, uint32_t ssn, uint64_t dsn, bool has_csum)
{
	return !a->has_csum && !has_csum && !a->fin && a->ssn + a->len == ssn &&
	       a->dsn + a->len == dsn && a->len < (1u << 30);   /* SEQ_* stay meaningful */
}

/* A received mapping, recorded (sorted, deduplicated; contiguous mappings
 * without checksums merged). False only when it could not be stored (no
 * memory): the caller then drops the segment unacknowledged, so that the
 * peer sends it again with the same mapping - once TCP has ACKed the
 * bytes, nothing would map them any more. */
static bool rxmap_add(struct mptcp_subflow *sf, uint32_t ssn, uint64_t dsn, uint16_t len, bool fin,
		      bool has_csum, uint16_t csum)
{
	unsigned i;
	if (len == 0)
		return true;
	for (i = 0; i < sf->rx_n; i++) {
		const struct mptcp_rxmap *r = &sf->rx[i];
		if (r->ssn == ssn)
			return true;   /* the same mapping again (a TSO super-segment's
				     segments and retransmissions repeat it) */
		/* already known inside a merged one, the same way */
		if (SEQ_LEQ(r->ssn, ssn) && SEQ_LEQ(ssn + len, r->ssn + r->len) &&
		    dsn - r->dsn == (uint32_t)(ssn - r->ssn) && !has_csum && !r->has_csum &&
		    (!fin || (r->fin && ssn + len == r->ssn + r->len)))
			return true;
		if (SEQ_GT(r->ssn, ssn))
			break;
	}
	if (SEQ_LEQ(ssn + len, sf->rx_ssn))
		return true;   /* covers only data already consumed */
	if (i > 0 && rxmap_joins(&sf->rx[i - 1], ssn, dsn, has_csum) &&
	    (i == sf->rx_n || SEQ_LEQ(ssn + len, sf->rx[i].ssn))) {
		struct mptcp_rxmap *a = &sf->rx[i - 1];
		a->len += len;
		a->fin = fin;
		/* and the next one may now follow this one */
		if (i < sf->rx_n && rxmap_joins(a, sf->rx[i].ssn, sf->rx[i].dsn, sf->rx[i].has_csum)) {
			a->len += sf->rx[i].len;
			a->fin = sf->rx[i].fin;
			memmove(&sf->rx[i], &sf->rx[i + 1], (sf->rx_n - i - 1) * sizeof(sf->rx[0]));
			sf->rx_n--;
		}
		return true;
	}
	if (i < sf->rx_n && !fin && SEQ_LEQ(ssn + len, sf->rx[i].ssn) &&
	    rxmap_joins(&(struct mptcp_rxmap){ .ssn = ssn, .len = len, .dsn = dsn }, sf->rx[i].ssn,
			sf->rx[i].dsn, sf->rx[i].has_csum) && !has_csum) {
		struct mptcp_rxmap *b = &sf->rx[i];   /* prepend to the next one */
		b->ssn = ssn;
		b->dsn = dsn;
		b->len += len;
		return true;
	}
	int rc = rxmap_reserve(sf);
	if (rc == -ENOMEM)
		return false;   /* counted (mptcp_map_nomem) */
	if (rc < 0) {
		if (i == sf->rx_n)
			return true;   /* at the cap: keep the ones needed first */
		sf->rx_n--;
	}
	memmove(&sf->rx[i + 1], &sf->rx[i], (sf->rx_n - i) * sizeof(sf->rx[0]));
	sf->rx[i] = (struct mptcp_rxmap){ .ssn = ssn, .len = len, .fin = fin,
					  .has_csum = has_csum, .csum = csum, .dsn = dsn };
	sf->rx_n++;
	return true;
}

bool mptcp_third_ack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags, uint32_t seq,
			  uint32_t len)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct mpdk_engine *e = sf_engine(t);
	struct mptcp_opt opt;
	(void)seq;
	(void)len;

	if (sf->kind == SF_MPC && mp->hs_mode == HS_EC)
		return hs_ec_third_ack_rcvd(t, o, thflags) == 1;
	if (sf->kind == SF_MPC && mp->hs_mode == HS_APP) {
		/* application-supplied keys (hs_app.c) */
		if (hs_app_third_ack_rcvd(t, o, thflags, &opt.mpc) &&
		    opt.mpc.form == MPTCP_CAP_APP_ACK_DATA && opt.mpc.data_len > 0)
			rxmap_add(sf, t->irs + 1, mp->rcv_nxt, opt.mpc.data_len, false,
				  opt.mpc.has_csum, opt.mpc.csum);
		return true;
	}
	if (sf->kind == SF_MPC) {
		if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_CAPABLE, &opt) != 0 ||
		    (opt.mpc.form != MPTCP_CAP_ACK && opt.mpc.form != MPTCP_CAP_ACK_DATA)) {
			CTR_INC(e, mptcp_fallback_ack);
			sf_drop(t);
			return true;
		}
		if (opt.mpc.rcv_key != mp->local_key) {
			CTR_INC(e, mptcp_key_mismatch);
			sf_drop(t);
			return true;
		}
		mp->remote_key = opt.mpc.snd_key;
		if (opt.mpc.flags & MPTCP_CAP_A_CHECKSUM)
			sf->csum = true;
		mptcp_meta_keys(mp);
		mptcp_meta_established(mp, t);
		sf->fully_established = true;
		if (opt.mpc.form == MPTCP_CAP_ACK_DATA && opt.mpc.data_len > 0)
			rxmap_add(sf, t->irs + 1, mp->rcv_nxt, opt.mpc.data_len, false,
				  opt.mpc.has_csum, opt.mpc.csum);
		return true;
	}
	/* MP_JOIN responder: the third ACK carries A's full HMAC (§3.2) */
	if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_JOIN, &opt) != 0 || opt.mpj.form != MPTCP_JOIN_ACK) {
		CTR_INC(e, mptcp_join_no_option);
		mptcp_sf_reset(t, MPTCP_RST_EMPTCP);
		return false;
	}
	uint8_t h[MPTCP_HMAC_LEN];
	bool auth_ok;
	if (mp->hs_mode == HS_EC) {
		auth_ok = hs_ec_auth_a_ok(mp, sf->remote_nonce, sf->local_nonce, opt.mpj.hmac);
	} else {
		mptcp_join_hmac_ctx(&mp->hmac_remote, sf->remote_nonce, sf->local_nonce, h);
		/* a secret: constant time (RFC 8684 3.2, the 160-bit HMAC-A) */
		auth_ok = CRYPTO_memcmp(h, opt.mpj.hmac, MPTCP_JOIN_ACK_HMAC_LEN) == 0;
	}
	if (!auth_ok || (mp->flags & MF_DONE)) {
		CTR_INC(e, mptcp_join_ack_hmac_fail);
		mptcp_sf_reset(t, MPTCP_RST_EMPTCP);
		return false;
	}
	CTR_INC(e, mptcp_join_ack_rx);
	sf->fully_established = true;
	mptcp_meta_attach(mp, sf);
	t->flags |= TF_ACKNOW;   /* the fourth ACK tells A the join is done */
	return true;
}

/* ------------------------------------------------------------ input */

static void sf_rx_drain(struct tcb *t);

void mptcp_rst_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct mpdk_engine *e = sf_engine(t);
	struct mptcp_opt opt;

	if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_TCPRST, &opt) == 0)
		CTR_INC(e, mptcp_tcprst_rx);
	/* §3.7: MP_FAIL on a RST: the peer found a mapping of this subflow
	 * corrupted; the subflow goes and its data is reinjected */
	if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_FAIL, &opt) == 0)
		CTR_INC(e, mptcp_mp_fail_rx);
	if ((mp->flags & MF_ESTABLISHED) && mptcp_opt_find(t, o, thflags, MPTCP_SUB_FASTCLOSE, &opt) == 0 &&
	    opt.fastclose.rcv_key == mp->local_key) {
		CTR_INC(e, mptcp_fastclose_rx);
		/* §3.5: the whole connection goes; our other subflows get RSTs. */
		mp->err = -ECONNRESET;
		mp->refs++;
		struct mptcp_subflow *o2, *nx;
		TAILQ_FOREACH_SAFE(o2, &mp->sfs, link, nx) {
			if (o2 == sf)
				continue;
			if (tcb_synced(o2->t) && o2->t->state != TCPS_TIME_WAIT)
				tcp_send_rst_conn(o2->t);
			tcb_done(o2->t, -ECONNRESET);
		}
		mptcp_meta_unref(mp);
	}
}

/* After our MP_FAIL (§3.7) the fallback was agreed when it was sent; a
 * data-level retransmission since (the peer's DATA_ACKs stop as it falls
 * back) does not undo that. Still one subflow only. */
static bool sf_fail_wait_ok(const struct mptcp_meta *mp, const struct mptcp_subflow *sf)
{
	return sf->fail_wait && sf->active && TAILQ_FIRST(&mp->sfs) == sf &&
	       TAILQ_NEXT(sf, link) == NULL && mp->joins_opened == 0 && !(mp->flags & MF_DONE);
}

static bool has_mptcp_dss(const struct tcp_opts *o)
{
	for (unsigned i = 0; i < o->n_mptcp; i++)
		if (o->mptcp[i].len >= 3 && (o->mptcp[i].p[2] >> 4) == MPTCP_SUB_DSS)
			return true;
	return false;
}

bool mptcp_input_opts(struct tcb *t, const struct tcp_opts *o, uint8_t thflags, uint32_t seq,
		      uint32_t len)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct mpdk_engine *e = sf_engine(t);

	if (!(mp->flags & MF_ESTABLISHED) || !sf->active)
		return true;
	/* an ACK in loss recovery may let the subflow send new data
	 * (RFC 6675 §5): give it some (sched.h) */
	if (t->in_recovery)
		mptcp_meta_schedule(mp);
	if (sf->join_ack_pending && sf->kind == SF_JOIN) {
		/* B answered our third ACK: the subflow is usable (§3.2) */
		sf->join_ack_pending = false;
		sf->fully_established = true;
		mptcp_meta_schedule(mp);
	}
	for (unsigned i = 0; i < o->n_mptcp; i++) {
		struct mptcp_opt opt;
		int rc = mptcp_opt_parse(o->mptcp[i].p, o->mptcp[i].len, thflags, &opt);
		if (rc < 0) {
			if (rc == -EBADMSG)
				CTR_INC(e, mptcp_opt_bad);
			continue;
		}
		switch (opt.subtype) {
		case MPTCP_SUB_DSS: {
			const struct mptcp_opt_dss *d = &opt.dss;
			if (!sf->fully_established && sf->kind == SF_MPC && sf->client) {
				/* the server has our keys: more subflows now */
				sf->fully_established = true;
				mptcp_pm_established(mp);
				/* a DATA_FIN held back until a DSS can carry it */
				mptcp_meta_schedule(mp);
			}
			sf->fully_established = true;
			sf->dss_seen = true;
			if (mp->flags & MF_FALLBACK) {
				/* the peer's infinite mapping answers our MP_FAIL */
				if (d->has_map && d->data_len == 0) {
					sf->send_fail = false;
					/* the peer's data is TCP from here, if
					 * "here" is the in-order point; one that
					 * came early (a hole before it, which may
					 * hold a still-mapped re-sent byte) is
					 * left to the drain, which switches at
					 * the first unmapped byte */
					if (sf->rx_peer_maps && seq == t->rcv_nxt &&
					    tcp_reasm_empty(&t->reasm)) {
						sf->rx_peer_maps = false;
						sf->inf_ssn = sf->rx_ssn;
						sf->inf_dsn = mp->rcv_nxt;
					}
				}
				/* no DATA_ACKs after a fallback; a mapping
				 * still counts while the peer has not fallen
				 * back (rx_peer_maps) */
				if (!sf->rx_peer_maps || !d->has_map || d->data_len == 0)
					break;
			} else if (d->has_ack)
				mptcp_meta_data_ack(mp, d->ack64 ? d->data_ack
								 : mptcp_expand(mp->snd_una, (uint32_t)d->data_ack), t);
			if (!d->has_map)
				break;
			uint64_t dsn = d->dsn64 ? d->dsn : mptcp_expand(mp->rcv_nxt, (uint32_t)d->dsn);
			if (d->data_len == 0) {
				/* infinite mapping (§3.7): only meaningful on
				 * the one subflow of a connection that never
				 * had another; with others up it is a protocol
				 * error on this subflow (as a bad mapping) */
				if (!sf->infinite && (TAILQ_FIRST(&mp->sfs) != sf ||
						      TAILQ_NEXT(sf, link) != NULL || mp->joins_opened > 0)) {
					CTR_INC(e, mptcp_dss_bad_map);
					mptcp_sf_reset(t, MPTCP_RST_EMPTCP);
					return false;
				}
				/* Linux writes the mapping of the segment that
				 * carries it, or none that makes sense on a pure
				 * ACK: the in-order point is what counts (single
				 * subflow, data level in order) */
				if (!sf->infinite)
					mptcp_meta_fall_back(mp, sf, sf->rx_ssn, mp->rcv_nxt);
				break;
			}
			if (d->data_fin && d->data_len == 1 && len == 0) {
				mptcp_meta_rx_fin(mp, dsn);
				break;
			}
			uint16_t plen = (uint16_t)(d->data_len - (d->data_fin ? 1 : 0));
			uint32_t ssn = t->irs + d->ssn;
			if (len > 0 && !(SEQ_GEQ(seq, ssn) && SEQ_LEQ(seq + len, ssn + plen))) {
				/* §3.3.6: a mapping must cover its segment */
				CTR_INC(e, mptcp_dss_bad_map);
				mptcp_sf_reset(t, MPTCP_RST_EMPTCP);
				return false;
			}
			if (!rxmap_add(sf, ssn, dsn, plen, d->data_fin, d->has_csum, d->csum) && len > 0)
				return false;   /* dropped unACKed: it comes again */
			if (d->data_fin)
				mptcp_meta_rx_fin(mp, dsn + plen);
			break;
		}
		case MPTCP_SUB_JOIN:
			/* §3.2: the initiator resends its third ACK until it
			 * sees our ACK (the fourth): answer each copy, or a
			 * lost fourth ACK leaves the subflow unusable */
			if (sf->kind == SF_JOIN && !sf->client && len == 0 &&
			    opt.mpj.form == MPTCP_JOIN_ACK)
				t->flags |= TF_ACKNOW;
			break;
		case MPTCP_SUB_CAPABLE:
			/* the first data from an MP_CAPABLE client (§3.1) */
			if (opt.mpc.form == MPTCP_CAP_ACK_DATA && !sf->client && opt.mpc.data_len > 0)
				rxmap_add(sf, t->irs + 1, mptcp_key_idsn(mp->remote_key) + 1,
					  opt.mpc.data_len, false, opt.mpc.has_csum, opt.mpc.csum);
			/* the same with application-supplied keys (hs_app.c) */
			if (opt.mpc.form == MPTCP_CAP_APP_ACK_DATA && mp->hs_mode == HS_APP &&
			    !sf->client && opt.mpc.data_len > 0)
				rxmap_add(sf, t->irs + 1, hs_app_remote_idsn(mp) + 1, opt.mpc.data_len,
					  false, opt.mpc.has_csum, opt.mpc.csum);
			break;
		case MPTCP_SUB_ADD_ADDR:
			if (mp->hs_mode == HS_EC)
				hs_ec_need_k(mp);   /* EC: the HMAC is keyed with K */
			mptcp_pm_add_addr_rcvd(mp, t, &opt.add_addr);
			break;
		case MPTCP_SUB_REMOVE_ADDR:
			CTR_INC(e, mptcp_rm_addr_rx);
			mptcp_pm_rm_addr_rcvd(mp, &opt.rm_addr);
			if (!t->in_use || t->sf != sf)
				return false;
			break;
		case MPTCP_SUB_PRIO:
			CTR_INC(e, mptcp_prio_rx);
			sf->peer_backup = opt.prio.backup;
			break;
		case MPTCP_SUB_FAIL:
			CTR_INC(e, mptcp_mp_fail_rx);
			if ((mp->flags & MF_FALLBACK) || sf->fail_wait) {
				/* the answer to ours (or a repeat): the peer is
				 * single-path TCP from its next byte on (its
				 * infinite mapping follows, its DATA_ACKs stop):
				 * so are we */
				sf->send_fail = false;
				if (!(mp->flags & MF_FALLBACK) && sf_fail_wait_ok(mp, sf)) {
					mptcp_meta_fall_back(mp, sf, sf->rx_ssn, mp->rcv_nxt);
					sf_rx_drain(t);
					if (!t->in_use || t->sf != sf)
						return false;
				}
				break;
			}
			if (mptcp_meta_can_fall_back(mp, sf)) {
				/* §3.7: the peer found a mapping we sent
				 * corrupted on the only subflow: answer with
				 * MP_FAIL and an infinite mapping, and carry on
				 * as single-path TCP */
				CTR_INC(e, mptcp_mp_fail_rx_fallback);
				sf->send_fail = true;
				sf->fail_tx_left = 1;
				sf->fail_dsn = opt.fail.dsn;
				sf->send_infinite = true;
				mptcp_meta_fall_back(mp, sf, sf->rx_ssn, mp->rcv_nxt);
				/* our side falls back now; the peer's data
				 * is mapped until it falls back in turn, on
				 * our infinite mapping. What it sends before
				 * (even a data-level retransmission on this
				 * subflow) is placed by its mapping. */
				sf->rx_peer_maps = true;
				t->flags |= TF_ACKNOW;
				mptcp_meta_schedule(mp);
				sf_rx_drain(t);   /* data held for a mapping */
				if (!t->in_use || t->sf != sf)
					return false;
				break;
			}
			/* several subflows (now or before): this one cannot
			 * fall back; it goes and its data is reinjected */
			CTR_INC(e, mptcp_mp_fail_rx_reset);
			mptcp_sf_reset(t, MPTCP_RST_EMIDDLEBOX);
			return false;
		case MPTCP_SUB_FASTCLOSE:
			if (opt.fastclose.rcv_key == mp->local_key) {
				CTR_INC(e, mptcp_fastclose_rx);
				mptcp_meta_reset(mp, -ECONNRESET, false);
				return false;
			}
			break;
		default:
			break;
		}
	}
	if (!(mp->flags & MF_ESTABLISHED) || !t->in_use || t->sf != sf)
		return false;
	/* §3.7: our data acknowledged at TCP level on the only (initial)
	 * subflow while the peer never sent a DSS: a middlebox strips the
	 * options. Fall back to TCP (an infinite mapping from here) rather
	 * than wait for DATA_ACKs that never come and retransmit at the data
	 * level, which a TCP-only peer would take as new bytes. */
	if (!sf->dss_seen && !(mp->flags & MF_FALLBACK) && sf->kind == SF_MPC && sf->data_out > 0 &&
	    TAILQ_FIRST(&mp->sfs) == sf && TAILQ_NEXT(sf, link) == NULL && !has_mptcp_dss(o)) {
		mptcp_meta_fall_back(mp, sf, sf->rx_ssn, mp->rcv_nxt);
		if (!t->in_use || t->sf != sf)
			return false;
	}
	return true;
}



/* Take @n bytes from the front of @q as one chain (the last mbuf split
 * with an indirect clone when needed). NULL when out of mbufs. */
static struct rte_mbuf *mbuf_q_take(struct mbuf_q *q, uint32_t n, struct rte_mempool *pool)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t got = 0;
	uint16_t segs = 0;
	while (got < n && q->head != NULL) {
		struct rte_mbuf *m = q->head;
		struct rte_mbuf *piece;
		if (m->data_len <= n - got) {
			piece = mbuf_q_pop(q);
		} else {
			uint32_t k = n - got;
			piece = mptcp_clone_seg(m, pool);
			if (piece == NULL)
				break;
			piece->data_len = (uint16_t)k;
			piece->pkt_len = k;
			mbuf_q_trim_front(q, k);
		}
		piece->next = NULL;
		if (tail)
			tail->next = piece;
		else
			head = piece;
		tail = piece;
		got += piece->data_len;
		segs++;
	}
	if (head == NULL)
		return NULL;
	if (got < n) {
		/* out of mbufs: give it back */
		struct rte_mbuf *m = head;
		struct mbuf_q tmp = { 0 };
		while (m != NULL) {
			struct rte_mbuf *nx = m->next;
			mbuf_q_push(&tmp, m);
			m = nx;
		}
		if (tmp.tail)
			tmp.tail->next = q->head;
		q->head = tmp.head;
		if (q->tail == NULL)
			q->tail = tmp.tail;
		q->bytes += tmp.bytes;
		q->n += tmp.n;
		return NULL;
	}
	head->nb_segs = segs;
	head->pkt_len = got;
	return head;
}

/* Drop the mappings wholly before subflow sequence @ssn (consumed). */
static void rxmap_consumed(struct mptcp_subflow *sf, uint32_t ssn)
{
	unsigned drop = 0;
	while (drop < sf->rx_n && SEQ_LEQ(sf->rx[drop].ssn + sf->rx[drop].len, ssn))
		drop++;
	if (drop) {
		memmove(&sf->rx[0], &sf->rx[drop], (sf->rx_n - drop) * sizeof(sf->rx[0]));
		sf->rx_n = (uint16_t)(sf->rx_n - drop);
		rxmap_idle(sf);
	}
}

static const struct mptcp_rxmap *rxmap_find(struct mptcp_subflow *sf, uint32_t ssn)
{
	rxmap_consumed(sf, ssn);
	for (unsigned i = 0; i < sf->rx_n; i++) {
		const struct mptcp_rxmap *r = &sf->rx[i];
		if (SEQ_LEQ(r->ssn, ssn) && SEQ_LT(ssn, r->ssn + r->len))
			return r;
		if (SEQ_GT(r->ssn, ssn))
			break;
	}
	return NULL;
}

static bool rx_csum_ok(struct tcb *t, const struct mptcp_rxmap *r)
{
	uint32_t sum = cksum_mbuf(t->rcvq.head, 0, r->len, 0);
	/* cksum_mbuf walks the chain of t->rcvq (linked through ->next) */
	return mptcp_dss_csum_ok(r->dsn, r->ssn - t->irs, (uint16_t)(r->len + (r->fin ? 1 : 0)),
				 r->csum, sum);
}

/* Hand the in-order data of the subflow to the meta, mapping by mapping. */
static void sf_rx_drain(struct tcb *t)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct mpdk_engine *e = sf_engine(t);
	struct rte_mempool *pool = e->stack->pool;

	while (t->rcvq.bytes > 0 && t->sf == sf && sf->active) {
		uint32_t ssn = sf->rx_ssn;
		uint64_t dsn;
		uint32_t n;
		const struct mptcp_rxmap *r =
			sf->infinite && !sf->rx_peer_maps ? NULL : rxmap_find(sf, ssn);
		if (r == NULL && sf->rx_peer_maps) {
			/* the peer's first unmapped byte after our
			 * fallback: it fell back too (§3.7) */
			sf->rx_peer_maps = false;
			sf->inf_ssn = ssn;
			sf->inf_dsn = mp->rcv_nxt;
		}
		if (r == NULL) {
			if (!sf->infinite && !sf->dss_seen && sf->initial && TAILQ_FIRST(&mp->sfs) == sf &&
			    TAILQ_NEXT(sf, link) == NULL && !(mp->flags & MF_CSUM)) {
				/* §3.7: data without any mapping on the only
				 * subflow: options are stripped; fall back. */
				mptcp_meta_fall_back(mp, sf, ssn, mp->rcv_nxt);
			}
			if (!sf->infinite && sf->fail_wait && sf_fail_wait_ok(mp, sf)) {
				/* after our MP_FAIL the peer went on as plain
				 * TCP without an infinite mapping (§3.7) */
				mptcp_meta_fall_back(mp, sf, ssn, mp->rcv_nxt);
			}
			if (!sf->infinite) {
				CTR_INC(e, mptcp_rx_unmapped_wait);
				return;
			}
			dsn = sf->inf_dsn + (ssn - sf->inf_ssn);
			n = t->rcvq.bytes;
		} else {
			uint32_t off = ssn - r->ssn;
			n = min32(r->len - off, t->rcvq.bytes);
			dsn = r->dsn + off;
			if (r->has_csum && (mp->flags & MF_CSUM)) {
				if (off != 0 || t->rcvq.bytes < r->len)
					return;   /* the checksum needs the whole mapping */
				if (!rx_csum_ok(t, r)) {
					CTR_INC(e, mptcp_dss_csum_bad);
					if (r->dsn == mp->rcv_nxt && mptcp_meta_can_fall_back(mp, sf)) {
						/* §3.7: on the only subflow, with the
						 * data level in order, the connection
						 * falls back: MP_FAIL (the DSN of the
						 * failed mapping) on our ACKs, and
						 * from this mapping on the subflow's
						 * bytes are the data stream (an
						 * infinite mapping), delivered as TCP
						 * would, as Linux does: TCP already
						 * acknowledged them */
						CTR_INC(e, mptcp_mp_fail_fallback);
						if (!sf->fail_wait) {
							sf->send_fail = true;
							sf->fail_tx_left = 3;
							sf->fail_dsn = r->dsn;
							sf->fail_wait = true;
						}
						t->flags |= TF_ACKNOW;
						mptcp_meta_schedule(mp);
						goto deliver;
					}
					/* Several subflows: the payload was
					 * changed on this path. The subflow goes
					 * with a RST that carries MP_FAIL (the
					 * DSN of the failed mapping) and
					 * MP_TCPRST "middlebox interference"
					 * (§3.6); the data is not delivered,
					 * the sender reinjects it on the other
					 * subflows (§3.3.6). */
					sf->fail_pending = true;
					sf->fail_dsn = r->dsn;
					mptcp_sf_reset(t, MPTCP_RST_EMIDDLEBOX);
					return;
				}
			}
		}
deliver:;
		struct rte_mbuf *m = mbuf_q_take(&t->rcvq, n, pool);
		if (m == NULL)
			return;
		sf->rx_ssn += n;
		sf->data_in += n;
		mptcp_meta_rx(mp, dsn, m, n);
	}
	if (t->sf == sf && t->rcvq.bytes == 0)
		rxmap_consumed(sf, sf->rx_ssn);   /* idle: storage back inline */
}

bool mptcp_tso_ok(const struct tcb *t)
{
	const struct mptcp_subflow *sf = t->sf;
	if (sf == NULL || !sf->active)
		return false;
	const struct mptcp_meta *mp = sf->mp;
	return (mp->flags & (MF_ESTABLISHED | MF_FALLBACK | MF_DONE)) == MF_ESTABLISHED &&
	       sf->fully_established && sf->dss_seen && !sf->join_ack_pending && !sf->infinite &&
	       !sf->send_fail && !sf->send_infinite && !sf->fail_wait;
}

bool mptcp_sf_attached(const struct tcb *t)
{
	return t->sf != NULL && t->sf->active;
}

void mptcp_rcv_data(struct tcb *t, struct rte_mbuf *m, uint32_t len)
{
	(void)len;
	mbuf_q_push_chain(&t->rcvq, m);
	sf_rx_drain(t);
}

void mptcp_rcv_fin(struct tcb *t)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	sf->peer_fin = true;
	if (mp->flags & MF_FALLBACK) {
		/* bytes held back before the fallback (a mapping not yet
		 * complete) come before the FIN */
		if (sf->active && t->rcvq.bytes > 0)
			sf_rx_drain(t);
		mptcp_meta_rx_fin(mp, mp->rcv_nxt);
		return;
	}
	if (mp->flags & MF_DONE) {
		tcb_queue_fin(t);
		return;
	}
	/* The peer closes this subflow while the connection goes on (it
	 * removed the path): move its data elsewhere and close our side. */
	if (sf->active && TAILQ_NEXT(TAILQ_FIRST(&mp->sfs), link) != NULL) {
		mptcp_meta_detach(sf, 0);
		tcb_queue_fin(t);
	}
}

uint32_t mptcp_rcv_space(const struct tcb *t)
{
	const struct mptcp_meta *mp = t->sf->mp;
	uint32_t own = t->rcvq.bytes + t->reasm.bytes;
	if (!t->sf->active)
		return own >= t->rcvbuf ? 0 : t->rcvbuf - own;
	uint32_t s = mptcp_meta_rcv_space(mp);
	own = t->rcvq.bytes;   /* mapped-later data; out-of-order is in the window */
	return s > own ? s - own : 0;
}

void mptcp_sf_acked(struct tcb *t)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	uint32_t una = t->snd_una;
	while (sf->tx_n > 0) {
		struct mptcp_txmap *x = sf_txmap(sf, 0);
		if (SEQ_GT(x->ssn + x->len, una))
			break;
		uint64_t end = x->dsn + x->len;
		sf->tx_head = (uint16_t)((sf->tx_head + 1) & (sf->tx_cap - 1u));
		sf->tx_n--;
		sf->data_out += x->len;
		if (mp->flags & MF_FALLBACK)
			mptcp_meta_data_ack(mp, end, NULL);
	}
	txmap_idle(sf);
	/* single-path TCP (§3.7): our FIN is the DATA_FIN; its ACK acks it */
	if ((mp->flags & (MF_FALLBACK | MF_EOF_SENT)) == (MF_FALLBACK | MF_EOF_SENT) &&
	    (t->flags & TF_FIN_QUEUED) && SEQ_GT(una, t->fin_seq) && sf->tx_n == 0)
		mptcp_meta_data_ack(mp, mp->write_seq + 1, NULL);
	if (mp->flags & MF_ESTABLISHED)
		mptcp_meta_schedule(mp);
}

void mptcp_sf_wnd_grew(struct tcb *t)
{
	struct mptcp_meta *mp = t->sf->mp;
	if (mp != NULL && t->sf->active && (mp->flags & MF_ESTABLISHED) &&
	    mp->snd_nxt != mp->write_seq)
		mptcp_meta_schedule(mp);
}

bool mptcp_sf_done(struct tcb *t, int err)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	if (!(mp->flags & MF_ESTABLISHED) && t->mp == NULL) {
		/* never became MPTCP: plain TCP semantics for the handle */
		return false;
	}
	mptcp_meta_detach(sf, err);
	if (t->mp == mp && (t->flags & TF_APP))
		return true;   /* the shell keeps the handle; the meta reports */
	return false;
}

/* ------------------------------------------------------------ output */

int mptcp_sf_push(struct mptcp_subflow *sf, uint64_t dsn, uint32_t len)
{
	struct tcb *t = sf->t;
	struct mptcp_meta *mp = sf->mp;
	struct rte_mempool *pool = sf_engine(t)->stack->pool;
	if (len == 0 || len > 65535)
		return -ENOSPC;
	if (dsn < mp->snd_una || dsn + len > mp->write_seq)
		return -EINVAL;
	/* RFC 8684 §3.3.1: one mapping may cover many segments. Data that
	 * continues the last mapping in both sequence spaces extends it while
	 * no segment of it was sent yet (each segment carries its mapping
	 * whole, and a receiver holding the shorter one would take a longer
	 * one on a retransmission as a different mapping: Linux's
	 * validate_mapping / DSSNOMATCH), within the 16-bit Data-Level Length;
	 * never with checksums (computed per mapping). */
	struct mptcp_txmap *last = sf->tx_n > 0 ? sf_txmap(sf, sf->tx_n - 1u) : NULL;
	uint32_t ssn0 = tcb_data_end(t);
	bool merge = last != NULL && !(mp->flags & MF_CSUM) && last->ssn + last->len == ssn0 &&
		     last->dsn + last->len == dsn && (uint32_t)last->len + len <= 65535 &&
		     SEQ_LEQ(t->snd_max, last->ssn);
	if (!merge) {
		int rc = txmap_reserve(sf);
		if (rc < 0)
			return rc;
	}
	/* find the meta mbuf holding dsn */
	uint64_t pos = mp->snd_una;
	struct rte_mbuf *m = mp->sndq.head;
	while (m != NULL && pos + m->data_len <= dsn) {
		pos += m->data_len;
		m = m->next;
	}
	uint32_t off = (uint32_t)(dsn - pos);
	uint32_t ssn = ssn0;
	struct mbuf_q q = { 0 };
	uint32_t left = len, sum = 0, done = 0;
	while (left > 0 && m != NULL) {
		uint32_t k = min32(left, m->data_len - off);
		struct rte_mbuf *c = mptcp_clone_seg(m, pool);
		if (c == NULL) {
			mbuf_q_free(&q);
			CTR_INC(sf_engine(t), tcp_tx_nombuf);
			return -ENOBUFS;
		}
		c->data_off = (uint16_t)(c->data_off + off);
		c->data_len = (uint16_t)k;
		c->pkt_len = k;
		if (mp->flags & MF_CSUM) {
			uint32_t s = cksum_partial(rte_pktmbuf_mtod(c, const void *), k, 0);
			s = (s & 0xffff) + (s >> 16);
			s = (s & 0xffff) + (s >> 16);
			/* a chunk at an odd offset of the mapping is summed
			 * with its bytes swapped (RFC 1071 §2 (B)) */
			if (done & 1)
				s = ((s >> 8) | (s << 8)) & 0xffff;
			sum += s;
			sum = (sum & 0xffff) + (sum >> 16);
		}
		mbuf_q_push(&q, c);
		done += k;
		left -= k;
		off = 0;
		m = m->next;
	}
	if (left > 0) {
		mbuf_q_free(&q);
		return -EINVAL;
	}
	/* append */
	while ((m = mbuf_q_pop(&q)) != NULL)
		mbuf_q_push(&t->sndq, m);
	t->sndq_own_tail = NULL;
	if (merge) {
		last->len = (uint16_t)(last->len + len);
		CTR_INC(sf_engine(t), mptcp_map_merged);
		return 0;
	}
	struct mptcp_txmap *x = sf_txmap(sf, sf->tx_n);
	x->ssn = ssn;
	x->len = (uint16_t)len;
	x->dsn = dsn;
	x->csum = (mp->flags & MF_CSUM) ? mptcp_dss_csum(dsn, ssn - t->iss, (uint16_t)len, sum) : 0;
	sf->tx_n++;
	return 0;
}

static const struct mptcp_txmap *txmap_find(const struct mptcp_subflow *sf, uint32_t seq)
{
	for (unsigned i = sf->tx_n; i-- > 0;) {
		const struct mptcp_txmap *x = sf_txmap(sf, i);
		if (SEQ_LEQ(x->ssn, seq) && SEQ_LT(seq, x->ssn + x->len))
			return x;
		if (SEQ_LT(x->ssn + x->len, seq))
			break;
	}
	return NULL;
}

/* Append option @opt to the segment's MPTCP options if it fits. */
static bool put_opt(struct tcp_opts *o, uint8_t *buf, size_t *used, size_t budget,
		    const struct mptcp_opt *opt)
{
	size_t n = mptcp_opt_len(opt);
	size_t padded = (n + 3) & ~(size_t)3;
	if (n == 0 || o->n_mptcp >= TCP_OPTS_MAX_MPTCP || *used + padded > budget)
		return false;
	size_t w = mptcp_opt_write(buf + *used, 40 - *used, opt);
	if (w == 0)
		return false;
	o->mptcp[o->n_mptcp].p = buf + *used;
	o->mptcp[o->n_mptcp].len = (uint8_t)w;
	o->n_mptcp++;
	o->flags |= TCP_OPT_F_MPTCP;
	*used += padded;
	return true;
}

uint32_t mptcp_tx_opts(struct tcb *t, uint32_t seq, uint32_t len, uint8_t thflags,
		       struct tcp_opts *o, uint8_t *buf)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct mpdk_engine *e = sf_engine(t);
	struct mptcp_opt opt;
	size_t used = 0;
	/* What the TCP options take (SACK blocks go first when short). */
	size_t budget = 40 - ((o->flags & TCP_OPT_F_TS) ? 12 : 0);
	bool syn = thflags & RTE_TCP_SYN_FLAG, ack = thflags & RTE_TCP_ACK_FLAG;

	if (syn)
		budget = 40 - tcp_opts_len(o, 40);
	memset(&opt, 0, sizeof(opt));
	if (thflags & RTE_TCP_RST_FLAG) {
		if (!(mp->flags & MF_ESTABLISHED))
			return len;
		if (mp->flags & MF_FASTCLOSE) {
			opt.subtype = MPTCP_SUB_FASTCLOSE;
			opt.fastclose.rcv_key = mp->remote_key;
			put_opt(o, buf, &used, budget, &opt);
		}
		if (sf->fail_pending) {
			memset(&opt, 0, sizeof(opt));
			opt.subtype = MPTCP_SUB_FAIL;
			opt.fail.dsn = sf->fail_dsn;
			if (put_opt(o, buf, &used, budget, &opt))
				CTR_INC(e, mptcp_mp_fail_tx);
		}
		memset(&opt, 0, sizeof(opt));
		opt.subtype = MPTCP_SUB_TCPRST;
		opt.tcprst.reason = sf->rst_reason;
		if (put_opt(o, buf, &used, budget, &opt))
			CTR_INC(e, mptcp_tcprst_tx);
		return len;
	}
	if (syn && sf->kind == SF_MPC && mp->hs_mode == HS_EC && hs_ec_tx_syn(t, ack, o, &opt)) {
		budget = 40 - tcp_opts_len(o, 40);   /* what the EC option left */
		put_opt(o, buf, &used, budget, &opt);
		return len;
	}
	if (t->sf == NULL)
		return len;   /* EC SYNs unanswered and no RFC 8684 token: plain TCP */
	if (syn) {
		if (sf->kind == SF_MPC) {
			if (!ack && t->nrtx >= MPC_SYN_TRIES + (mp->ec.fell_back ? 2 : 0)) {
				/* §3.7: SYNs with the option are being dropped */
				CTR_INC(e, mptcp_fallback_syn_retries);
				sf_drop(t);
				return len;
			}
			opt.subtype = MPTCP_SUB_CAPABLE;
			opt.mpc.version = MPTCP_VERSION;
			opt.mpc.flags = MPTCP_CAP_H_HMAC_SHA256 | (sf->csum ? MPTCP_CAP_A_CHECKSUM : 0);
			if (ack && t->te->conf.mptcp.deny_join_initial)
				opt.mpc.flags |= MPTCP_CAP_C_NO_NEW_SUBFLOW;   /* §3.1 */
			opt.mpc.form = ack ? MPTCP_CAP_SYNACK : MPTCP_CAP_SYN;
			opt.mpc.snd_key = mp->local_key;
			if (mp->hs_mode == HS_APP)   /* tokens, not keys (hs_app.c) */
				hs_app_tx_mpc(mp, &opt);
		} else {
			opt.subtype = MPTCP_SUB_JOIN;
			opt.mpj.backup = sf->backup;
			opt.mpj.addr_id = sf->local_id;
			opt.mpj.nonce = sf->local_nonce;
			if (ack) {
				uint8_t h[MPTCP_HMAC_LEN];
				opt.mpj.form = MPTCP_JOIN_SYNACK;
				if (mp->hs_mode == HS_EC) {
					opt.mpj.thmac = hs_ec_auth_b(mp, sf->local_nonce, sf->remote_nonce);
				} else {
					mptcp_join_hmac_ctx(&mp->hmac_local, sf->local_nonce,
							    sf->remote_nonce, h);
					opt.mpj.thmac = mptcp_join_thmac(h);
				}
			} else if (mp->hs_mode == HS_EC) {
				hs_ec_join_syn_opt(mp, sf, &opt);
			} else {
				opt.mpj.form = MPTCP_JOIN_SYN;
				opt.mpj.token = mp->remote_token;
			}
		}
		put_opt(o, buf, &used, budget, &opt);
		return len;
	}
	if ((mp->flags & MF_FALLBACK) && sf->active && (sf->send_fail || sf->send_infinite)) {
		/* §3.7: the last MPTCP signals of a connection falling back */
		if (sf->send_infinite) {
			/* Data-Level Length 0 from the data at @seq on */
			const struct mptcp_txmap *x = txmap_find(sf, seq);
			uint64_t dsn = x ? x->dsn + (uint32_t)(seq - x->ssn) : mp->snd_nxt;
			opt.subtype = MPTCP_SUB_DSS;
			opt.dss.has_ack = true;
			opt.dss.data_ack = (uint32_t)mp->rcv_nxt;
			opt.dss.has_map = true;
			opt.dss.dsn64 = true;
			opt.dss.dsn = dsn;
			opt.dss.ssn = seq - t->iss;
			opt.dss.data_len = 0;
			opt.dss.has_csum = (mp->flags & MF_CSUM) != 0;
			opt.dss.csum = opt.dss.has_csum ? mptcp_dss_csum(dsn, seq - t->iss, 0, 0) : 0;
			if (put_opt(o, buf, &used, budget, &opt)) {
				sf->send_infinite = false;
				CTR_INC(e, mptcp_infinite_map_tx);
			}
		}
		if (sf->send_fail) {
			memset(&opt, 0, sizeof(opt));
			opt.subtype = MPTCP_SUB_FAIL;
			opt.fail.dsn = sf->fail_dsn;
			if (put_opt(o, buf, &used, budget, &opt)) {
				CTR_INC(e, mptcp_mp_fail_ack_tx);
				if (sf->fail_tx_left <= 1)
					sf->send_fail = false;
				else
					sf->fail_tx_left--;
			}
		}
		return len;
	}
	/* EC handshake pure ACKs: draft B's x, A's last MP_CAPABLE */
	if (mp->hs_mode == HS_EC && hs_ec_tx_ack(t, len, &opt)) {
		put_opt(o, buf, &used, budget, &opt);
		return len;
	}
	if (!(mp->flags & MF_ESTABLISHED) || (mp->flags & MF_FALLBACK) || sf->infinite || !sf->active)
		return len;

	/* JOIN initiator: the third ACK with our full HMAC, until B answers */
	if (sf->kind == SF_JOIN && sf->client && sf->join_ack_pending && len == 0) {
		uint8_t h[MPTCP_HMAC_LEN];
		opt.subtype = MPTCP_SUB_JOIN;
		opt.mpj.form = MPTCP_JOIN_ACK;
		if (mp->hs_mode == HS_EC) {
			hs_ec_auth_a(mp, sf->local_nonce, sf->remote_nonce, opt.mpj.hmac);
		} else {
			mptcp_join_hmac_ctx(&mp->hmac_local, sf->local_nonce, sf->remote_nonce, h);
			memcpy(opt.mpj.hmac, h, MPTCP_JOIN_ACK_HMAC_LEN);
		}
		put_opt(o, buf, &used, budget, &opt);
		sf->join_ack_time = engine_now(e);
		return len;
	}
	const struct mptcp_txmap *x = len > 0 ? txmap_find(sf, seq) : NULL;
	if (len > 0 && x != NULL)
		len = min32(len, x->ssn + x->len - seq);
	/* MP_CAPABLE client until the peer shows it has our keys (§3.1) */
	if (sf->kind == SF_MPC && sf->client && !sf->fully_established && mp->hs_mode != HS_EC) {
		if (len == 0 || (x != NULL && x->ssn == t->iss + 1)) {
			opt.subtype = MPTCP_SUB_CAPABLE;
			opt.mpc.version = MPTCP_VERSION;
			opt.mpc.flags = MPTCP_CAP_H_HMAC_SHA256 |
					((mp->flags & MF_CSUM) ? MPTCP_CAP_A_CHECKSUM : 0);
			opt.mpc.snd_key = mp->local_key;
			opt.mpc.rcv_key = mp->remote_key;
			if (len > 0) {
				opt.mpc.form = MPTCP_CAP_ACK_DATA;
				opt.mpc.data_len = x->len;
				opt.mpc.has_csum = (mp->flags & MF_CSUM) != 0;
				opt.mpc.csum = x->csum;
			} else {
				opt.mpc.form = MPTCP_CAP_ACK;
			}
			if (mp->hs_mode == HS_APP)   /* tokens, not keys (hs_app.c) */
				hs_app_tx_mpc(mp, &opt);
			put_opt(o, buf, &used, budget, &opt);
			return len;
		}
	}
	opt.subtype = MPTCP_SUB_DSS;
	opt.dss.has_ack = true;
	opt.dss.data_ack = (uint32_t)mp->rcv_nxt;
	if (len > 0 && x != NULL) {
		opt.dss.has_map = true;
		opt.dss.dsn64 = true;
		opt.dss.dsn = x->dsn;
		opt.dss.ssn = x->ssn - t->iss;
		opt.dss.data_len = x->len;
		opt.dss.has_csum = (mp->flags & MF_CSUM) != 0;
		opt.dss.csum = x->csum;
	} else if (len == 0 && (mp->flags & MF_FIN_QUEUED) && (mp->flags & MF_EOF_SENT) &&
		   !(mp->flags & MF_FIN_ACKED)) {
		/* DATA_FIN on its own: length 1, subflow sequence 0 (§3.3.3) */
		opt.dss.has_map = true;
		opt.dss.dsn64 = true;
		opt.dss.data_fin = true;
		opt.dss.dsn = mp->write_seq;
		opt.dss.ssn = 0;
		opt.dss.data_len = 1;
		opt.dss.has_csum = (mp->flags & MF_CSUM) != 0;
		opt.dss.csum = opt.dss.has_csum ? mptcp_dss_csum(mp->write_seq, 0, 1, 0) : 0;
	}
	put_opt(o, buf, &used, budget, &opt);
	if (sf->send_fail) {
		/* §3.7: the DSN of the mapping whose checksum failed; fits
		 * next to a DATA_ACK, not always next to a mapping */
		memset(&opt, 0, sizeof(opt));
		opt.subtype = MPTCP_SUB_FAIL;
		opt.fail.dsn = sf->fail_dsn;
		if (put_opt(o, buf, &used, budget, &opt)) {
			CTR_INC(e, mptcp_mp_fail_ack_tx);
			if (sf->fail_tx_left <= 1)
				sf->send_fail = false;
			else
				sf->fail_tx_left--;
		}
	}
	if (len > 0)
		return len;
	/* pure ACK: path manager signals */
	if (sf->send_prio) {
		memset(&opt, 0, sizeof(opt));
		opt.subtype = MPTCP_SUB_PRIO;
		opt.prio.backup = sf->backup;
		if (put_opt(o, buf, &used, budget, &opt)) {
			sf->send_prio = false;
			CTR_INC(e, mptcp_prio_tx);
		}
	}
	if (mp->add_addr_echo_pending) {
		memset(&opt, 0, sizeof(opt));
		opt.subtype = MPTCP_SUB_ADD_ADDR;
		opt.add_addr = mp->add_addr_echo;
		opt.add_addr.echo = true;
		if (put_opt(o, buf, &used, budget, &opt))
			mp->add_addr_echo_pending = false;
	} else if (mp->add_addr_pending && (mp->hs_mode != HS_EC || hs_ec_k_ready(&mp->ec))) {
		memset(&opt, 0, sizeof(opt));
		opt.subtype = MPTCP_SUB_ADD_ADDR;
		opt.add_addr = mp->add_addr;
		opt.add_addr.hmac = mptcp_add_addr_hmac_ctx(&mp->hmac_local, &opt.add_addr);
		if (put_opt(o, buf, &used, budget, &opt)) {
			mp->add_addr_pending = false;
			CTR_INC(e, mptcp_add_addr_tx);
		}
	}
	if (mp->rm_pending) {
		memset(&opt, 0, sizeof(opt));
		opt.subtype = MPTCP_SUB_REMOVE_ADDR;
		opt.rm_addr.n_ids = 1;
		opt.rm_addr.ids[0] = mp->rm_id_pending;
		if (put_opt(o, buf, &used, budget, &opt)) {
			mp->rm_pending = false;
			CTR_INC(e, mptcp_rm_addr_tx);
		}
	}
	return len;
}
