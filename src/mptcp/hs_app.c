/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Application-supplied keys: the MP_CAPABLE handshake with tokens (flag G)
 * and mpdk_mptcp_set_keys(). See hs_app.h and docs/security.md
 * ("Application-supplied keys") for the wire format and the choices made.
 */
#include <errno.h>
#include <string.h>
#include "mpdk/mpdk_mptcp.h"
#include "mpdk/mpdk_tcp.h"
#include "mptcp/mptcp_int.h"
#include "mptcp/mptcp_tcp.h"
#include "mptcp/hs_app.h"
#include "mptcp/token.h"
#include "core/log.h"

static inline struct mpdk_engine *hs_engine(const struct tcb *t) { return t->te->e; }

bool hs_app_conf(const struct tcp_engine *te)
{
	return te->conf.mptcp.key_mode == MPDK_KEY_APP;
}

/* A meta in this mode with a fresh token in the table and the initial
 * subflow on @t. The local key the table draws stays a secret of this
 * host until the application's keys replace it: it never goes on the wire
 * (MP_CAPABLE carries tokens), so an MP_FASTCLOSE cannot match it. */
static struct mptcp_subflow *app_meta_new(struct tcb *t, bool client)
{
	struct tcp_engine *te = t->te;
	struct mptcp_meta *mp = mptcp_meta_alloc(te, client);
	if (mp == NULL)
		return NULL;
	int rc = token_table_alloc(te->tokens, te->e->id, mp, &mp->local_key, &mp->local_token);
	if (rc < 0) {
		if (rc == -ENOSPC)
			CTR_INC(te->e, mptcp_token_full);
		mptcp_meta_unref(mp);
		return NULL;
	}
	mp->token_in_table = true;
	mp->hs_mode = HS_APP;
	struct mptcp_subflow *sf = mptcp_sf_alloc(t, mp, SF_MPC);
	if (sf == NULL) {
		mptcp_meta_unref(mp);
		return NULL;
	}
	sf->initial = true;
	return sf;
}

void hs_app_connect_init(struct tcb *t)
{
	struct tcp_engine *te = t->te;
	struct mptcp_subflow *sf = app_meta_new(t, true);
	if (sf == NULL)
		return;
	sf->client = true;
	sf->csum = te->conf.mptcp.checksum;
	CTR_INC(te->e, mptcp_active_open);
}

void hs_app_listen_syn(struct tcb *t, const struct tcp_opts *o, uint8_t thflags)
{
	struct tcp_engine *te = t->te;
	struct mptcp_opt opt;
	if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_CAPABLE, &opt) != 0)
		return;   /* not MPTCP v1: plain TCP (§3.1) */
	if (opt.mpc.form != MPTCP_CAP_APP_SYN &&
	    !(opt.mpc.form == MPTCP_CAP_SYN && (opt.mpc.flags & MPTCP_CAP_G_APP_KEYS))) {
		/* an RFC 8684 (or EC) offer: this stack only does app keys */
		CTR_INC(te->e, mptcp_app_not_offered);
		return;
	}
	struct mptcp_subflow *sf = app_meta_new(t, false);
	if (sf == NULL)
		return;
	/* §3.3.1: checksums when either side asks for them */
	sf->csum = te->conf.mptcp.checksum || (opt.mpc.flags & MPTCP_CAP_A_CHECKSUM);
	CTR_INC(te->e, mptcp_passive_open);
}

/* IDSN-A = lsb_64(SHA-256(Token-A || Token-B)), IDSN-B with the tokens
 * swapped: both known once the third ACK is through, never derived from
 * the keys (which come later), and no two directions alike. */
static void app_sequence_spaces(struct mptcp_meta *mp)
{
	mp->app.idsn_local = mptcp_key_idsn((uint64_t)mp->local_token << 32 | mp->remote_token);
	mp->app.idsn_remote = mptcp_key_idsn((uint64_t)mp->remote_token << 32 | mp->local_token);
	mp->snd_una = mp->snd_nxt = mp->write_seq = mp->app.idsn_local + 1;
	mp->rcv_nxt = mp->app.idsn_remote + 1;
}

