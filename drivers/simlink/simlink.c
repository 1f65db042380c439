/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * simlink: an in-process emulated Ethernet link between two ports, with
 * per-direction delay, jitter, loss, reordering, a rate limit and a bounded
 * queue. Two stacks in one process (tests, demos) talk through it as if
 * through a cable and a bottleneck router, on a virtual or a real clock.
 *
 * A frame sent on one end goes through, in this order:
 *   link down or far end closed  -> dropped (down_drops)
 *   longer than MTU + Ethernet    -> dropped (lost)
 *   bottleneck queue full         -> tail drop (overflow); the queue holds
 *                                    frames waiting for serialisation, so it
 *                                    only fills when rate_bps is set
 *   serialisation at rate_bps     -> departure = max(now, last departure)
 *                                    + len * 8 / rate
 *   loss                          -> dropped on the wire (lost); it still
 *                                    used its serialisation time
 *   delay + jitter                -> deliver time; a link never reorders on
 *                                    its own, so jitter only stretches gaps
 *                                    (deliver times are kept non-decreasing)
 *   reorder                       -> the frame is held back and the next
 *                                    frame sent within SIMLINK_HOLD_NS
 *                                    overtakes it (reordered); if none comes
 *                                    it goes on unreordered
 * and is received on the other end once the clock reaches its deliver time.
 *
 * Randomness comes from three splitmix64 streams per direction (loss,
 * jitter, reorder) seeded from conf.seed, and every frame offered draws from
 * each stream, so the same seed and the same traffic give the same drops
 * even when other impairments change.
 *
 * Frames are not copied: the mbuf sent on one end is the mbuf received on
 * the other, so both stacks must be able to free into its pool. A frame
 * whose data is shared (a clone, refcnt > 1, an external buffer) is copied
 * into the link's pool at send time, as a NIC's DMA would, so that the
 * receiver may write into it without touching the sender's retained copy.
 *
 * Thread safety: none. Both ends and the control calls (set, set_up, stats,
 * close) must be used from one thread, for example the thread that polls
 * both stacks in turn.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <netinet/in.h>

#include "drivers/port.h"
#include "core/clock.h"
#include "core/log.h"

#define SIMLINK_DEFAULT_QUEUE_LIMIT 4096
#define SIMLINK_DEFAULT_MTU 1500
/* How long a frame picked for reordering waits for a later frame to
 * overtake it, counted from its send time. */
#define SIMLINK_HOLD_NS (1 * NS_PER_MS)
#define SIMLINK_RING_MIN 256
#define SIMLINK_MAX_QUEUES 16

struct sl_frame {
	uint64_t t;            /* deliver time */
	struct rte_mbuf *m;
};

/* FIFO of frames in flight, deliver times non-decreasing. Indexes run
 * freely; cap is a power of two. */
struct sl_frames {
	struct sl_frame *v;
	uint32_t cap, head, tail;
};

/* FIFO of departure times of frames still being serialised. */
struct sl_times {
	uint64_t *v;
	uint32_t cap, head, tail;
};

struct sl_dir {
	struct mpdk_simlink_dir conf;
	struct mpdk_simlink_stats st;
	struct sl_frames inflight;
	struct sl_times backlog;
	uint64_t last_departure;   /* when the serialiser is free again */
	uint64_t rate_rem;         /* serialisation time remainder, 1/rate ns units */
	uint64_t last_deliver;
	struct rte_mbuf *held;     /* frame waiting to be overtaken */
	uint64_t held_t, held_since;
	uint64_t rng_loss, rng_jitter, rng_reorder;
	bool dest_closed;
	/* Multi-queue receive: frames whose deliver time has come, sorted
	 * into the queue RSS chose, until that queue is polled. */
	struct sl_frames rxq[SIMLINK_MAX_QUEUES];
};

struct simlink {
	unsigned id;
	struct mpdk_clock *clock;
	struct rte_mempool *pool;
	bool up;
	bool closed[2];
	struct mpdk_port end[2];   /* end[0] = a, end[1] = b */
	struct sl_dir dir[2];      /* dir[0] = a -> b: sent on end 0, received on end 1 */
	uint16_t reta[2][SIMLINK_MAX_QUEUES];   /* per end: queue = hash % queues */
};

