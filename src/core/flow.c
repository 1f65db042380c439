/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-engine rte_flow rules for 4-tuples with a redirect entry (flow.h).
 *
 * A slot per 4-tuple, found through an rte_hash (its key position is the
 * slot index). A slot's state:
 *   WANT  a rule to create (queued)
 *   ON    the rule exists (not queued)
 *   DEL   the rule is to be destroyed (queued); readd: then create it
 *         again, for readd_iface/readd_queue (the entry was set again
 *         meanwhile)
 * A slot is in the FIFO of requests at most once (queued); a slot freed
 * while queued keeps its FIFO place, and the pop skips (or, if the index
 * was reused meanwhile, serves) it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "core/engine.h"
#include "core/flow.h"
#include "core/log.h"
#include "drivers/port.h"

enum { FS_FREE, FS_WANT, FS_ON, FS_DEL };

struct flow_key {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
} __rte_packed;

struct flow_slot {
	struct flow_key k;
	void *rule;
	uint64_t t_req;        /* engine time the request was queued */
	uint16_t iface, queue;
	uint16_t readd_iface, readd_queue;
	uint8_t state;
	bool readd, queued;
};

struct flow_table {
	struct rte_hash *h;    /* flow_key -> slot index (key position) */
	uint32_t head, n;      /* FIFO of queued slot indices */
	uint32_t fifo[FLOW_TABLE_SIZE];
	struct flow_slot slots[FLOW_TABLE_SIZE];
};

bool flow_stack_capable(const struct mpdk_stack *s)
{
	if (s->n_engines < 2)
		return false;
	for (uint16_t i = 0; i < s->n_ifaces; i++) {
		const struct mpdk_port *p = s->ifaces[i].port;
		if (!s->sw_steer[i] && (p->caps & PORT_FLOW_STEER) && p->n_rx_queues > 1)
			return true;
	}
	return false;
}

struct flow_table *flow_table_create(struct mpdk_engine *e)
{
	static unsigned seq;
	char name[RTE_HASH_NAMESIZE];
	struct flow_table *ft;

	ft = rte_zmalloc("mpdk_flow", sizeof(*ft), RTE_CACHE_LINE_SIZE);
	if (ft == NULL)
		return NULL;
	snprintf(name, sizeof(name), "mpdk_fl%u", __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = FLOW_TABLE_SIZE,
		.key_len = sizeof(struct flow_key),
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
	};
	ft->h = rte_hash_create(&hp);
	if (ft->h == NULL) {
		MPDK_LOG(ERR, "engine %u: cannot create its flow rule table", e->id);
		rte_free(ft);
		return NULL;
	}
	return ft;
}

static inline void key_make(struct flow_key *k, uint32_t laddr, uint16_t lport, uint32_t raddr,
			    uint16_t rport)
{
	memset(k, 0, sizeof(*k));
	k->laddr = laddr;
	k->raddr = raddr;
	k->lport = lport;
	k->rport = rport;
}

static struct flow_slot *slot_find(const struct flow_table *ft, const struct flow_key *k)
{
	int32_t pos = rte_hash_lookup(ft->h, k);
	if (pos < 0 || pos >= FLOW_TABLE_SIZE)
		return NULL;
	return (struct flow_slot *)&ft->slots[pos];
}

static void slot_queue(struct mpdk_engine *e, struct flow_table *ft, struct flow_slot *sl)
{
	if (sl->queued)
		return;
	sl->t_req = engine_now(e);
	sl->queued = true;
	ft->fifo[(ft->head + ft->n) % FLOW_TABLE_SIZE] = (uint32_t)(sl - ft->slots);
	ft->n++;   /* at most one FIFO place per slot: never more than the slots */
}

static void slot_free(struct flow_table *ft, struct flow_slot *sl)
{
	rte_hash_del_key(ft->h, &sl->k);
	sl->state = FS_FREE;
	sl->rule = NULL;
	sl->readd = false;
}

void flow_want(struct mpdk_engine *e, struct flow_table *ft, uint16_t iface, uint32_t laddr,
	       uint16_t lport, uint32_t raddr, uint16_t rport, uint16_t queue)
{
	struct flow_key k;
	struct flow_slot *sl;
	int32_t pos;

	if (ft == NULL)
		return;
	key_make(&k, laddr, lport, raddr, rport);
	sl = slot_find(ft, &k);
	if (sl == NULL) {
		pos = rte_hash_add_key(ft->h, &k);
		if (pos < 0 || pos >= FLOW_TABLE_SIZE) {
			if (pos >= 0)
				rte_hash_del_key(ft->h, &k);
			CTR_INC(e, flow_rule_failures);   /* table full: software redirect */
			return;
		}
		sl = &ft->slots[pos];
		sl->k = k;
		sl->rule = NULL;
		sl->readd = false;
		sl->state = FS_WANT;
		sl->iface = iface;
		sl->queue = queue;
		slot_queue(e, ft, sl);
		return;
	}
	switch (sl->state) {
	case FS_WANT:
		sl->iface = iface;
		sl->queue = queue;
		break;
	case FS_ON:
		if (sl->iface == iface && sl->queue == queue)
			break;
		/* re-pointed: destroy the rule, then create the new one */
		sl->state = FS_DEL;
		sl->readd = true;
		sl->readd_iface = iface;
		sl->readd_queue = queue;
		slot_queue(e, ft, sl);
		break;
	case FS_DEL:
		sl->readd = true;
		sl->readd_iface = iface;
		sl->readd_queue = queue;
		break;
	default:
		break;
	}
}

