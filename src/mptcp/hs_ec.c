/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EC point-exchange keying in the MP_CAPABLE and MP_JOIN handshakes
 * (draft "SE-MPTCP" sections 4.1-4.3; docs/security.md, "What the
 * handshake state machine needs", is the contract this file implements).
 *
 * subflow.c keeps the RFC 8684 state machine and calls in here where a
 * connection's hs_mode is HS_EC. The per-engine part holds the OpenSSL
 * context, one key-pair pool per curve in use, a queue of connections
 * waiting for their ECDH, and the ec-preferred peer memory. The engine
 * hook runs the queued ECDH jobs (a few per poll iteration) and refills
 * the pools when an iteration received nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <rte_random.h>
#include <openssl/crypto.h>
#include "mptcp/mptcp_int.h"
#include "mptcp/mptcp_tcp.h"
#include "mptcp/token.h"
#include "mptcp/hs_ec.h"
#include "secure/ec_optspace.h"
#include "core/log.h"
#include "mpdk/mpdk_mptcp.h"

#define HS_EC_POOL_SIZE 8
#define HS_EC_PEERS 64                       /* ec-preferred peer memory */
#define HS_EC_PEER_TTL_NS (600ull * NS_PER_S) /* remembered for 10 minutes */
#define HS_EC_JOBS_PER_POLL 4
#define HS_EC_SYN_TRIES 2                     /* EC SYNs before RFC 8684 (ec-preferred) */
#define HS_EC_TOKEN_TRIES 4

struct hs_ec_engine {
	struct tcp_engine *te;
	struct ec_ctx *ctx;
	struct ec_pool pools[EC_CURVE_COUNT];
	bool pool_on[EC_CURVE_COUNT];
	uint32_t *jobs; /* ring of local tokens of connections awaiting ECDH */
	uint32_t jobs_cap, jobs_head, jobs_n;
	struct {
		uint32_t addr;
		uint64_t expires;
	} peers[HS_EC_PEERS];
	uint64_t last_rx;
	unsigned refill_next;
	unsigned mode, curve, variant;
};

static const char *const key_mode_names[] = { "rfc8684", "ec-preferred", "ec-required", "app" };

const char *mpdk_key_mode_name(unsigned mode)
{
	return mode < 4 ? key_mode_names[mode] : NULL;
}

int mpdk_key_mode_parse(const char *name)
{
	for (unsigned i = 0; name != NULL && i < 4; i++)
		if (strcasecmp(name, key_mode_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

const char *mpdk_ec_variant_name(unsigned v)
{
	return v == MPDK_EC_COMPRESSED ? "ec-compressed" : v == MPDK_EC_DRAFT ? "ec-draft" : NULL;
}

int mpdk_ec_variant_parse(const char *name)
{
	if (name == NULL)
		return -EINVAL;
	if (!strcasecmp(name, "compressed") || !strcasecmp(name, "ec-compressed"))
		return MPDK_EC_COMPRESSED;
	if (!strcasecmp(name, "draft") || !strcasecmp(name, "ec-draft"))
		return MPDK_EC_DRAFT;
	return -EINVAL;
}

int mpdk_ec_curve_parse(const char *name)
{
	return name == NULL ? -EINVAL : ec_curve_by_name(name);
}

const char *mpdk_ec_curve_name(unsigned id)
{
	const struct ec_curve_info *ci = ec_curve_get(id);
	return ci ? ci->name : NULL;
}

unsigned hs_conf_mode(const struct tcp_engine *te)
{
	return te->conf.mptcp.key_mode;
}

static inline struct mpdk_engine *hs_e(const struct tcp_engine *te) { return te->e; }

/* ------------------------------------------------------------ engine */

static struct ec_pool *pool_get(struct hs_ec_engine *he, unsigned curve)
{
	if (curve >= EC_CURVE_COUNT)
		return NULL;
	if (!he->pool_on[curve]) {
		if (ec_pool_init(&he->pools[curve], he->ctx, curve, HS_EC_POOL_SIZE) < 0)
			return NULL;
		he->pool_on[curve] = true;
	}
	return &he->pools[curve];
}

static int take_keypair(struct hs_ec_engine *he, unsigned curve, struct ec_keypair *kp,
			bool passive)
{
	struct ec_pool *p = pool_get(he, curve);
	if (p == NULL)
		return -ENOMEM;
	uint64_t before = p->stats.empty_inline;
	int rc = ec_pool_take(p, kp);
	if (p->stats.empty_inline != before) {
		CTR_INC(hs_e(he->te), ec_pool_empty);
		if (passive)   /* a SYN paid a key generation (SYN flood cost) */
			CTR_INC(hs_e(he->te), ec_pool_empty_passive);
	}
	return rc;
}

static bool peer_cached(struct hs_ec_engine *he, uint32_t addr)
{
	uint64_t now = engine_now(hs_e(he->te));
	for (unsigned i = 0; i < HS_EC_PEERS; i++)
		if (he->peers[i].addr == addr && he->peers[i].expires > now)
			return true;
	return false;
}

static void peer_remember(struct hs_ec_engine *he, uint32_t addr)
{
	uint64_t now = engine_now(hs_e(he->te));
	unsigned slot = 0;
	for (unsigned i = 0; i < HS_EC_PEERS; i++) {
		if (he->peers[i].addr == addr) {
			slot = i;
			break;
		}
		if (he->peers[i].expires < he->peers[slot].expires)
			slot = i;   /* the oldest (or an expired/empty) entry */
	}
	he->peers[slot].addr = addr;
	he->peers[slot].expires = now + HS_EC_PEER_TTL_NS;
}

void hs_ec_peer_cache_clear(struct tcp_engine *te)
{
	if (te->ec != NULL)
		memset(te->ec->peers, 0, sizeof(te->ec->peers));
}

/* K can be computed now: keys derived, the peer's point complete (not yet
 * validated: ec_complete does that), the private key still there. */
static bool k_owed(const struct mptcp_meta *mp)
{
	const struct hs_ec_conn *ec = &mp->ec;
	return mp->hs_mode == HS_EC && ec->have_keys && !ec->s.k_ready && !ec->failed &&
	       !ec->incomplete && ec_peer_complete(&ec->peer);
}

static void job_queue(struct tcp_engine *te, struct mptcp_meta *mp)
{
	struct hs_ec_engine *he = te->ec;
	if (mp->ec.job_queued || mp->ec.s.k_ready || he == NULL)
		return;
	if (he->jobs_n == he->jobs_cap) {
		/* entries of connections gone or keyed inline stay until the
		 * hook pops them: counted; hs_ec_need_k and the join precheck
		 * queue it again later (k_owed) */
		CTR_INC(hs_e(te), ec_job_queue_full);
		return;
	}
	he->jobs[(he->jobs_head + he->jobs_n) % he->jobs_cap] = mp->local_token;
	he->jobs_n++;
	mp->ec.job_queued = true;
}

/* The slow part: validate the peer's point (decompress), ECDH, K. */
static void ec_complete(struct tcp_engine *te, struct mptcp_meta *mp)
{
	struct hs_ec_engine *he = te->ec;
	struct hs_ec_conn *ec = &mp->ec;
	struct ec_point pt;
	int rc = ec_peer_point(he->ctx, &ec->peer, &pt);
	if (rc == 0)
		rc = ec_session_complete(&ec->s, he->ctx, &ec->kp, &pt);
	ec->job_queued = false;
	OPENSSL_cleanse(&ec->kp, sizeof(ec->kp));
	if (rc < 0) {
		ec->failed = true;
		CTR_INC(hs_e(te), ec_point_invalid);
		return;
	}
	/* joins and ADD_ADDR are keyed with K from now on (draft Figure 2,
	 * section 4.3); both directions use the same K */
	mp->hmac_local = ec->s.k;
	mp->hmac_remote = ec->s.k;
	mp->remote_token = ec->s.token_remote;
	CTR_INC(hs_e(te), ec_k_ready);
	if (mp->add_addr_pending && !(mp->flags & MF_DONE))
		mptcp_meta_schedule(mp);
}

unsigned hs_ec_run_jobs(struct tcp_engine *te, unsigned max)
{
	struct hs_ec_engine *he = te->ec;
	unsigned done = 0;
	while (he != NULL && he->jobs_n > 0 && done < max) {
		uint32_t tok = he->jobs[he->jobs_head];
		he->jobs_head = (he->jobs_head + 1) % he->jobs_cap;
		he->jobs_n--;
		struct token_entry ent;
		if (token_table_lookup(te->tokens, tok, &ent) != 0 || ent.home != hs_e(te)->id)
			continue;   /* the connection is gone */
		struct mptcp_meta *mp = ent.conn;
		if (mp->hs_mode != HS_EC || !mp->ec.job_queued)
			continue;
		ec_complete(te, mp);
		done++;
	}
	return done;
}

static int hs_ec_hook(struct mpdk_engine *e, void *arg)
{
	struct tcp_engine *te = arg;
	struct hs_ec_engine *he = te->ec;
	if (he == NULL)
		return 0;
	int work = (int)hs_ec_run_jobs(te, HS_EC_JOBS_PER_POLL);
	/* idle: nothing received since the last iteration (from the ports or
	 * from another engine's redirect ring) and no ECDH owed */
	uint64_t rx = e->ctr[CTR_port_rx_frames] + e->ctr[CTR_engine_redirect_rx];
	bool idle = rx == he->last_rx && he->jobs_n == 0;
	he->last_rx = rx;
	if (!idle)
		return work;
	for (unsigned i = 0; i < EC_CURVE_COUNT; i++) {
		unsigned c = (he->refill_next + i) % EC_CURVE_COUNT;
		if (he->pool_on[c] && ec_pool_count(&he->pools[c]) < he->pools[c].size) {
			if (ec_pool_refill(&he->pools[c], 1) == 1) {
				CTR_INC(e, ec_keygen);
				work++;
			}
			he->refill_next = c + 1;
			break;
		}
	}
	return work;
}

int hs_ec_engine_init(struct tcp_engine *te)
{
	te->ec = NULL;
	if (te->conf.mptcp.disabled)
		return 0;
	unsigned mode = te->conf.mptcp.key_mode;
	if (mode != MPDK_KEY_EC_PREFERRED && mode != MPDK_KEY_EC_REQUIRED)
		return 0;
	struct hs_ec_engine *he = calloc(1, sizeof(*he));
	if (he == NULL)
		return -ENOMEM;
	he->te = te;
	he->mode = mode;
	he->ctx = ec_ctx_new();
	he->jobs_cap = te->n_tcbs + 1;
	he->jobs = calloc(he->jobs_cap, sizeof(*he->jobs));
	if (he->ctx == NULL || he->jobs == NULL) {
		MPDK_LOG(ERR, "mptcp: EC keying unavailable (OpenSSL curves or memory)");
		ec_ctx_free(he->ctx);
		free(he->jobs);
		free(he);
		return -ENOMEM;
	}
	int c = te->conf.mptcp.ec_curve ? ec_curve_by_name(te->conf.mptcp.ec_curve) : EC_SECP224R1;
	if (c < 0) {
		MPDK_LOG(WARNING, "mptcp: unknown EC curve '%s', using secp224r1",
			 te->conf.mptcp.ec_curve);
		c = EC_SECP224R1;
	}
	he->curve = (unsigned)c;
	he->variant = te->conf.mptcp.ec_variant == MPDK_EC_DRAFT ? EC_VARIANT_DRAFT
								 : EC_VARIANT_COMPRESSED;
	/* the configured curve's pool starts full: the first connections do
	 * not pay a key generation */
	struct ec_pool *p = pool_get(he, he->curve);
	if (p != NULL)
		ec_pool_refill(p, HS_EC_POOL_SIZE);
	if (engine_add_hook(te->e, hs_ec_hook, te) < 0) {
		MPDK_LOG(ERR, "mptcp: no engine hook slot for EC keying");
		for (unsigned i = 0; i < EC_CURVE_COUNT; i++)
			if (he->pool_on[i])
				ec_pool_fini(&he->pools[i]);
		ec_ctx_free(he->ctx);
		free(he->jobs);
		free(he);
		return -ENOSPC;
	}
	te->ec = he;
	return 0;
}

void hs_ec_engine_fini(struct tcp_engine *te)
{
	struct hs_ec_engine *he = te->ec;
	if (he == NULL)
		return;
	te->ec = NULL;
	for (unsigned i = 0; i < EC_CURVE_COUNT; i++)
		if (he->pool_on[i])
			ec_pool_fini(&he->pools[i]);
	ec_ctx_free(he->ctx);
	free(he->jobs);
	free(he);
}

/* ------------------------------------------------------------ helpers */

static bool has_subtype(const struct tcp_opts *o, unsigned subtype)
{
	for (unsigned i = 0; i < o->n_mptcp; i++)
		if (o->mptcp[i].len >= 3 && (o->mptcp[i].p[2] >> 4) == subtype)
			return true;
	return false;
}

/* A key pair of @curve whose token is free; its token goes in the table. */
static int own_key(struct tcp_engine *te, struct mptcp_meta *mp, unsigned curve, bool passive)
{
	struct hs_ec_conn *ec = &mp->ec;
	int rc = -EEXIST;
	for (int i = 0; i < HS_EC_TOKEN_TRIES && rc == -EEXIST; i++) {
		rc = take_keypair(te->ec, curve, &ec->kp, passive);
		if (rc < 0)
			return rc;
		ec_keypair_public(&ec->kp, &ec->own_pub);
		uint32_t tok = ec_token_of(&ec->own_pub);
		rc = token_table_insert(te->tokens, tok, hs_e(te)->id, mp);
		if (rc == 0) {
			mp->local_token = tok;
			mp->token_in_table = true;
			mp->local_key = ec_key_of(&ec->own_pub);
		}
	}
	if (rc == -ENOSPC)
		CTR_INC(hs_e(te), mptcp_token_full);
	if (rc < 0)
		OPENSSL_cleanse(&ec->kp, sizeof(ec->kp));
	return rc;
}

/* Keys (Key-A, Key-B from the x coordinates), IDSNs, our token; HMAC
 * contexts keyed with a random key until K is computed, so that nothing
 * keyed with the public Key-A/Key-B is accepted meanwhile. */
static int ec_keys(struct mptcp_meta *mp)
{
	struct hs_ec_conn *ec = &mp->ec;
	if (ec_session_init(&ec->s, &ec->own_pub, ec->peer.x) < 0)
		return -EINVAL;
	mp->local_key = ec->s.key_local;
	mp->remote_key = ec->s.key_remote;
	mptcp_meta_keys(mp);
	mp->local_token = ec->s.token_local;
	mp->remote_token = 0;
	uint64_t rnd[4];
	for (unsigned i = 0; i < 4; i++)
		rnd[i] = rte_rand();
	ec_hmac_ctx_init(&mp->hmac_local, (const uint8_t *)rnd, sizeof(rnd));
	mp->hmac_remote = mp->hmac_local;
	OPENSSL_cleanse(rnd, sizeof(rnd));
	ec->have_keys = true;
	return 0;
}

/* The connection continues with RFC 8684 keys: a fresh RFC 8684 key and
 * token in place of the EC token. */
static int to_rfc8684(struct tcp_engine *te, struct mptcp_meta *mp)
{
	if (mp->token_in_table) {
		token_table_remove(te->tokens, mp->local_token, mp);
		mp->token_in_table = false;
	}
	OPENSSL_cleanse(&mp->ec.kp, sizeof(mp->ec.kp));
	mp->hs_mode = HS_RFC8684;
	mp->ec.fell_back = true;
	int rc = token_table_alloc(te->tokens, hs_e(te)->id, mp, &mp->local_key, &mp->local_token);
	if (rc < 0) {
		if (rc == -ENOSPC)
			CTR_INC(hs_e(te), mptcp_token_full);
		return rc;
	}
	mp->token_in_table = true;
	return 0;
}

/* Refuse a connection in SYN-SENT (ec-required, bad EC option). */
static void refuse_active(struct tcb *t, int err)
{
	tcp_send_rst_conn(t);
	tcb_done(t, err);
}

/* ------------------------------------------------------------ client */

bool hs_ec_connect_init(struct tcb *t, bool *cached)
{
	struct tcp_engine *te = t->te;
	struct hs_ec_engine *he = te->ec;
	*cached = false;
	if (he == NULL) {
		/* no EC engine (tcp_engine_init fails when it cannot set one
		 * up; this is the belt to that brace): ec-required must not
		 * go RFC 8684, the connection fails on the SYN/ACK below */
		if (hs_conf_mode(te) != MPDK_KEY_EC_REQUIRED)
			return false;
		CTR_INC(te->e, ec_unavailable);
		struct mptcp_meta *mp = mptcp_meta_alloc(te, true);
		if (mp == NULL)
			return true;   /* nothing offered: never RFC 8684 */
		mp->hs_mode = HS_EC;
		mp->ec.required = true;
		mp->ec.setup_failed = true;
		struct mptcp_subflow *sf = mptcp_sf_alloc(t, mp, SF_MPC);
		if (sf == NULL) {
			mptcp_meta_unref(mp);
			return true;
		}
		sf->client = true;
		sf->initial = true;
		return true;
	}
	if (he->mode == MPDK_KEY_EC_PREFERRED && peer_cached(he, t->raddr)) {
		CTR_INC(te->e, ec_peer_cache_hit);
		*cached = true;
		return false;
	}
	struct mptcp_meta *mp = mptcp_meta_alloc(te, true);
	if (mp == NULL)
		return false;
	mp->hs_mode = HS_EC;
	mp->ec.variant = (uint8_t)he->variant;
	mp->ec.curve = (uint8_t)he->curve;
	mp->ec.required = he->mode == MPDK_KEY_EC_REQUIRED;
	if (own_key(te, mp, he->curve, false) < 0) {
		if (!mp->ec.required) {
			mptcp_meta_unref(mp);
			return false;   /* RFC 8684 then */
		}
		/* ec-required must not connect without EC: the SYN goes without
		 * MPTCP and the connection fails on the answer (-ENOMEM) */
		mp->ec.setup_failed = true;
	}
	struct mptcp_subflow *sf = mptcp_sf_alloc(t, mp, SF_MPC);
	if (sf == NULL) {
		bool required = mp->ec.required;
		mptcp_meta_unref(mp);
		return required;   /* nothing offered: never RFC 8684 */
	}
	sf->client = true;
	sf->initial = true;
	sf->csum = te->conf.mptcp.checksum;
	ec_peer_reset(&mp->ec.peer, he->curve);
	mp->ec.saved_rcv_wscale = t->rcv_wscale;
	CTR_INC(te->e, mptcp_active_open);
	CTR_INC(te->e, ec_active_open);
	return true;
}

/* An option that mptcp_opt_len() sizes 0: put_opt writes nothing (a zeroed
 * mptcp_opt is a 4-byte MP_CAPABLE SYN of version 0, not nothing). */
static void opt_none(struct mptcp_opt *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->subtype = 0xff;
}

bool hs_ec_tx_syn(struct tcb *t, bool ack, struct tcp_opts *o, struct mptcp_opt *opt)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct hs_ec_conn *ec = &mp->ec;
	unsigned step;
	uint8_t flags = MPTCP_CAP_E_EC | (sf->csum ? MPTCP_CAP_A_CHECKSUM : 0);

	if (ec->setup_failed) {
		opt_none(opt);   /* nothing: see hs_ec_connect_init */
		return true;
	}
	if (!ack) {
		if (!ec->required && t->nrtx >= HS_EC_SYN_TRIES) {
			/* EC SYNs are being dropped (a middlebox that does not
			 * like a long option?): offer RFC 8684 instead */
			CTR_INC(tcb_engine(t), ec_fallback_syn_retries);
			if (t->te->ec != NULL)
				peer_remember(t->te->ec, t->raddr);
			if (to_rfc8684(t->te, mp) < 0)
				mptcp_sf_free(t);
			return false;
		}
		step = EC_MPC_SYN;
		if (!ec->required)
			flags |= MPTCP_CAP_H_HMAC_SHA256;   /* RFC 8684 acceptable too */
	} else {
		step = EC_MPC_SYNACK;
		if (ec->variant == EC_VARIANT_DRAFT && !ec->ack_b_now) {
			/* draft Figure 1: B's x on a pure ACK of A's SYN, just
			 * before the SYN/ACK carrying B's y */
			ec->ack_b_now = true;
			tcp_send_ack(t);
			ec->ack_b_now = false;
		}
	}
	struct ec_opt_plan plan;
	if (ec_option_plan(ec->curve, ec->variant, step, o->flags & EC_SYN_WANT, &plan) == 0)
		o->flags &= ~plan.dropped;
	if (ec_mpc_build(ec->variant, step, &ec->kp, flags, opt) < 0)
		opt_none(opt);   /* put_opt writes nothing */
	return true;
}

bool hs_ec_tx_ack(struct tcb *t, uint32_t len, struct mptcp_opt *opt)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct hs_ec_conn *ec = &mp->ec;
	if (sf->kind != SF_MPC || len != 0)
		return false;
	if (!sf->client && ec->ack_b_now && t->state == TCPS_SYN_RECEIVED)
		return ec_mpc_build(ec->variant, EC_MPC_ACK_B, &ec->kp, MPTCP_CAP_E_EC, opt) == 0;
	if (sf->client && !sf->fully_established && (mp->flags & MF_ESTABLISHED) &&
	    !(mp->flags & MF_FALLBACK)) {
		/* A's last MP_CAPABLE: its y (draft) or "EC on" (compressed);
		 * the private key may be wiped already: the option needs the
		 * public point only */
		struct ec_keypair pub = { .curve = ec->own_pub.curve };
		memcpy(pub.x, ec->own_pub.x, sizeof(pub.x));
		memcpy(pub.y, ec->own_pub.y, sizeof(pub.y));
		return ec_mpc_build(ec->variant, EC_MPC_ACK_A, &pub,
				    MPTCP_CAP_E_EC | ((mp->flags & MF_CSUM) ? MPTCP_CAP_A_CHECKSUM : 0),
				    opt) == 0;
	}
	return false;
}

void hs_ec_syn_sent_ack(struct tcb *t, const struct tcp_opts *o, uint8_t thflags)
{
	struct mptcp_meta *mp = t->sf->mp;
	struct mptcp_opt opt;
	if (mp->hs_mode != HS_EC || mp->ec.variant != EC_VARIANT_DRAFT)
		return;
	if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_CAPABLE, &opt) != 0)
		return;
	if (ec_peer_absorb(&mp->ec.peer, EC_VARIANT_DRAFT, EC_MPC_ACK_B, &opt.mpc) < 0)
		CTR_INC(tcb_engine(t), ec_opt_bad);
}