/* Both roles, the peer's G answer in hand: its token, checksums, the
 * sequence spaces (of the app keys if already set), established. */
static void app_established(struct tcb *t, const struct mptcp_opt_capable *c)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	mp->remote_token = c->snd_token;
	if (c->flags & MPTCP_CAP_A_CHECKSUM)
		sf->csum = true;
	app_sequence_spaces(mp);
	CTR_INC(hs_engine(t), mptcp_app_established);
	mptcp_meta_established(mp, t);
}

bool hs_app_synack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags)
{
	struct mpdk_engine *e = hs_engine(t);
	struct mptcp_opt opt;

	if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_CAPABLE, &opt) != 0 ||
	    opt.mpc.form != MPTCP_CAP_APP_SYNACK) {
		/* §3.7: no MP_CAPABLE, or the peer did not take G: plain TCP
		 * (our key mode does not allow keys in clear) */
		CTR_INC(e, mptcp_fallback_synack);
		CTR_INC(e, mptcp_app_not_offered);
		mptcp_sf_free(t);
		return true;
	}
	app_established(t, &opt.mpc);
	return true;
}

bool hs_app_third_ack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags,
			   struct mptcp_opt_capable *c)
{
	struct mptcp_subflow *sf = t->sf;
	struct mptcp_meta *mp = sf->mp;
	struct mpdk_engine *e = hs_engine(t);
	struct mptcp_opt opt;

	if (mptcp_opt_find(t, o, thflags, MPTCP_SUB_CAPABLE, &opt) != 0 ||
	    (opt.mpc.form != MPTCP_CAP_APP_ACK && opt.mpc.form != MPTCP_CAP_APP_ACK_DATA)) {
		CTR_INC(e, mptcp_fallback_ack);
		mptcp_sf_free(t);
		return false;
	}
	if (opt.mpc.rcv_token != mp->local_token) {
		/* not the token we gave: not our handshake */
		CTR_INC(e, mptcp_key_mismatch);
		mptcp_sf_free(t);
		return false;
	}
	app_established(t, &opt.mpc);
	sf->fully_established = true;
	*c = opt.mpc;
	return true;
}

void hs_app_tx_mpc(const struct mptcp_meta *mp, struct mptcp_opt *opt)
{
	struct mptcp_opt_capable *c = &opt->mpc;
	/* G replaces H; A and C (RFC 8684 section 3.1: no new subflows to
	 * the initial address, set with deny_join_initial) stay */
	c->flags = (uint8_t)(MPTCP_CAP_G_APP_KEYS |
			     (c->flags & (MPTCP_CAP_A_CHECKSUM | MPTCP_CAP_C_NO_NEW_SUBFLOW)));
	c->snd_key = c->rcv_key = 0;
	switch (c->form) {
	case MPTCP_CAP_SYN:
		c->form = MPTCP_CAP_APP_SYN;
		break;
	case MPTCP_CAP_SYNACK:
		c->form = MPTCP_CAP_APP_SYNACK;
		c->snd_token = mp->local_token;
		break;
	case MPTCP_CAP_ACK:
	case MPTCP_CAP_ACK_DATA:
		c->form = c->form == MPTCP_CAP_ACK ? MPTCP_CAP_APP_ACK : MPTCP_CAP_APP_ACK_DATA;
		c->snd_token = mp->local_token;
		c->rcv_token = mp->remote_token;
		break;
	default:
		break;
	}
}

bool hs_app_join_ok(struct mptcp_meta *mp)
{
	if (mp->app.keys_set)
		return true;
	CTR_INC(mp->te->e, mptcp_app_join_nokeys);
	return false;
}

bool hs_app_pm_ready(struct mptcp_meta *mp)
{
	if (mp->app.keys_set)
		return true;
	mp->app.pm_deferred = true;
	return false;
}