static void rule_destroy(struct mpdk_engine *e, struct flow_slot *sl);

void flow_drop(struct mpdk_engine *e, struct flow_table *ft, uint32_t laddr, uint16_t lport,
	       uint32_t raddr, uint16_t rport, bool now)
{
	struct flow_key k;
	struct flow_slot *sl;

	if (ft == NULL)
		return;
	key_make(&k, laddr, lport, raddr, rport);
	sl = slot_find(ft, &k);
	if (sl == NULL)
		return;
	if (now && (sl->state == FS_ON || sl->state == FS_DEL)) {
		rule_destroy(e, sl);
		slot_free(ft, sl);   /* a queued DEL's FIFO place is skipped */
		return;
	}
	switch (sl->state) {
	case FS_WANT:
		slot_free(ft, sl);   /* never created; its FIFO place is skipped */
		break;
	case FS_ON:
		sl->state = FS_DEL;
		sl->readd = false;
		slot_queue(e, ft, sl);
		break;
	case FS_DEL:
		sl->readd = false;
		break;
	default:
		break;
	}
}

static void rule_create(struct mpdk_engine *e, struct flow_table *ft, struct flow_slot *sl)
{
	struct mpdk_port *p = sl->iface < e->stack->n_ifaces ? e->stack->ifaces[sl->iface].port : NULL;
	int err = -EINVAL;

	/* Frames arrive raddr:rport -> laddr:lport. */
	sl->rule = p != NULL ? port_flow_steer(p, sl->k.raddr, sl->k.laddr, sl->k.rport, sl->k.lport,
					       sl->queue, &err)
			     : NULL;
	if (sl->rule == NULL) {
		CTR_INC(e, flow_rule_failures);
		MPDK_LOG(DEBUG, "engine %u: no rte_flow rule to queue %u (%s): software redirect",
			 e->id, sl->queue, strerror(-err));
		slot_free(ft, sl);
		return;
	}
	sl->state = FS_ON;
	CTR_INC(e, flow_rules_installed);
}

static void rule_destroy(struct mpdk_engine *e, struct flow_slot *sl)
{
	struct mpdk_port *p = e->stack->ifaces[sl->iface].port;

	if (port_flow_unsteer(p, sl->rule) != 0)
		CTR_INC(e, flow_rule_failures);
	else
		CTR_INC(e, flow_rules_removed);
	sl->rule = NULL;
}

int flow_poll(struct mpdk_engine *e, struct flow_table *ft, bool idle)
{
	struct flow_slot *sl;

	if (ft == NULL)
		return 0;
	/* Skip the places of slots freed while queued. */
	while (ft->n > 0) {
		sl = &ft->slots[ft->fifo[ft->head]];
		if (sl->state != FS_FREE)
			break;
		sl->queued = false;
		ft->head = (ft->head + 1) % FLOW_TABLE_SIZE;
		ft->n--;
	}
	if (ft->n == 0)
		return 0;
	sl = &ft->slots[ft->fifo[ft->head]];
	if (!idle && engine_now(e) - sl->t_req < FLOW_DEFER_MAX_NS)
		return 0;
	ft->head = (ft->head + 1) % FLOW_TABLE_SIZE;
	ft->n--;
	sl->queued = false;
	if (sl->state == FS_WANT) {
		rule_create(e, ft, sl);
	} else if (sl->state == FS_DEL) {
		rule_destroy(e, sl);
		if (sl->readd) {
			sl->readd = false;
			sl->state = FS_WANT;
			sl->iface = sl->readd_iface;
			sl->queue = sl->readd_queue;
			slot_queue(e, ft, sl);
		} else {
			slot_free(ft, sl);
		}
	}
	return 1;
}

void flow_table_free(struct mpdk_engine *e, struct flow_table *ft)
{
	if (ft == NULL)
		return;
	for (unsigned i = 0; i < FLOW_TABLE_SIZE; i++) {
		struct flow_slot *sl = &ft->slots[i];
		if ((sl->state == FS_ON || sl->state == FS_DEL) && sl->rule != NULL)
			rule_destroy(e, sl);
	}
	rte_hash_free(ft->h);
	rte_free(ft);
}

int flow_installed_queue(const struct flow_table *ft, uint32_t laddr, uint16_t lport,
			 uint32_t raddr, uint16_t rport)
{
	struct flow_key k;
	const struct flow_slot *sl;

	if (ft == NULL)
		return -1;
	key_make(&k, laddr, lport, raddr, rport);
	sl = slot_find(ft, &k);
	if (sl == NULL || (sl->state != FS_ON && sl->state != FS_DEL) || sl->rule == NULL)
		return -1;
	return sl->queue;
}

unsigned flow_pending(const struct flow_table *ft)
{
	return ft != NULL ? ft->n : 0;
}