static unsigned simlink_count;

/* splitmix64 (Steele, Lea, Flood 2014): tiny, fast, good enough here. */
static inline uint64_t sl_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double sl_unit(uint64_t r)
{
	return (double)(r >> 11) * 0x1.0p-53;
}

static inline uint32_t sl_frames_count(const struct sl_frames *f)
{
	return f->tail - f->head;
}

static int sl_frames_push(struct sl_frames *f, struct rte_mbuf *m, uint64_t t)
{
	if (sl_frames_count(f) == f->cap) {
		uint32_t ncap = f->cap ? f->cap * 2 : SIMLINK_RING_MIN;
		struct sl_frame *nv;

		if (ncap == 0)
			return -ENOMEM;
		nv = malloc(sizeof(*nv) * ncap);
		if (nv == NULL)
			return -ENOMEM;
		for (uint32_t i = 0; i < f->cap; i++)
			nv[i] = f->v[(f->head + i) & (f->cap - 1)];
		free(f->v);
		f->v = nv;
		f->tail = f->cap;
		f->head = 0;
		f->cap = ncap;
	}
	f->v[f->tail++ & (f->cap - 1)] = (struct sl_frame){ .t = t, .m = m };
	return 0;
}

static inline const struct sl_frame *sl_frames_front(const struct sl_frames *f)
{
	return f->head == f->tail ? NULL : &f->v[f->head & (f->cap - 1)];
}

static inline void sl_frames_pop(struct sl_frames *f)
{
	f->head++;
}

static inline uint32_t sl_times_count(const struct sl_times *b)
{
	return b->tail - b->head;
}

static int sl_times_push(struct sl_times *b, uint64_t t)
{
	if (sl_times_count(b) == b->cap) {
		uint32_t ncap = b->cap ? b->cap * 2 : SIMLINK_RING_MIN;
		uint64_t *nv;

		if (ncap == 0)
			return -ENOMEM;
		nv = malloc(sizeof(*nv) * ncap);
		if (nv == NULL)
			return -ENOMEM;
		for (uint32_t i = 0; i < b->cap; i++)
			nv[i] = b->v[(b->head + i) & (b->cap - 1)];
		free(b->v);
		b->v = nv;
		b->tail = b->cap;
		b->head = 0;
		b->cap = ncap;
	}
	b->v[b->tail++ & (b->cap - 1)] = t;
	return 0;
}

/* Forget frames whose serialisation has finished by @now. */
static inline void sl_times_expire(struct sl_times *b, uint64_t now)
{
	while (b->head != b->tail && b->v[b->head & (b->cap - 1)] <= now)
		b->head++;
}

static const struct port_ops simlink_ops;

static struct simlink *sl_of(const struct mpdk_port *p, unsigned *idx)
{
	struct simlink *sl;

	if (idx != NULL)
		*idx = 0;
	if (p == NULL || p->ops != &simlink_ops)
		return NULL;
	sl = p->priv;
	if (idx != NULL)
		*idx = p == &sl->end[1];
	return sl;
}

/* Drop every frame in flight in @d (link down, end closed). */
static void sl_dir_flush(struct sl_dir *d)
{
	const struct sl_frame *f;

	while ((f = sl_frames_front(&d->inflight)) != NULL) {
		rte_pktmbuf_free(f->m);
		sl_frames_pop(&d->inflight);
		d->st.down_drops++;
	}
	if (d->held != NULL) {
		rte_pktmbuf_free(d->held);
		d->held = NULL;
		d->st.down_drops++;
	}
	for (unsigned q = 0; q < SIMLINK_MAX_QUEUES; q++) {
		while ((f = sl_frames_front(&d->rxq[q])) != NULL) {
			rte_pktmbuf_free(f->m);
			sl_frames_pop(&d->rxq[q]);
			d->st.down_drops++;
		}
		d->rxq[q].head = d->rxq[q].tail = 0;
	}
	d->inflight.head = d->inflight.tail = 0;
	d->backlog.head = d->backlog.tail = 0;
	d->last_departure = 0;
	d->rate_rem = 0;
	d->last_deliver = 0;
}