/* ec-preferred, the peer ignored our EC SYN (Linux does: an MP_CAPABLE of
 * unexpected length is skipped, the answer is plain TCP): reset that
 * attempt and connect again on the same tcb with an RFC 8684 SYN. */
static void restart_rfc8684(struct tcb *t)
{
	struct tcp_engine *te = t->te;
	struct mptcp_meta *mp = t->sf->mp;
	struct mpdk_engine *e = te->e;
	/* read before mptcp_sf_free() below can free mp */
	uint8_t saved_rcv_wscale = mp->ec.saved_rcv_wscale;

	CTR_INC(e, ec_fallback_restart);
	if (te->ec != NULL)
		peer_remember(te->ec, t->raddr);
	tcp_send_rst_reply(te, t->laddr, t->lport, t->raddr, t->rport, true, t->irs, t->snd_una, 1);
	if (to_rfc8684(te, mp) < 0) {
		mptcp_sf_free(t);   /* plain TCP then; mp may be gone: not read below */
	} else {
		t->sf->csum = te->conf.mptcp.checksum;
	}
	/* a fresh SYN-SENT: new ISS (a late SYN/ACK of the first attempt
	 * is then unacceptable and reset) */
	t->iss += 0x40000000u;
	t->snd_una = t->snd_nxt = t->snd_max = t->recover = t->iss;
	t->irs = t->rcv_nxt = t->rcv_adv = 0;
	t->flags &= ~(TF_WS_OK | TF_SACK_OK | TF_TS_OK | TF_ACKNOW | TF_DELACK);
	t->rcv_wscale = saved_rcv_wscale;
	t->snd_wscale = 0;
	t->nrtx = 0;
	timer_cancel(&e->tw, &t->t_rtx);
	tcp_send_syn(t);
}

