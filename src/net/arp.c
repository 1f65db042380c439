/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) for Ethernet and IPv4, one cache per engine.
 *
 * The cache is an array of conf.arp_entries entries indexed by an
 * open-addressing hash table (linear probing, backward-shift deletion, load
 * at most 1/2) keyed by (interface, IPv4 address). Entries are on an LRU
 * list; when the cache is full the least recently used entry is evicted.
 *
 * An entry is INCOMPLETE while requests are outstanding (packets for it wait
 * in a bounded per-entry queue) and REACHABLE once a reply or a request from
 * the neighbour told us its MAC. Each entry has one timer: the request retry
 * while INCOMPLETE, the expiry (conf.arp_timeout_ms after the last update)
 * while REACHABLE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <rte_arp.h>
#include <rte_jhash.h>
#include <rte_random.h>
#include "core/engine.h"
#include "net/arp.h"
#include "net/eth.h"
#include "net/ipv4.h"

#define ARP_SLOT_EMPTY UINT32_MAX

enum arp_state { ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE };

struct arp_entry {
	uint32_t ip;              /* network order */
	uint32_t hash;
	uint16_t iface;
	uint8_t state;            /* enum arp_state */
	uint8_t tries;            /* requests sent for this resolution */
	struct rte_ether_addr mac;
	uint32_t q_head, q_len;   /* packet queue: slots [idx * queue_max, +queue_max) */
	struct timer timer;
	struct arp_cache *c;
	TAILQ_ENTRY(arp_entry) lru; /* LRU list when in use, free list otherwise */
};

TAILQ_HEAD(arp_list, arp_entry);

struct arp_cache {
	struct mpdk_engine *e;
	uint32_t max_entries, n_used;
	uint32_t queue_max, max_retries;
	uint64_t timeout_ns, retry_ns;
	uint32_t seed;
	uint32_t slot_mask;
	uint32_t *slots;           /* entry index or ARP_SLOT_EMPTY */
	struct arp_entry *entries;
	struct rte_mbuf **queue;   /* max_entries * queue_max */
	struct arp_list lru;       /* head = least recently used */
	struct arp_list free_list;
};