/* A held frame nobody overtook in time goes on unreordered. */
static void sl_release_hold(struct sl_dir *d, uint64_t now)
{
	if (d->held == NULL || now < d->held_since + SIMLINK_HOLD_NS)
		return;
	/* Nothing was queued since it was held, so order is kept. */
	if (sl_frames_push(&d->inflight, d->held, d->held_t) != 0) {
		rte_pktmbuf_free(d->held);
		d->st.overflow++;
	}
	d->held = NULL;
}

/* True when some segment's data is shared with another mbuf. */
static bool sl_data_shared(const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next) {
		if (rte_mbuf_refcnt_read(m) != 1 || RTE_MBUF_CLONED(m) || RTE_MBUF_HAS_EXTBUF(m))
			return true;
	}
	return false;
}

/* Serialisation: when the last bit of a frame of @len bytes leaves. */
static uint64_t sl_serialise(struct sl_dir *d, uint64_t now, uint32_t len)
{
	uint64_t rate = d->conf.rate_bps, start, num;

	if (rate == 0)
		return now;
	if (d->last_departure <= now) {
		start = now;
		d->rate_rem = 0;
	} else {
		start = d->last_departure;
	}
	num = (uint64_t)len * 8 * NS_PER_S;
	d->rate_rem += num % rate;
	start += num / rate;
	if (d->rate_rem >= rate) {
		d->rate_rem -= rate;
		start++;
	}
	d->last_departure = start;
	return start;
}

static void sl_send_one(struct simlink *sl, struct sl_dir *d, struct rte_mbuf *m, uint64_t now,
			uint32_t max_len)
{
	uint64_t r_loss = sl_rand(&d->rng_loss);
	uint64_t r_jitter = sl_rand(&d->rng_jitter);
	uint64_t r_reorder = sl_rand(&d->rng_reorder);
	uint64_t departure, t;
	uint32_t limit;

	d->st.sent++;
	if (!sl->up || d->dest_closed) {
		d->st.down_drops++;
		goto drop;
	}
	if (m->pkt_len > max_len) {
		d->st.lost++;
		goto drop;
	}
	sl_release_hold(d, now);

	limit = d->conf.queue_limit ? d->conf.queue_limit : SIMLINK_DEFAULT_QUEUE_LIMIT;
	sl_times_expire(&d->backlog, now);
	if (sl_times_count(&d->backlog) >= limit) {
		d->st.overflow++;
		goto drop;
	}
	if (sl_data_shared(m)) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, sl->pool, 0, UINT32_MAX);

		if (c == NULL) {
			d->st.overflow++;
			goto drop;
		}
		rte_pktmbuf_free(m);
		m = c;
	}

	departure = sl_serialise(d, now, m->pkt_len);
	if (departure > now && sl_times_push(&d->backlog, departure) != 0) {
		d->st.overflow++;
		goto drop;
	}
	if (d->conf.loss > 0 && sl_unit(r_loss) < d->conf.loss) {
		d->st.lost++;
		goto drop;
	}

	t = departure + d->conf.delay_ns;
	if (d->conf.jitter_ns > 0)
		t += r_jitter % d->conf.jitter_ns;
	if (t < d->last_deliver)
		t = d->last_deliver;
	d->last_deliver = t;

	if (d->held != NULL) {
		/* This frame overtakes the held one, which follows right behind. */
		if (sl_frames_push(&d->inflight, m, t) != 0) {
			d->st.overflow++;
			rte_pktmbuf_free(m);
		}
		if (sl_frames_push(&d->inflight, d->held, RTE_MAX(t, d->held_t)) != 0) {
			d->st.overflow++;
			rte_pktmbuf_free(d->held);
		} else {
			d->st.reordered++;
		}
		d->held = NULL;
		return;
	}
	if (d->conf.reorder > 0 && sl_unit(r_reorder) < d->conf.reorder) {
		d->held = m;
		d->held_t = t;
		d->held_since = now;
		return;
	}
	if (sl_frames_push(&d->inflight, m, t) != 0) {
		d->st.overflow++;
		goto drop;
	}
	return;