int hs_ec_synack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct hs_ec_conn *ec = &mp->ec;
	struct tcp_engine *te = t->te;
	struct mpdk_engine *e = te->e;
	struct mptcp_opt opt;
	int rc = mptcp_opt_find(t, o, thflags, MPTCP_SUB_CAPABLE, &opt);

	if (ec->setup_failed) {
		CTR_INC(e, ec_required_refused_active);
		refuse_active(t, -ENOMEM);
		return 0;
	}
	if (rc == 0 && opt.mpc.form == MPTCP_CAP_EC_SYNACK) {
		if (ec_peer_absorb(&ec->peer, ec->variant, EC_MPC_SYNACK, &opt.mpc) < 0) {
			CTR_INC(e, ec_opt_bad);
			refuse_active(t, -EPROTO);
			return 0;
		}
		if (ec->variant == EC_VARIANT_DRAFT && !ec->peer.have_x) {
			/* B's x (its pure ACK) was lost: drop this SYN/ACK;
			 * our SYN retransmits and B sends both again */
			CTR_INC(e, ec_draft_synack_no_x);
			t->snd_una = t->iss;
			return 0;
		}
		if (ec->variant == EC_VARIANT_DRAFT) {
			/* both coordinates: validate now (a few field
			 * operations); a compressed point waits for the hook */
			struct ec_point pt;
			if (te->ec == NULL || ec_peer_point(te->ec->ctx, &ec->peer, &pt) < 0) {
				CTR_INC(e, ec_point_invalid);
				refuse_active(t, -EPROTO);
				return 0;
			}
		}
		if (opt.mpc.flags & MPTCP_CAP_A_CHECKSUM)
			sf->csum = true;
		if (ec_keys(mp) < 0) {
			refuse_active(t, -EPROTO);
			return 0;
		}
		mptcp_meta_established(mp, t);
		job_queue(te, mp);
		CTR_INC(e, ec_established);
		return 1;
	}
	if (rc == 0 && opt.mpc.form == MPTCP_CAP_SYNACK) {
		/* B chose RFC 8684 (draft 4.1): Key-A is lsb_64 of our x */
		if (ec->required) {
			CTR_INC(e, ec_required_refused_active);
			refuse_active(t, -EPROTONOSUPPORT);
			return 0;
		}
		CTR_INC(e, ec_fallback_rfc8684);
		uint64_t key = ec_key_of(&ec->own_pub);
		uint32_t tok;
		uint64_t idsn;
		mptcp_key_sha(key, &tok, &idsn);
		if (mp->token_in_table) {
			token_table_remove(te->tokens, mp->local_token, mp);
			mp->token_in_table = false;
		}
		OPENSSL_cleanse(&ec->kp, sizeof(ec->kp));
		mp->hs_mode = HS_RFC8684;
		ec->fell_back = true;
		if (token_table_insert(te->tokens, tok, e->id, mp) < 0) {
			CTR_INC(e, mptcp_fallback_synack);
			mptcp_sf_free(t);
			return 1;   /* plain TCP */
		}
		mp->token_in_table = true;
		mp->local_key = key;
		mp->local_token = tok;
		return 2;   /* RFC 8684 from here (subflow.c) */
	}
	/* no MP_CAPABLE we understand: the peer does not do EC */
	if (ec->required) {
		CTR_INC(e, ec_required_refused_active);
		refuse_active(t, -EPROTONOSUPPORT);
		return 0;
	}
	restart_rfc8684(t);
	return 0;
}