static const struct rte_ether_addr bcast_mac = {
	.addr_bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static inline uint32_t arp_idx(const struct arp_cache *c, const struct arp_entry *ent)
{
	return (uint32_t)(ent - c->entries);
}

static inline uint32_t arp_hash(const struct arp_cache *c, uint16_t iface, uint32_t ip)
{
	return rte_jhash_2words(ip, iface, c->seed);
}

static struct arp_entry *arp_find(struct arp_cache *c, uint16_t iface, uint32_t ip)
{
	uint32_t i = arp_hash(c, iface, ip) & c->slot_mask;
	for (; c->slots[i] != ARP_SLOT_EMPTY; i = (i + 1) & c->slot_mask) {
		struct arp_entry *ent = &c->entries[c->slots[i]];
		if (ent->ip == ip && ent->iface == iface)
			return ent;
	}
	return NULL;
}

static void arp_slot_insert(struct arp_cache *c, struct arp_entry *ent)
{
	uint32_t i = ent->hash & c->slot_mask;
	while (c->slots[i] != ARP_SLOT_EMPTY)
		i = (i + 1) & c->slot_mask;
	c->slots[i] = arp_idx(c, ent);
}

/* Backward-shift deletion keeps every probe chain unbroken without
 * tombstones (Knuth, vol. 3, 6.4 algorithm R). */
static void arp_slot_remove(struct arp_cache *c, const struct arp_entry *ent)
{
	uint32_t idx = arp_idx(c, ent);
	uint32_t i = ent->hash & c->slot_mask;
	while (c->slots[i] != idx)
		i = (i + 1) & c->slot_mask;
	c->slots[i] = ARP_SLOT_EMPTY;
	for (uint32_t j = (i + 1) & c->slot_mask; c->slots[j] != ARP_SLOT_EMPTY;
	     j = (j + 1) & c->slot_mask) {
		uint32_t home = c->entries[c->slots[j]].hash & c->slot_mask;
		/* leave slot j alone if its home lies cyclically in (i, j] */
		bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (stays)
			continue;
		c->slots[i] = c->slots[j];
		c->slots[j] = ARP_SLOT_EMPTY;
		i = j;
	}
}

static inline struct rte_mbuf **arp_qslot(struct arp_cache *c, struct arp_entry *ent, uint32_t k)
{
	return &c->queue[(size_t)arp_idx(c, ent) * c->queue_max + (ent->q_head + k) % c->queue_max];
}

static void arp_enqueue(struct arp_cache *c, struct arp_entry *ent, struct rte_mbuf *m)
{
	if (ent->q_len == c->queue_max) {
		/* Oldest first: the newest packets are the ones a transport
		 * still cares about. */
		rte_pktmbuf_free(*arp_qslot(c, ent, 0));
		ent->q_head = (ent->q_head + 1) % c->queue_max;
		ent->q_len--;
		CTR_INC(c->e, arp_queue_drops);
	}
	*arp_qslot(c, ent, ent->q_len) = m;
	ent->q_len++;
}

static struct rte_mbuf *arp_dequeue(struct arp_cache *c, struct arp_entry *ent)
{
	if (ent->q_len == 0)
		return NULL;
	struct rte_mbuf *m = *arp_qslot(c, ent, 0);
	ent->q_head = (ent->q_head + 1) % c->queue_max;
	ent->q_len--;
	return m;
}

/* Free an entry and the packets waiting on it (each counted in @drop_ctr). */
static void arp_remove(struct arp_cache *c, struct arp_entry *ent, enum counter_id drop_ctr)
{
	struct rte_mbuf *m;
	while ((m = arp_dequeue(c, ent)) != NULL) {
		rte_pktmbuf_free(m);
		c->e->ctr[drop_ctr]++;
	}
	timer_cancel(&c->e->tw, &ent->timer);
	arp_slot_remove(c, ent);
	TAILQ_REMOVE(&c->lru, ent, lru);
	TAILQ_INSERT_HEAD(&c->free_list, ent, lru);
	ent->state = ARP_FREE;
	c->n_used--;
}

static struct arp_entry *arp_new(struct arp_cache *c, uint16_t iface, uint32_t ip)
{
	if (c->n_used == c->max_entries) {
		CTR_INC(c->e, arp_cache_full);
		arp_remove(c, TAILQ_FIRST(&c->lru), CTR_arp_queue_drops);
	}
	struct arp_entry *ent = TAILQ_FIRST(&c->free_list);
	TAILQ_REMOVE(&c->free_list, ent, lru);
	ent->ip = ip;
	ent->iface = iface;
	ent->hash = arp_hash(c, iface, ip);
	ent->state = ARP_INCOMPLETE;
	ent->tries = 0;
	ent->q_head = ent->q_len = 0;
	memset(&ent->mac, 0, sizeof(ent->mac));
	arp_slot_insert(c, ent);
	TAILQ_INSERT_TAIL(&c->lru, ent, lru);
	c->n_used++;
	return ent;
}

static inline void arp_touch(struct arp_cache *c, struct arp_entry *ent)
{
	if (TAILQ_NEXT(ent, lru) != NULL) {
		TAILQ_REMOVE(&c->lru, ent, lru);
		TAILQ_INSERT_TAIL(&c->lru, ent, lru);
	}
}

static inline uint32_t prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - len));
}

/* Our address to put in a request for @tpa: one on the same subnet, else
 * the interface's first address, else 0. */
static uint32_t arp_src_for(const struct net_iface *ifp, uint32_t tpa)
{
	for (uint16_t a = 0; a < ifp->n_addrs; a++) {
		uint32_t mask = prefix_mask(ifp->prefix_len[a]);
		if ((ifp->addrs[a] & mask) == (tpa & mask))
			return ifp->addrs[a];
	}
	return ifp->n_addrs > 0 ? ifp->addrs[0] : 0;
}