drop:
	rte_pktmbuf_free(m);
}

static uint16_t simlink_tx_burst(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned idx;
	struct simlink *sl = sl_of(p, &idx);
	struct sl_dir *d = &sl->dir[idx];
	uint64_t now = clock_now(sl->clock);
	uint32_t max_len = (uint32_t)p->mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;

	RTE_SET_USED(q);
	for (uint16_t i = 0; i < n; i++)
		sl_send_one(sl, d, pkts[i], now, max_len);
	return n;
}

/* Make a delivered frame look freshly received: no tx offload requests,
 * no stale metadata from the sender. */
static inline void sl_rx_reset(struct rte_mbuf *m)
{
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
	m->packet_type = 0;
	m->tx_offload = 0;
	m->vlan_tci = 0;
	m->vlan_tci_outer = 0;
	m->hash.rss = 0;
	m->port = RTE_MBUF_PORT_INVALID;
}

/* The RSS hash a NIC would compute for @m (drivers/port.h): IPv4
 * TCP/UDP by the 4-tuple, other IPv4 by the address pair. Returns false
 * for the rest (ARP, runts), which go to queue 0 without a hash. Reads
 * headers from the first segment only, as a NIC parser would. */
static bool sl_rss_hash(const struct mpdk_port *p, const struct rte_mbuf *m, uint32_t *hash)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ih;
	uint32_t hlen;
	bool ports = false;
	uint16_t sport = 0, dport = 0;

	if (m->data_len < sizeof(*eh) + sizeof(*ih))
		return false;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return false;
	ih = (const struct rte_ipv4_hdr *)(eh + 1);
	hlen = (uint32_t)(ih->version_ihl & 0xf) * 4;
	if ((ih->version_ihl >> 4) != 4 || hlen < sizeof(*ih))
		return false;
	if ((ih->next_proto_id == IPPROTO_TCP || ih->next_proto_id == IPPROTO_UDP) &&
	    !(ih->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)) &&
	    m->data_len >= sizeof(*eh) + hlen + 4) {
		const uint8_t *pp = (const uint8_t *)ih + hlen;
		memcpy(&sport, pp, 2);
		memcpy(&dport, pp + 2, 2);
		ports = true;
	}
	*hash = port_toeplitz_ipv4(p->rss_key, ih->src_addr, ih->dst_addr, sport, dport, ports);
	return true;
}

/* Move frames due by @now into their rx queues (bounded like the link).
 * In a queue, a frame's t holds its RSS hash (bit 32: has a hash). */
static void sl_sort_due(struct sl_dir *d, const struct mpdk_port *rx_end, uint64_t now)
{
	const struct sl_frame *f;
	uint32_t limit = d->conf.queue_limit ? d->conf.queue_limit : SIMLINK_DEFAULT_QUEUE_LIMIT;

	while ((f = sl_frames_front(&d->inflight)) != NULL && f->t <= now) {
		struct rte_mbuf *m = f->m;
		uint32_t h = 0;
		bool has = sl_rss_hash(rx_end, m, &h);
		uint16_t q = has ? rx_end->rss_reta[h % rx_end->rss_reta_size] : 0;

		sl_frames_pop(&d->inflight);
		if (sl_frames_count(&d->rxq[q]) >= limit ||
		    sl_frames_push(&d->rxq[q], m, (has ? 1ull << 32 : 0) | h) != 0) {
			/* Nobody polls that queue (or no memory): as a NIC
			 * whose rx ring is full, drop. */
			d->st.overflow++;
			rte_pktmbuf_free(m);
		}
	}
}