/* ------------------------------------------------------------ server */

bool hs_ec_listen_syn(struct tcb *t, const struct mptcp_opt *opt)
{
	struct tcp_engine *te = t->te;
	struct hs_ec_engine *he = te->ec;
	struct mpdk_engine *e = te->e;
	bool required = hs_conf_mode(te) == MPDK_KEY_EC_REQUIRED;
	if (he == NULL)
		return !required;
	unsigned curve = opt->mpc.ec_type & MPTCP_EC_TYPE_CURVE;
	unsigned variant = ec_variant_of(&opt->mpc);
	if (curve != he->curve) {
		/* only the configured curve: no pool (and no inline key
		 * generation per SYN) for a curve the client picks. ec-required
		 * answers with a RST, ec-preferred as plain TCP (an ec-preferred
		 * client then restarts with RFC 8684; docs/security.md) */
		CTR_INC(e, ec_curve_refused);
		if (required)
			CTR_INC(e, ec_required_refused_passive);
		return !required;
	}
	struct mptcp_meta *mp = mptcp_meta_alloc(te, false);
	if (mp == NULL)
		return !required;
	mp->hs_mode = HS_EC;
	mp->ec.variant = (uint8_t)variant;
	mp->ec.curve = (uint8_t)curve;
	mp->ec.required = required;
	ec_peer_reset(&mp->ec.peer, EC_CURVE_ANY);
	if (ec_peer_absorb(&mp->ec.peer, variant, EC_MPC_SYN, &opt->mpc) < 0) {
		CTR_INC(e, ec_opt_bad);
		mptcp_meta_unref(mp);
		return !required;
	}
	if (own_key(te, mp, curve, true) < 0) {
		mptcp_meta_unref(mp);
		return !required;
	}
	struct mptcp_subflow *sf = mptcp_sf_alloc(t, mp, SF_MPC);
	if (sf == NULL) {
		mptcp_meta_unref(mp);
		return !required;
	}
	sf->initial = true;
	sf->csum = te->conf.mptcp.checksum || (opt->mpc.flags & MPTCP_CAP_A_CHECKSUM);
	if (ec_session_init(&mp->ec.s, &mp->ec.own_pub, mp->ec.peer.x) < 0) {
		mptcp_sf_free(t);
		return !required;
	}
	/* What our SYN/ACK can carry beside the EC option (Table 1): what
	 * it leaves out is not in use on this connection. */
	uint32_t want = TCP_OPT_F_MSS | ((t->flags & TF_SACK_OK) ? TCP_OPT_F_SACK_PERM : 0) |
			((t->flags & TF_TS_OK) ? TCP_OPT_F_TS : 0) |
			((t->flags & TF_WS_OK) ? TCP_OPT_F_WSCALE : 0);
	struct ec_opt_plan plan;
	if (ec_option_plan(curve, variant, EC_MPC_SYNACK, want, &plan) == 0) {
		if (plan.dropped & TCP_OPT_F_SACK_PERM)
			t->flags &= ~TF_SACK_OK;
		if (plan.dropped & TCP_OPT_F_WSCALE) {
			t->flags &= ~TF_WS_OK;
			t->snd_wscale = 0;
			t->rcv_wscale = 0;
		}
		if (plan.dropped & TCP_OPT_F_TS) {
			t->flags &= ~TF_TS_OK;
			t->mss = t->mss_base;
			t->cc.c.mss = t->mss;
			t->sb.mss = t->mss;
		}
	}
	CTR_INC(e, mptcp_passive_open);
	CTR_INC(e, ec_passive_open);
	return true;
}