static bool iface_has_addr(const struct net_iface *ifp, uint32_t ip)
{
	for (uint16_t a = 0; a < ifp->n_addrs; a++)
		if (ifp->addrs[a] == ip)
			return true;
	return false;
}

/* A directed broadcast of one of the interface's subnets (not /31, /32). */
static bool iface_is_bcast(const struct net_iface *ifp, uint32_t ip)
{
	if (ip == UINT32_MAX)
		return true;
	for (uint16_t a = 0; a < ifp->n_addrs; a++) {
		if (ifp->prefix_len[a] >= 31)
			continue;
		uint32_t mask = prefix_mask(ifp->prefix_len[a]);
		if ((ifp->addrs[a] & mask) == (ip & mask) && (ip | mask) == UINT32_MAX)
			return true;
	}
	return false;
}

static int arp_send(struct mpdk_engine *e, uint16_t iface, uint16_t op, uint32_t spa,
		    const struct rte_ether_addr *tha, uint32_t tpa,
		    const struct rte_ether_addr *eth_dst)
{
	struct rte_mbuf *m = engine_alloc_mbuf(e);
	if (m == NULL) {
		CTR_INC(e, arp_tx_failed);
		return -ENOBUFS;
	}
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(*ah));
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = sizeof(uint32_t);
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&e->stack->ifaces[iface].mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = spa;
	rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = tpa;
	return eth_output(e, iface, m, eth_dst, RTE_ETHER_TYPE_ARP);
}

static void arp_solicit(struct arp_cache *c, struct arp_entry *ent)
{
	struct mpdk_engine *e = c->e;
	static const struct rte_ether_addr zero_mac;
	uint32_t spa = arp_src_for(&e->stack->ifaces[ent->iface], ent->ip);

	ent->tries++;
	if (spa == 0)
		CTR_INC(e, arp_tx_failed);
	else if (arp_send(e, ent->iface, RTE_ARP_OP_REQUEST, spa, &zero_mac, ent->ip,
			  &bcast_mac) == 0)
		CTR_INC(e, arp_requests_sent);
	timer_arm(&e->tw, &ent->timer, engine_now(e) + c->retry_ns);
}

static void arp_timer_expired(struct timer *t, void *arg)
{
	struct arp_entry *ent = arg;
	struct arp_cache *c = ent->c;
	(void)t;

	if (ent->state == ARP_INCOMPLETE) {
		if (ent->tries < c->max_retries) {
			arp_solicit(c, ent);
			return;
		}
		CTR_INC(c->e, arp_resolve_failed);
		arp_remove(c, ent, CTR_arp_unresolved_drops);
	} else if (ent->state == ARP_REACHABLE) {
		CTR_INC(c->e, arp_entries_expired);
		arp_remove(c, ent, CTR_arp_unresolved_drops);
	}
}

/* The neighbour told us its MAC: (re)start the lifetime and release what
 * was waiting. */
static void arp_update(struct arp_cache *c, struct arp_entry *ent, const struct rte_ether_addr *mac)
{
	struct mpdk_engine *e = c->e;
	struct rte_mbuf *m;

	rte_ether_addr_copy(mac, &ent->mac);
	ent->state = ARP_REACHABLE;
	timer_arm(&e->tw, &ent->timer, engine_now(e) + c->timeout_ns);
	arp_touch(c, ent);
	while ((m = arp_dequeue(c, ent)) != NULL)
		eth_output(e, ent->iface, m, &ent->mac, RTE_ETHER_TYPE_IPV4);
}