static uint16_t simlink_rx_burst_mq(struct simlink *sl, struct sl_dir *d, const struct mpdk_port *p,
				    uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_frame *f;
	uint16_t k = 0;
	uint64_t now;

	if (q >= p->n_rx_queues)
		return 0;
	now = clock_now(sl->clock);
	sl_release_hold(d, now);
	sl_sort_due(d, p, now);
	while (k < n && (f = sl_frames_front(&d->rxq[q])) != NULL) {
		struct rte_mbuf *m = f->m;
		uint64_t h = f->t;

		sl_frames_pop(&d->rxq[q]);
		sl_rx_reset(m);
		if (h >> 32) {
			/* a NIC reports the hash it steered by */
			m->hash.rss = (uint32_t)h;
			m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		}
		pkts[k++] = m;
	}
	d->st.delivered += k;
	return k;
}

static uint16_t simlink_rx_burst(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned idx;
	struct simlink *sl = sl_of(p, &idx);
	struct sl_dir *d = &sl->dir[!idx];
	const struct sl_frame *f;
	uint64_t now;
	uint16_t k = 0;

	if (p->n_rx_queues > 1)
		return simlink_rx_burst_mq(sl, d, p, q, pkts, n);
	/* One queue: other engines of a stack see nothing, so no frame is
	 * received twice. */
	if (q != 0)
		return 0;
	now = clock_now(sl->clock);
	sl_release_hold(d, now);
	while (k < n && (f = sl_frames_front(&d->inflight)) != NULL && f->t <= now) {
		sl_rx_reset(f->m);
		pkts[k++] = f->m;
		sl_frames_pop(&d->inflight);
	}
	d->st.delivered += k;
	return k;
}

static bool simlink_link_up(const struct mpdk_port *p)
{
	unsigned idx;
	const struct simlink *sl = sl_of(p, &idx);

	return sl != NULL && sl->up && !sl->closed[!idx];
}

static void sl_dir_free(struct sl_dir *d)
{
	sl_dir_flush(d);
	free(d->inflight.v);
	free(d->backlog.v);
	for (unsigned q = 0; q < SIMLINK_MAX_QUEUES; q++)
		free(d->rxq[q].v);
}

static void simlink_close(struct mpdk_port *p)
{
	unsigned idx;
	struct simlink *sl = sl_of(p, &idx);

	if (sl == NULL || sl->closed[idx])
		return;
	sl->closed[idx] = true;
	/* Frames on their way to the closed end have nowhere to go. */
	sl_dir_flush(&sl->dir[!idx]);
	sl->dir[!idx].dest_closed = true;
	if (sl->closed[!idx]) {
		sl_dir_free(&sl->dir[0]);
		sl_dir_free(&sl->dir[1]);
		free(sl);
	}
}

static const struct port_ops simlink_ops = {
	.kind = "simlink",
	.rx_burst = simlink_rx_burst,
	.tx_burst = simlink_tx_burst,
	.link_up = simlink_link_up,
	.close = simlink_close,
};

static int sl_dir_check(const struct mpdk_simlink_dir *d)
{
	/* Written so that NaN fails too. */
	if (!(d->loss >= 0.0 && d->loss <= 1.0) || !(d->reorder >= 0.0 && d->reorder <= 1.0))
		return -EINVAL;
	return 0;
}

static void sl_dir_init(struct sl_dir *d, const struct mpdk_simlink_dir *conf, uint64_t seed, unsigned which)
{
	d->conf = *conf;
	/* Distinct, seed-derived streams per direction and purpose. */
	d->rng_loss = seed ^ (0x1000 + which);
	d->rng_jitter = seed ^ (0x2000 + which);
	d->rng_reorder = seed ^ (0x3000 + which);
	sl_rand(&d->rng_loss);
	sl_rand(&d->rng_jitter);
	sl_rand(&d->rng_reorder);
}