int hs_ec_third_ack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct hs_ec_conn *ec = &mp->ec;
	struct tcp_engine *te = t->te;
	struct mpdk_engine *e = te->e;
	struct mptcp_opt opt;
	int rc = mptcp_opt_find(t, o, thflags, MPTCP_SUB_CAPABLE, &opt);

	if (rc == 0 && (opt.mpc.form == MPTCP_CAP_EC_ACK || opt.mpc.form == MPTCP_CAP_EC_ACK_CONFIRM)) {
		if (ec_peer_absorb(&ec->peer, ec->variant, EC_MPC_ACK_A, &opt.mpc) < 0) {
			CTR_INC(e, ec_opt_bad);
			mptcp_sf_reset(t, MPTCP_RST_EMPTCP);
			return 0;
		}
		if (ec->variant == EC_VARIANT_DRAFT) {
			struct ec_point pt;
			if (te->ec == NULL || ec_peer_point(te->ec->ctx, &ec->peer, &pt) < 0) {
				CTR_INC(e, ec_point_invalid);
				mptcp_sf_reset(t, MPTCP_RST_EMPTCP);
				return 0;
			}
		}
	} else if (has_subtype(o, MPTCP_SUB_DSS)) {
		/* our SYN/ACK's answer was lost but A sends MPTCP data: it
		 * took the EC mode. The draft's A.y came with that ACK. */
		if (ec->variant == EC_VARIANT_DRAFT && !ec->peer.have_y) {
			ec->incomplete = true;
			CTR_INC(e, ec_incomplete);
		}
	} else {
		if (ec->required) {
			CTR_INC(e, ec_required_refused_passive);
			mptcp_sf_reset(t, MPTCP_RST_EPROHIBIT);
			return 0;
		}
		CTR_INC(e, mptcp_fallback_ack);
		mptcp_sf_free(t);
		return 1;
	}
	if (ec_keys(mp) < 0) {
		mptcp_sf_reset(t, MPTCP_RST_EMPTCP);
		return 0;
	}
	mptcp_meta_established(mp, t);
	sf->fully_established = true;
	if (!ec->incomplete)
		job_queue(te, mp);
	CTR_INC(e, ec_established);
	return 1;
}