int arp_engine_init(struct mpdk_engine *e)
{
	const struct mpdk_stack_conf *conf = &e->stack->conf;
	struct arp_cache *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->e = e;
	c->max_entries = conf->arp_entries ? conf->arp_entries : 1024;
	c->queue_max = conf->arp_queue_max ? conf->arp_queue_max : 8;
	c->max_retries = conf->arp_max_retries ? conf->arp_max_retries : 3;
	c->retry_ns = (uint64_t)(conf->arp_retry_ms ? conf->arp_retry_ms : 1000) * NS_PER_MS;
	c->timeout_ns = (uint64_t)(conf->arp_timeout_ms ? conf->arp_timeout_ms : 300000) * NS_PER_MS;
	c->seed = (uint32_t)rte_rand();
	if (c->max_entries > (1u << 24) || c->queue_max > 65536) {
		free(c);
		return -EINVAL;
	}
	uint32_t n_slots = rte_align32pow2(c->max_entries * 2);
	c->slot_mask = n_slots - 1;
	c->slots = malloc(n_slots * sizeof(*c->slots));
	c->entries = calloc(c->max_entries, sizeof(*c->entries));
	c->queue = calloc((size_t)c->max_entries * c->queue_max, sizeof(*c->queue));
	if (c->slots == NULL || c->entries == NULL || c->queue == NULL) {
		free(c->slots);
		free(c->entries);
		free(c->queue);
		free(c);
		return -ENOMEM;
	}
	memset(c->slots, 0xff, n_slots * sizeof(*c->slots));
	TAILQ_INIT(&c->lru);
	TAILQ_INIT(&c->free_list);
	for (uint32_t i = 0; i < c->max_entries; i++) {
		struct arp_entry *ent = &c->entries[i];
		ent->c = c;
		timer_init(&ent->timer, arp_timer_expired, ent);
		TAILQ_INSERT_TAIL(&c->free_list, ent, lru);
	}
	e->arp = c;
	return 0;
}

void arp_engine_fini(struct mpdk_engine *e)
{
	struct arp_cache *c = e->arp;
	struct arp_entry *ent;

	if (c == NULL)
		return;
	while ((ent = TAILQ_FIRST(&c->lru)) != NULL) {
		struct rte_mbuf *m;
		while ((m = arp_dequeue(c, ent)) != NULL)
			rte_pktmbuf_free(m);
		timer_cancel(&e->tw, &ent->timer);
		TAILQ_REMOVE(&c->lru, ent, lru);
	}
	free(c->slots);
	free(c->entries);
	free(c->queue);
	free(c);
	e->arp = NULL;
}

/* RFC 826, "Packet Reception". */
void arp_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	struct arp_cache *c = e->arp;
	const struct net_iface *ifp = &e->stack->ifaces[iface];
	struct rte_arp_hdr copy;
	const struct rte_arp_hdr *ah;
	uint16_t dummy;

	if (unlikely(m->pkt_len < sizeof(*ah))) {
		CTR_INC(e, arp_rx_truncated);
		goto out;
	}
	ah = rte_pktmbuf_read(m, 0, sizeof(*ah), &copy);
	if (unlikely(ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
		     ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
		     ah->arp_hlen != RTE_ETHER_ADDR_LEN || ah->arp_plen != sizeof(uint32_t))) {
		CTR_INC(e, arp_rx_malformed);
		goto out;
	}
	uint16_t op = rte_be_to_cpu_16(ah->arp_opcode);
	if (unlikely(op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)) {
		CTR_INC(e, arp_rx_bad_op);
		goto out;
	}
	const struct rte_ether_addr sha = ah->arp_data.arp_sha;
	uint32_t spa = ah->arp_data.arp_sip;
	uint32_t tpa = ah->arp_data.arp_tip;
	/* A sender claiming a group MAC would divert our unicast traffic; a
	 * sender claiming one of our addresses is a conflict (RFC 5227):
	 * neither is learned. */
	if (unlikely(!rte_is_valid_assigned_ether_addr(&sha) ||
		     (spa != 0 && ipv4_is_local(e, spa, &dummy)))) {
		CTR_INC(e, arp_rx_bad_sender);
		goto out;
	}

	/* Merge: refresh an entry we already have for the sender, whoever
	 * the packet was for. spa == 0 is an address probe (RFC 5227). */
	struct arp_entry *ent = spa != 0 ? arp_find(c, iface, spa) : NULL;
	if (ent != NULL)
		arp_update(c, ent, &sha);

	if (!iface_has_addr(ifp, tpa)) {
		CTR_INC(e, arp_rx_not_for_us);
		goto out;
	}
	/* For us: add the sender, since it is about to talk to us. */
	if (ent == NULL && spa != 0) {
		ent = arp_new(c, iface, spa);
		arp_update(c, ent, &sha);
	}
	if (op == RTE_ARP_OP_REQUEST) {
		CTR_INC(e, arp_requests_rx);
		if (arp_send(e, iface, RTE_ARP_OP_REPLY, tpa, &sha, spa, &sha) == 0)
			CTR_INC(e, arp_replies_sent);
	} else {
		CTR_INC(e, arp_replies_rx);
	}