void hs_app_add_addr_hold(struct mptcp_meta *mp, const struct mptcp_opt_add_addr *a)
{
	struct hs_app_conn *c = &mp->app;
	struct mpdk_engine *e = mp->te->e;
	if (c->n_held >= HS_APP_HELD_MAX) {
		CTR_INC(e, mptcp_app_add_addr_dropped);
		return;
	}
	CTR_INC(e, mptcp_app_add_addr_nokeys);
	c->held[c->n_held].addr_id = a->addr_id;
	c->held[c->n_held].family = a->family;
	c->held[c->n_held].has_port = a->has_port;
	c->held[c->n_held].port = a->port;
	c->held[c->n_held].v4 = a->family == MPTCP_ADDR_IPV4 ? a->addr.v4 : 0;
	if (a->family == MPTCP_ADDR_IPV6)
		memcpy(c->held[c->n_held].v6, a->addr.v6, 16);
	c->held[c->n_held].hmac = a->hmac;
	c->n_held++;
}

/* The keys are set: the held ADD_ADDRs go through the path manager now
 * (HMAC check, echo, join), as if they had just arrived on the anchor. */
static void release_held(struct mptcp_meta *mp)
{
	struct hs_app_conn *c = &mp->app;
	uint8_t n = c->n_held;
	c->n_held = 0;
	for (uint8_t i = 0; i < n; i++) {
		struct tcb *t = mp->anchor;
		if (t == NULL || (mp->flags & MF_DONE))
			return;
		struct mptcp_opt_add_addr a;
		memset(&a, 0, sizeof(a));
		a.addr_id = c->held[i].addr_id;
		a.family = c->held[i].family;
		a.has_port = c->held[i].has_port;
		a.port = c->held[i].port;
		if (a.family == MPTCP_ADDR_IPV4)
			a.addr.v4 = c->held[i].v4;
		else
			memcpy(a.addr.v6, c->held[i].v6, 16);
		a.hmac = c->held[i].hmac;
		mptcp_pm_add_addr_rcvd(mp, t, &a);
	}
}

uint64_t hs_app_remote_idsn(const struct mptcp_meta *mp)
{
	return mp->app.idsn_remote;
}

void hs_app_info(const struct mptcp_meta *mp, struct mpdk_conn_info *i)
{
	i->bytes_out = mp->snd_una - (mp->app.idsn_local + 1);
	i->bytes_in = mp->rcv_nxt - (mp->app.idsn_remote + 1) - ((mp->flags & MF_RCVD_FIN) ? 1 : 0);
	i->mptcp_local_key = mp->app.keys_set ? mp->local_key : 0;
}

int mpdk_mptcp_set_keys(mpdk_conn_t c, uint64_t key_a, uint64_t key_b)
{
	struct tcb *t = tcb_from_handle(c);
	if (t == NULL)
		return -EBADF;
	if (t->state == TCPS_LISTEN || key_a == 0 || key_b == 0 || key_a == key_b)
		return -EINVAL;
	struct mptcp_meta *mp = t->mp;
	if (mp == NULL) {
		/* the MP_CAPABLE handshake is still running, or this is plain TCP */
		if (t->sf != NULL && t->sf->mp->hs_mode == HS_APP)
			return -ENOTCONN;
		return -EOPNOTSUPP;
	}
	if (mp->hs_mode != HS_APP || (mp->flags & MF_FALLBACK))
		return -EOPNOTSUPP;
	if (mp->flags & MF_DONE)
		return -ENOTCONN;
	if (mp->app.keys_set)
		return -EALREADY;
	/* Key-A is the key of the host that opened the connection (the
	 * MP_CAPABLE initiator), Key-B the other's: RFC 8684's roles */
	mp->local_key = mp->client ? key_a : key_b;
	mp->remote_key = mp->client ? key_b : key_a;
	mptcp_hmac_ctx_init(&mp->hmac_local, mp->local_key, mp->remote_key);
	mptcp_hmac_ctx_init(&mp->hmac_remote, mp->remote_key, mp->local_key);
	mp->app.keys_set = true;
	CTR_INC(mp->te->e, mptcp_app_keys_set);
	if (mp->app.pm_deferred) {
		mp->app.pm_deferred = false;
		mptcp_pm_established(mp);
	}
	release_held(mp);
	return 0;
}