/* ------------------------------------------------------------ joins */

bool hs_ec_join_precheck(struct tcp_engine *te, const struct mptcp_opt_join *j)
{
	struct mpdk_engine *e = te->e;
	struct token_entry ent;
	if (j->form == MPTCP_JOIN_SYN_EC)
		CTR_INC(e, ec_join_syn_rx);
	if (token_table_lookup(te->tokens, j->token, &ent) != 0 || ent.home != e->id)
		return false;   /* unknown: mptcp_join_syn answers as RFC 8684 says */
	struct mptcp_meta *mp = ent.conn;
	if (mp->hs_mode != HS_EC)
		return false;
	if (j->form != MPTCP_JOIN_SYN_EC) {
		/* an RFC 8684 join (HMAC keyed with the public Key-A/B) */
		CTR_INC(e, ec_join_not_ec);
		return true;
	}
	if (!(mp->flags & MF_ESTABLISHED) || (mp->flags & (MF_DONE | MF_FALLBACK)))
		return false;
	struct hs_ec_conn *ec = &mp->ec;
	if (!ec->s.k_ready) {
		/* never ECDH here: the hook computes K, the peer retransmits;
		 * if the job was never queued (queue full), queue it now */
		if (!ec->job_queued && k_owed(mp))
			job_queue(te, mp);
		CTR_INC(e, ec_join_k_not_ready);
		return true;
	}
	if (!ec_hmac_token_ok(&ec->s.k, j->token, j->addr_id, j->nonce, j->hmac_token)) {
		CTR_INC(e, ec_join_hmac_token_fail);
		return true;
	}
	struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link)
		if (sf->remote_id == j->addr_id) {
			CTR_INC(e, ec_join_id_in_use);
			return true;
		}
	for (unsigned i = 0; i < ec->n_seen; i++)
		if (ec->seen[i].id == j->addr_id && ec->seen[i].r_a == j->nonce) {
			CTR_INC(e, ec_join_replay);
			return true;
		}
	return false;
}