out:
	rte_pktmbuf_free(m);
}

int arp_output(struct mpdk_engine *e, uint16_t iface, uint32_t next_hop, struct rte_mbuf *m)
{
	struct arp_cache *c = e->arp;
	struct arp_entry *ent;

	if (unlikely(next_hop == 0)) {
		rte_pktmbuf_free(m);
		return -EINVAL;
	}
	ent = arp_find(c, iface, next_hop);
	if (likely(ent != NULL && ent->state == ARP_REACHABLE)) {
		arp_touch(c, ent);
		return eth_output(e, iface, m, &ent->mac, RTE_ETHER_TYPE_IPV4);
	}
	if (ent == NULL) {
		if (iface_is_bcast(&e->stack->ifaces[iface], next_hop))
			return eth_output(e, iface, m, &bcast_mac, RTE_ETHER_TYPE_IPV4);
		ent = arp_new(c, iface, next_hop);
		arp_enqueue(c, ent, m);
		arp_solicit(c, ent);
		return 0;
	}
	arp_enqueue(c, ent, m);
	return 0;
}

void arp_announce_all(struct mpdk_engine *e)
{
	static const struct rte_ether_addr zero_mac;
	const struct mpdk_stack *s = e->stack;

	/* RFC 5227 2.3: an ARP request with sender and target both set to
	 * the address being announced. */
	for (uint16_t i = 0; i < s->n_ifaces; i++)
		for (uint16_t a = 0; a < s->ifaces[i].n_addrs; a++) {
			uint32_t ip = s->ifaces[i].addrs[a];
			if (arp_send(e, i, RTE_ARP_OP_REQUEST, ip, &zero_mac, ip, &bcast_mac) == 0)
				CTR_INC(e, arp_announcements_sent);
		}
}

bool arp_lookup(struct mpdk_engine *e, uint16_t iface, uint32_t ip, struct rte_ether_addr *mac)
{
	struct arp_entry *ent = arp_find(e->arp, iface, ip);
	if (ent == NULL || ent->state != ARP_REACHABLE)
		return false;
	rte_ether_addr_copy(&ent->mac, mac);
	return true;
}

unsigned arp_cache_size(const struct mpdk_engine *e)
{
	return e->arp != NULL ? e->arp->n_used : 0;
}

void arp_learn(struct mpdk_engine *e, uint16_t iface, uint32_t ip, const struct rte_ether_addr *mac,
	       bool add)
{
	struct arp_cache *c = e->arp;
	uint16_t dummy;

	if (c == NULL || ip == 0 || !rte_is_valid_assigned_ether_addr(mac) ||
	    ipv4_is_local(e, ip, &dummy))
		return;
	struct arp_entry *ent = arp_find(c, iface, ip);
	if (ent == NULL && add)
		ent = arp_new(c, iface, ip);
	if (ent != NULL)
		arp_update(c, ent, mac);
}
