/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The path manager, configured like Linux's in-kernel one (`ip mptcp
 * endpoint` / `ip mptcp limits`): local endpoints with the flags
 * `subflow` (open a subflow from this address once the connection is up),
 * `signal` (announce it with ADD_ADDR, RFC 8684 §3.4.1) and `backup`;
 * limits on extra subflows and on accepted ADD_ADDRs. Announced addresses
 * are echoed (§3.4.1) and, within the limits, joined (§3.2). REMOVE_ADDR
 * (§3.4.2) closes the subflows of the removed address.
 *
 * Address ids: 0 is the initial subflow's local address (§3.4.1); an
 * endpoint's id is its configured one or its position + 1.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <rte_random.h>
#include <rte_byteorder.h>
#include "mptcp/mptcp_int.h"
#include "mptcp/mptcp_tcp.h"
#include "net/ipv4.h"
#include "net/route.h"
#include "core/log.h"

static const struct mpdk_mptcp_conf *pm_conf(const struct mptcp_meta *mp)
{
	return &mp->te->conf.mptcp;
}

/* An endpoint taken away with mpdk_mptcp_endpoint_del(): kept in the
 * table (its address id still names it) but no longer announced or used. */
#define EP_REMOVED 0x80

static uint32_t initial_laddr(const struct mptcp_meta *mp)
{
	const struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link)
		if (sf->initial)
			return sf->t->laddr;
	return mp->anchor ? mp->anchor->laddr : 0;
}

uint8_t mptcp_pm_local_id(struct mptcp_meta *mp, uint32_t laddr, bool *backup)
{
	const struct mpdk_mptcp_conf *c = pm_conf(mp);
	*backup = false;
	for (unsigned i = 0; i < c->n_endpoints; i++) {
		if (c->endpoints[i].addr != laddr)
			continue;
		*backup = (c->endpoints[i].flags & MPDK_MPTCP_EP_BACKUP) != 0;
		if (laddr == initial_laddr(mp))
			return 0;
		return c->endpoints[i].id ? c->endpoints[i].id : (uint8_t)(i + 1);
	}
	if (laddr == initial_laddr(mp))
		return 0;
	/* not an endpoint: every local address is one, with an id from its
	 * place among the stack's addresses */
	const struct mpdk_stack *s = mp->te->e->stack;
	uint8_t id = 1;
	for (uint16_t p = 0; p < s->n_ifaces; p++)
		for (uint16_t a = 0; a < s->ifaces[p].n_addrs; a++, id++)
			if (s->ifaces[p].addrs[a] == laddr)
				return (uint8_t)(id + MPDK_MPTCP_MAX_ENDPOINTS);
	return 255;
}

int mptcp_pm_join_connect(struct mptcp_meta *mp, uint32_t laddr, uint32_t raddr, uint16_t rport,
			  uint8_t remote_id, bool backup)
{
	struct tcp_engine *te = mp->te;
	struct mpdk_engine *e = te->e;
	struct route_result rr;
	uint16_t ifc;

	if (mp->joins_opened >= pm_conf(mp)->max_subflows || (mp->flags & (MF_DONE | MF_FALLBACK)))
		return -ENOSPC;
	if (mp->hs_mode == HS_APP && !mp->app.keys_set) {
		CTR_INC(e, mptcp_app_join_nokeys_tx);   /* no keys for the HMACs yet */
		return -EAGAIN;
	}
	if (laddr == 0) {
		if (route_lookup(&e->stack->routes, raddr, 0, &rr) < 0)
			return -MPDK_ENOROUTE;
		laddr = rr.src;
	} else if (!ipv4_is_local(e, laddr, &ifc)) {
		return -EADDRNOTAVAIL;
	}
	/* one subflow per address pair */
	struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link)
		if (sf->t->laddr == laddr && sf->t->raddr == raddr && sf->t->rport == rport)
			return -EEXIST;
	uint16_t sport = tcp_ephemeral_port(te, laddr, raddr, rport);
	if (sport == 0)
		return -EADDRNOTAVAIL;
	struct tcb *t = tcb_alloc(te);
	if (t == NULL)
		return -ENOMEM;
	engine_refresh_now(e);
	tcb_init_conn(t, laddr, sport, raddr, rport);
	if (tcp_demux_insert(t) < 0) {
		tcb_free(t);
		return -ENOMEM;
	}
	t->state = TCPS_SYN_SENT;
	sf = mptcp_sf_alloc(t, mp, SF_JOIN);
	if (sf == NULL) {
		tcb_free(t);
		return -ENOMEM;
	}
	mp->joins_opened++;
	sf->client = true;
	sf->remote_id = remote_id;
	sf->local_nonce = (uint32_t)rte_rand();
	sf->local_id = mptcp_pm_local_id(mp, laddr, &sf->backup);
	sf->backup = sf->backup || backup;
	CTR_INC(e, mptcp_join_tx);
	tcp_send_syn(t);
	return 0;
}

/* Queue the next `signal` endpoint for announcement. */
static void pm_signal_next(struct mptcp_meta *mp)
{
	const struct mpdk_mptcp_conf *c = pm_conf(mp);
	uint32_t init = initial_laddr(mp);
	while (mp->signal_next < c->n_endpoints) {
		const struct mpdk_mptcp_endpoint *ep = &c->endpoints[mp->signal_next++];
		if (!(ep->flags & MPDK_MPTCP_EP_SIGNAL) || (ep->flags & EP_REMOVED) || ep->addr == init)
			continue;
		bool b;
		memset(&mp->add_addr, 0, sizeof(mp->add_addr));
		mp->add_addr.family = MPTCP_ADDR_IPV4;
		mp->add_addr.addr.v4 = ep->addr;
		mp->add_addr.addr_id = mptcp_pm_local_id(mp, ep->addr, &b);
		mp->add_addr_pending = true;
		mptcp_meta_schedule(mp);
		return;
	}
}

void mptcp_pm_established(struct mptcp_meta *mp)
{
	const struct mpdk_mptcp_conf *c = pm_conf(mp);
	struct tcb *a = mp->anchor;
	if (a == NULL)
		return;
	if (mp->hs_mode == HS_APP && !hs_app_pm_ready(mp))
		return;   /* again when the application sets the keys (hs_app.c) */
	pm_signal_next(mp);
	if (!mp->client)
		return;
	/* `subflow` endpoints: join from each to the peer's address */
	for (unsigned i = 0; i < c->n_endpoints; i++) {
		const struct mpdk_mptcp_endpoint *ep = &c->endpoints[i];
		if (!(ep->flags & MPDK_MPTCP_EP_SUBFLOW) || (ep->flags & EP_REMOVED) ||
		    ep->addr == a->laddr)
			continue;
		if (mp->flags & MF_PEER_C) {
			/* §3.1: the peer set C, it takes no subflows to the
			 * address and port of the initial one; only to those it
			 * announces (ADD_ADDR) */
			CTR_INC(mp->te->e, mptcp_join_peer_c_skipped);
			continue;
		}
		mptcp_pm_join_connect(mp, ep->addr, a->raddr, a->rport, 0,
				      (ep->flags & MPDK_MPTCP_EP_BACKUP) != 0);
	}
}

void mptcp_pm_add_addr_rcvd(struct mptcp_meta *mp, struct tcb *t, const struct mptcp_opt_add_addr *a)
{
	struct mpdk_engine *e = mp->te->e;
	if (a->echo) {
		CTR_INC(e, mptcp_add_addr_echo_rx);
		pm_signal_next(mp);
		return;
	}
	if (mp->hs_mode == HS_APP && !mp->app.keys_set) {
		hs_app_add_addr_hold(mp, a);   /* checked when the keys are set */
		return;
	}
	/* §3.4.1: HMAC with the sender's key first */
	if (mptcp_add_addr_hmac_ctx(&mp->hmac_remote, a) != a->hmac) {
		CTR_INC(e, mptcp_add_addr_hmac_fail);
		return;
	}
	CTR_INC(e, mptcp_add_addr_rx);
	mp->add_addr_echo = *a;
	mp->add_addr_echo_pending = true;
	t->flags |= TF_ACKNOW;
	mptcp_meta_schedule(mp);
	if (a->family != MPTCP_ADDR_IPV4)
		return;
	for (unsigned i = 0; i < mp->n_raddr; i++)
		if (mp->raddr[i].id == a->addr_id || mp->raddr[i].addr == a->addr.v4) {
			CTR_INC(e, mptcp_add_addr_ignored);
			return;
		}
	if (mp->add_addr_accepted >= pm_conf(mp)->max_add_addr || mp->n_raddr >= MPTCP_PM_MAX_ADDRS) {
		CTR_INC(e, mptcp_add_addr_ignored);
		return;
	}
	struct mptcp_raddr *r = &mp->raddr[mp->n_raddr++];
	r->addr = a->addr.v4;
	r->port = a->has_port ? rte_cpu_to_be_16(a->port) : t->rport;
	r->id = a->addr_id;
	mp->add_addr_accepted++;
	/* join it from the local address the route picks */
	r->joined = mptcp_pm_join_connect(mp, 0, r->addr, r->port, r->id, false) == 0;
}

void mptcp_pm_rm_addr_rcvd(struct mptcp_meta *mp, const struct mptcp_opt_remove_addr *rm)
{
	for (unsigned i = 0; i < rm->n_ids; i++) {
		struct mptcp_subflow *sf, *nx;
		TAILQ_FOREACH_SAFE(sf, &mp->sfs, link, nx) {
			if (sf->remote_id != rm->ids[i] || sf->initial)
				continue;
			struct tcb *t = sf->t;
			mptcp_meta_detach(sf, 0);
			if (t->state == TCPS_ESTABLISHED || t->state == TCPS_CLOSE_WAIT)
				tcb_queue_fin(t);
		}
		for (unsigned k = 0; k < mp->n_raddr; k++)
			if (mp->raddr[k].id == rm->ids[i]) {
				mp->raddr[k] = mp->raddr[--mp->n_raddr];
				break;
			}
	}
}

void mptcp_pm_tick(struct mptcp_meta *mp)
{
	(void)mp;
}

bool mptcp_pm_is_initial_local(const struct mptcp_meta *mp, uint32_t laddr, uint16_t lport)
{
	const struct mptcp_subflow *sf;
	TAILQ_FOREACH(sf, &mp->sfs, link)
		if (sf->initial)
			return sf->t->laddr == laddr && sf->t->lport == lport;
	return mp->anchor != NULL && mp->anchor->laddr == laddr && mp->anchor->lport == lport;
}

/*
 * Local address @addr stops being an endpoint (§3.4.2): when this
 * connection announced it or has subflows from it, REMOVE_ADDR with its
 * address id goes to the peer and those subflows close (FIN; their data is
 * reinjected on the others). Subflows are kept when none would be left.
 * @return true when REMOVE_ADDR was queued.
 */
static bool pm_endpoint_removed(struct mptcp_meta *mp, uint32_t addr, int ep_idx)
{
	const struct mpdk_mptcp_conf *c = pm_conf(mp);
	struct mptcp_subflow *sf, *nx;
	unsigned users = 0, others = 0;

	if (!(mp->flags & MF_ESTABLISHED) || (mp->flags & (MF_DONE | MF_FALLBACK)))
		return false;
	TAILQ_FOREACH(sf, &mp->sfs, link) {
		if (sf->t->laddr == addr)
			users++;
		else
			others++;
	}
	bool announced = ep_idx >= 0 && (c->endpoints[ep_idx].flags & MPDK_MPTCP_EP_SIGNAL) &&
			 ep_idx < mp->signal_next;
	if (!announced && users == 0)
		return false;
	if (users > 0 && others == 0)
		return false;   /* the connection would have no path left */
	bool b;
	uint8_t id = mptcp_pm_local_id(mp, addr, &b);
	if (announced && mp->add_addr_pending && mp->add_addr.addr.v4 == addr) {
		/* not sent yet: just do not */
		mp->add_addr_pending = false;
		pm_signal_next(mp);
	}
	TAILQ_FOREACH_SAFE(sf, &mp->sfs, link, nx) {
		if (sf->t->laddr != addr)
			continue;
		struct tcb *t = sf->t;
		CTR_INC(mp->te->e, mptcp_endpoint_removed);
		mptcp_meta_detach(sf, 0);
		if (t->state == TCPS_ESTABLISHED || t->state == TCPS_CLOSE_WAIT)
			tcb_queue_fin(t);
	}
	mp->rm_id_pending = id;
	mp->rm_pending = true;
	mptcp_meta_schedule(mp);
	return true;
}

int mpdk_mptcp_endpoint_del(struct mpdk_engine *e, uint32_t addr)
{
	uint16_t ifc;
	if (e == NULL || tcp_te(e) == NULL)
		return -EINVAL;
	struct tcp_engine *te = tcp_te(e);
	if (te->conf.mptcp.disabled)
		return -EINVAL;
	if (!ipv4_is_local(e, addr, &ifc))
		return -ENOENT;
	struct mpdk_mptcp_conf *c = &te->conf.mptcp;
	int ep_idx = -1;
	for (unsigned i = 0; i < c->n_endpoints; i++)
		if (c->endpoints[i].addr == addr) {
			ep_idx = (int)i;
			c->endpoints[i].flags |= EP_REMOVED;
		}
	int n = 0;
	for (uint32_t i = 0, seen = 0; i < te->n_tcbs && seen < te->n_used; i++) {
		struct tcb *t = &te->tcbs[i];
		if (!t->in_use)
			continue;
		seen++;
		/* each connection once: through the handle's tcb */
		if (t->mp == NULL || t->mp->anchor != t)
			continue;
		if (pm_endpoint_removed(t->mp, addr, ep_idx))
			n++;
	}
	return n;
}