void hs_ec_join_accepted(struct mptcp_meta *mp, const struct mptcp_opt_join *j)
{
	struct hs_ec_conn *ec = &mp->ec;
	unsigned i = ec->n_seen < HS_EC_SEEN_MAX ? ec->n_seen++ : (unsigned)(rte_rand() % HS_EC_SEEN_MAX);
	ec->seen[i].id = j->addr_id;
	ec->seen[i].r_a = j->nonce;
}

bool hs_ec_need_k(struct mptcp_meta *mp)
{
	struct hs_ec_conn *ec = &mp->ec;
	if (ec->s.k_ready)
		return true;
	/* queued or not (the queue may have been full): owed is enough */
	if (mp->te->ec != NULL && k_owed(mp)) {
		CTR_INC(hs_e(mp->te), ec_k_inline);
		ec_complete(mp->te, mp);   /* a queue entry is skipped later */
	}
	return ec->s.k_ready;
}

void hs_ec_join_syn_opt(struct mptcp_meta *mp, struct mptcp_subflow *sf, struct mptcp_opt *opt)
{
	struct hs_ec_conn *ec = &mp->ec;
	hs_ec_need_k(mp);
	opt->mpj.form = MPTCP_JOIN_SYN_EC;
	opt->mpj.token = ec->s.token_remote;
	opt->mpj.hmac_token = ec->s.k_ready ? ec_hmac_token(&ec->s.k, ec->s.token_remote,
							     sf->local_id, sf->local_nonce)
					    : 0;
}