int mpdk_simlink_create(const struct mpdk_simlink_conf *conf, struct mpdk_port **a, struct mpdk_port **b)
{
	struct simlink *sl;
	unsigned id;

	if (conf == NULL || conf->clock == NULL || conf->pool == NULL || a == NULL || b == NULL)
		return -EINVAL;
	if (sl_dir_check(&conf->a_to_b) != 0 || sl_dir_check(&conf->b_to_a) != 0)
		return -EINVAL;
	if (conf->mtu != 0 && conf->mtu < RTE_ETHER_MIN_MTU)
		return -EINVAL;
	if (conf->n_queues_a > SIMLINK_MAX_QUEUES || conf->n_queues_b > SIMLINK_MAX_QUEUES)
		return -EINVAL;
	sl = calloc(1, sizeof(*sl));
	if (sl == NULL)
		return -ENOMEM;
	id = __atomic_fetch_add(&simlink_count, 1, __ATOMIC_RELAXED);
	sl->id = id;
	sl->clock = conf->clock;
	sl->pool = conf->pool;
	sl->up = true;
	sl_dir_init(&sl->dir[0], &conf->a_to_b, conf->seed, 0);
	sl_dir_init(&sl->dir[1], &conf->b_to_a, conf->seed, 1);
	for (unsigned i = 0; i < 2; i++) {
		struct mpdk_port *p = &sl->end[i];

		p->ops = &simlink_ops;
		if (conf->name != NULL)
			snprintf(p->name, sizeof(p->name), "%s.%c", conf->name, 'a' + i);
		else
			snprintf(p->name, sizeof(p->name), "simlink%u.%c", id, 'a' + i);
		p->mac = (struct rte_ether_addr){ { 0x02, 0x5e, 0x00, id & 0xff, 0x00, i + 1 } };
		p->mtu = conf->mtu ? conf->mtu : SIMLINK_DEFAULT_MTU;
		uint16_t nq = i == 0 ? conf->n_queues_a : conf->n_queues_b;
		nq = nq ? nq : 1;
		for (uint16_t q = 0; q < SIMLINK_MAX_QUEUES; q++)
			sl->reta[i][q] = q % nq;
		p->n_rx_queues = nq;
		p->n_tx_queues = nq;
		/* mbufs pass through as they are: chains are fine. */
		p->caps = PORT_TX_MULTISEG;
		if (nq > 1) {
			p->caps |= PORT_RSS;
			p->rss_key = port_rss_std_key;
			p->rss_key_len = PORT_RSS_STD_KEY_LEN;
			p->rss_reta = sl->reta[i];
			p->rss_reta_size = nq;
		}
		p->ethdev_id = UINT16_MAX;
		p->priv = sl;
	}
	MPDK_LOG(INFO, "%s <-> %s: delay %" PRIu64 "/%" PRIu64 " ns, loss %g/%g, rate %" PRIu64
		 "/%" PRIu64 " b/s", sl->end[0].name, sl->end[1].name, conf->a_to_b.delay_ns,
		 conf->b_to_a.delay_ns, conf->a_to_b.loss, conf->b_to_a.loss, conf->a_to_b.rate_bps,
		 conf->b_to_a.rate_bps);
	*a = &sl->end[0];
	*b = &sl->end[1];
	return 0;
}

int mpdk_simlink_set(struct mpdk_port *end, bool a_to_b, const struct mpdk_simlink_dir *dir)
{
	struct simlink *sl = sl_of(end, NULL);

	if (sl == NULL || dir == NULL || sl_dir_check(dir) != 0)
		return -EINVAL;
	/* Frames already in flight keep their deliver times; a lower rate or
	 * queue limit applies from the next frame on. */
	sl->dir[a_to_b ? 0 : 1].conf = *dir;
	return 0;
}

int mpdk_simlink_set_up(struct mpdk_port *end, bool up)
{
	struct simlink *sl = sl_of(end, NULL);

	if (sl == NULL)
		return -EINVAL;
	if (sl->up && !up) {
		sl_dir_flush(&sl->dir[0]);
		sl_dir_flush(&sl->dir[1]);
	}
	if (sl->up != up)
		MPDK_LOG(INFO, "%s <-> %s: link %s", sl->end[0].name, sl->end[1].name,
			 up ? "up" : "down");
	sl->up = up;
	return 0;
}

int mpdk_simlink_stats(const struct mpdk_port *end, bool a_to_b, struct mpdk_simlink_stats *st)
{
	const struct simlink *sl = sl_of(end, NULL);

	if (sl == NULL || st == NULL)
		return -EINVAL;
	*st = sl->dir[a_to_b ? 0 : 1].st;
	return 0;
}