uint64_t hs_ec_auth_b(struct mptcp_meta *mp, uint32_t r_b, uint32_t r_a)
{
	return ec_auth_b(&mp->ec.s.k, r_b, r_a);
}

bool hs_ec_auth_b_ok(struct mptcp_meta *mp, uint32_t r_b, uint32_t r_a, uint64_t thmac)
{
	bool ok = mp->ec.s.k_ready && ec_auth_b_ok(&mp->ec.s.k, r_b, r_a, thmac);
	if (!ok)
		CTR_INC(hs_e(mp->te), ec_join_auth_fail);
	return ok;
}

void hs_ec_auth_a(struct mptcp_meta *mp, uint32_t r_a, uint32_t r_b, uint8_t *out)
{
	uint8_t h[MPTCP_HMAC_LEN];
	ec_auth_a(&mp->ec.s.k, r_a, r_b, h);
	memcpy(out, h, MPTCP_JOIN_ACK_HMAC_LEN);
}

bool hs_ec_auth_a_ok(struct mptcp_meta *mp, uint32_t r_a, uint32_t r_b, const uint8_t *hmac)
{
	bool ok = mp->ec.s.k_ready && ec_auth_a_ok(&mp->ec.s.k, r_a, r_b, hmac);
	if (!ok)
		CTR_INC(hs_e(mp->te), ec_join_auth_fail);
	return ok;
}

void hs_ec_conn_wipe(struct hs_ec_conn *c)
{
	OPENSSL_cleanse(&c->kp, sizeof(c->kp));
	ec_session_wipe(&c->s);
}

void hs_meta_wipe(struct mptcp_meta *mp)
{
	hs_ec_conn_wipe(&mp->ec);
	OPENSSL_cleanse(mp, sizeof(*mp));
}

/* ------------------------------------------------------------ API */

int mpdk_mptcp_key_info(mpdk_conn_t c, struct mpdk_mptcp_key_info *out)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (out == NULL || t->state == TCPS_LISTEN)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->conf_mode = (uint8_t)t->te->conf.mptcp.key_mode;
	out->mode = out->conf_mode;
	out->ec_curve = -1;
	struct mptcp_meta *mp = t->mp != NULL ? t->mp : (t->sf != NULL ? t->sf->mp : NULL);
	if (mp == NULL)
		return 0;
	out->mptcp = (mp->flags & MF_ESTABLISHED) && !(mp->flags & MF_FALLBACK);
	out->fell_back = mp->ec.fell_back;
	out->peer_cached = mp->ec.peer_cached;
	if (mp->hs_mode == HS_EC) {
		out->ec = true;
		out->k_ready = mp->ec.s.k_ready;
		out->ec_variant = mp->ec.variant == EC_VARIANT_DRAFT ? MPDK_EC_DRAFT : MPDK_EC_COMPRESSED;
		out->ec_curve = mp->ec.curve;
		out->ec_curve_name = mpdk_ec_curve_name(mp->ec.curve);
		/* the mode in use: EC as configured */
		out->mode = out->conf_mode == MPDK_KEY_EC_REQUIRED ? MPDK_KEY_EC_REQUIRED
								   : MPDK_KEY_EC_PREFERRED;
	} else if (mp->hs_mode == HS_RFC8684) {
		out->mode = MPDK_KEY_RFC8684;
	} else {
		out->mode = MPDK_KEY_APP;
	}
	return 0;
}
