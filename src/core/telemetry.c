/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_telemetry commands (/mpdk/...) and rte_pdump serving; see
 * telemetry.h and docs/operations.md.
 *
 * Threads. Command callbacks run on DPDK's telemetry threads (one per
 * client socket). They share the registry below under tel_lock, which is
 * also taken by stack creation and teardown, never by an engine. What they
 * read of a stack:
 *  - counters: e->ctr[], plain uint64_t incremented by the owning engine.
 *    Aligned 64-bit loads and stores are single instructions on x86-64
 *    (and on every 64-bit target DPDK supports), so a reader sees an old
 *    or a new value, never a torn one; __atomic_load_n(RELAXED) says so to
 *    the compiler and costs nothing. Sums over engines are not a
 *    consistent cut: each counter is exact, relations between counters
 *    may be off by the packets in flight.
 *  - connections: the TCP table is mutated by the engine all the time and
 *    holds pointers, so the telemetry thread never walks it. It bumps a
 *    per-engine request number instead; the engine sees it in its poll
 *    loop (one load per iteration), copies what telemetry shows of every
 *    connection into a snapshot buffer under a seqlock, and publishes the
 *    request number it served. The command waits for that (bounded), and
 *    copies the rows it needs under the seqlock's read side, retrying if
 *    the engine rewrote them meanwhile. An engine that is not polled
 *    leaves the previous snapshot in place, reported as "stale".
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_pdump.h>
#include <rte_seqlock.h>
#include <rte_telemetry.h>
#include "mpdk/mpdk_tcp.h"
#include "mpdk/mpdk_mptcp.h"
#include "core/telemetry.h"
#include "core/engine.h"
#include "core/log.h"
#include "drivers/port.h"
#include "tcp/tcb.h"

#define TEL_MAX_STACKS 64
/* Rows one engine's snapshot holds; more connections are counted
 * ("total") but not shown. */
#define TEL_SNAP_CONNS 4096
#define TEL_SNAP_SUBFLOWS 1024
#define TEL_SF_PER_CONN 16
/* Rows per reply: a reply must fit in the telemetry library's output
 * buffer (16 KiB in DPDK 22.11, about 400 bytes per row here). */
#define TEL_PAGE 32
/* How long a command waits for the engines to take a snapshot. */
#define TEL_WAIT_MS 250
#define TEL_READ_TRIES 1000

/* One TCP connection or listener, as its engine saw it. */
struct tel_conn {
	uint32_t slot;
	uint8_t state;
	bool mptcp;                /* the connection is (or tries to be) a subflow */
	uint16_t lport, rport;     /* network byte order */
	uint32_t laddr, raddr;     /* network byte order */
	uint32_t srtt_us, rttvar_us, rto_us;
	uint32_t cwnd, ssthresh, snd_wnd, rcv_wnd, mss;
	uint32_t snd_queued, rcv_queued;
	uint64_t bytes_in, bytes_out, segs_in, segs_out, retransmits;
};

/* One subflow of an MPTCP connection (mpdk_mptcp_subflows()). */
struct tel_subflow {
	uint32_t conn_slot;        /* the connection's handle slot (anchor) */
	uint8_t idx;               /* position in the connection's list */
	uint8_t conn_state;        /* state of the MPTCP connection */
	struct mpdk_mptcp_subflow_info i;
};

struct tel_snap {
	rte_seqlock_t lock;
	uint64_t taken_ns;         /* CLOCK_MONOTONIC when the engine took it */
	uint32_t n_conns, total_conns;
	uint32_t n_sfs, total_sfs;
	struct tel_conn conns[TEL_SNAP_CONNS];
	struct tel_subflow sfs[TEL_SNAP_SUBFLOWS];
};

struct tel_engine {
	/* written by telemetry threads, read by the engine each iteration */
	uint32_t req __rte_cache_aligned;
	struct tel_snap *snap;     /* set (once) before the first request */
	/* written by the engine */
	uint32_t done __rte_cache_aligned;
};

struct tel_stack {
	struct mpdk_stack *s;      /* NULL: free slot */
	uint64_t serial;
	struct tel_engine *eng[ENGINE_MAX];  /* NULL: no snapshot hook */
};

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tel_stack tel_stacks[TEL_MAX_STACKS];
static unsigned tel_n_stacks;
static uint64_t tel_serial;
static bool tel_cmds_done;
static bool pdump_on;          /* we called rte_pdump_init() */

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ drop filter */

/* Name fragments of counters that count something discarded or refused:
 * the naming convention of the .def files (one counter per drop reason).
 * Counters named like a drop that are not one are excluded by name. */
static const char *const drop_words[] = {
	"drop", "fail", "write_error", "bad", "malformed", "truncated", "runt",
	"overflow", "token_full", "exhausted", "nombuf", "noroute", "no_route", "no_conn",
	"no_headroom", "too_big", "not_for_us", "unknown_", "token_unknown", "fragments",
	"hdr_split", "vlan", "multicast", "broadcast", "out_of_window", "ack_unsent",
	"_ignored", "after_close",
};
static const char *const drop_not[] = {
	"mp_fail_rx",        /* an MP_FAIL option received: a protocol event */
	"tcp_opt_ignored",   /* valid options not honoured: nothing discarded */
	"flow_rule_failures", /* an rte_flow rule not made: software redirect instead */
};
/* Words of descriptions that say so (for counters named otherwise). */
static const char *const drop_desc_words[] = { "dropped", "refused", "discarded" };

bool telemetry_counter_is_drop(unsigned id)
{
	if (id >= CTR_MAX)
		return false;
	for (size_t i = 0; i < RTE_DIM(drop_not); i++)
		if (strstr(counter_names[id], drop_not[i]) != NULL)
			return false;
	for (size_t i = 0; i < RTE_DIM(drop_words); i++)
		if (strstr(counter_names[id], drop_words[i]) != NULL)
			return true;
	for (size_t i = 0; i < RTE_DIM(drop_desc_words); i++)
		if (strstr(counter_descs[id], drop_desc_words[i]) != NULL)
			return true;
	return false;
}

/* --------------------------------------------------------- engine side */

static void snap_conn(struct tel_conn *c, const struct tcb *t)
{
	memset(c, 0, sizeof(*c));
	c->slot = t->idx;
	c->state = t->state;
	c->mptcp = t->sf != NULL || t->mp != NULL;
	c->laddr = t->laddr;
	c->raddr = t->raddr;
	c->lport = t->lport;
	c->rport = t->rport;
	if (t->state == TCPS_LISTEN)
		return;
	c->srtt_us = t->srtt_us;
	c->rttvar_us = t->rttvar_us;
	c->rto_us = tcp_rto_current(t);
	c->cwnd = t->cc.c.cwnd;
	c->ssthresh = t->cc.c.ssthresh;
	c->snd_wnd = t->snd_wnd;
	c->rcv_wnd = SEQ_GT(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	c->mss = t->mss;
	c->snd_queued = t->sndq.bytes;
	c->rcv_queued = t->rcvq.bytes;
	c->bytes_in = t->bytes_in;
	c->bytes_out = t->bytes_out;
	c->segs_in = t->segs_in;
	c->segs_out = t->segs_out;
	c->retransmits = t->retransmits;
}

/* The MPTCP connections' subflows, through the public API (the anchor's
 * handle is valid while the application holds the connection). */
static void snap_subflows(struct tel_snap *sn, const struct tcb *t)
{
	struct mpdk_mptcp_subflow_info sf[TEL_SF_PER_CONN];
	struct mpdk_conn_info ci;
	mpdk_conn_t h = tcb_handle(t);
	int n = mpdk_mptcp_subflows(h, sf, TEL_SF_PER_CONN);
	if (n <= 0 || mpdk_conn_info(h, &ci) < 0)
		return;
	for (int k = 0; k < n; k++) {
		sn->total_sfs++;
		if (k >= TEL_SF_PER_CONN || sn->n_sfs >= TEL_SNAP_SUBFLOWS)
			continue;
		struct tel_subflow *o = &sn->sfs[sn->n_sfs++];
		o->conn_slot = t->idx;
		o->idx = (uint8_t)k;
		o->conn_state = (uint8_t)ci.state;
		o->i = sf[k];
	}
}

static void snap_take(struct mpdk_engine *e, struct tel_snap *sn)
{
	const struct tcp_engine *te = tcp_te(e);

	rte_seqlock_write_lock(&sn->lock);
	sn->n_conns = sn->total_conns = 0;
	sn->n_sfs = sn->total_sfs = 0;
	if (te != NULL) {
		for (uint32_t i = 0, seen = 0; i < te->n_tcbs && seen < te->n_used; i++) {
			const struct tcb *t = &te->tcbs[i];
			if (!t->in_use)
				continue;
			seen++;
			sn->total_conns++;
			if (sn->n_conns < TEL_SNAP_CONNS)
				snap_conn(&sn->conns[sn->n_conns++], t);
			if (t->mp != NULL && (t->flags & TF_APP))
				snap_subflows(sn, t);
		}
	}
	sn->taken_ns = mono_ns();
	rte_seqlock_write_unlock(&sn->lock);
}

/* Engine hook: take a snapshot when a command asked for one. */
static int telemetry_engine_hook(struct mpdk_engine *e, void *arg)
{
	struct tel_engine *te = arg;
	uint32_t req = __atomic_load_n(&te->req, __ATOMIC_ACQUIRE);
	if (likely(req == te->done))
		return 0;
	struct tel_snap *sn = __atomic_load_n(&te->snap, __ATOMIC_ACQUIRE);
	if (sn != NULL)
		snap_take(e, sn);
	__atomic_store_n(&te->done, req, __ATOMIC_RELEASE);
	return 0;
}

/* ------------------------------------------------------------ registry */

/* Caller holds tel_lock. */
static struct tel_stack *find_serial(uint64_t serial)
{
	for (unsigned i = 0; i < TEL_MAX_STACKS; i++)
		if (tel_stacks[i].s != NULL && tel_stacks[i].serial == serial)
			return &tel_stacks[i];
	return NULL;
}

/* A stack by id (its slot, as /mpdk/stacks lists it) or by name; the
 * first stack when @key is empty. Caller holds tel_lock. */
static struct tel_stack *find_key(const char *key)
{
	if (key == NULL || key[0] == '\0') {
		for (unsigned i = 0; i < TEL_MAX_STACKS; i++)
			if (tel_stacks[i].s != NULL)
				return &tel_stacks[i];
		return NULL;
	}
	char *end;
	unsigned long id = strtoul(key, &end, 10);
	if (*end == '\0' && end != key) {
		if (id < TEL_MAX_STACKS && tel_stacks[id].s != NULL)
			return &tel_stacks[id];
		return NULL;
	}
	for (unsigned i = 0; i < TEL_MAX_STACKS; i++)
		if (tel_stacks[i].s != NULL && strcmp(tel_stacks[i].s->name, key) == 0)
			return &tel_stacks[i];
	return NULL;
}

/* Split "STACK[,ARG]" into its two parts (copied into @key and @arg). */
static void split_params(const char *params, char *key, size_t klen, char *arg, size_t alen)
{
	key[0] = arg[0] = '\0';
	if (params == NULL)
		return;
	const char *comma = strchr(params, ',');
	size_t n = comma ? (size_t)(comma - params) : strlen(params);
	if (n >= klen)
		n = klen - 1;
	memcpy(key, params, n);
	key[n] = '\0';
	if (comma != NULL)
		snprintf(arg, alen, "%s", comma + 1);
}

static void fmt_ep(char *buf, size_t len, uint32_t addr, uint16_t port)
{
	char a[INET_ADDRSTRLEN];
	struct in_addr ia = { .s_addr = addr };
	inet_ntop(AF_INET, &ia, a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, ntohs(port));
}

/* ------------------------------------------------------------ commands */

static int cmd_stacks(const char *cmd __rte_unused, const char *params __rte_unused,
		      struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel_lock);
	for (unsigned i = 0; i < TEL_MAX_STACKS; i++) {
		const struct mpdk_stack *s = tel_stacks[i].s;
		if (s == NULL)
			continue;
		struct rte_tel_data *c = rte_tel_data_alloc();
		if (c == NULL)
			break;
		char ports[RTE_TEL_MAX_STRING_LEN] = "", capture[RTE_TEL_MAX_STRING_LEN] = "";
		size_t pl = 0, cl = 0;
		for (uint16_t p = 0; p < s->n_ifaces; p++) {
			const struct mpdk_port *port = s->ifaces[p].port;
			const char *kind = port->ops ? port->ops->kind : "?";
			if (pl < sizeof(ports))
				pl += (size_t)snprintf(ports + pl, sizeof(ports) - pl, "%s%s(%s)",
						       p ? " " : "", port->name, kind);
			if (strcmp(kind, "ethdev") == 0 && cl < sizeof(capture))
				cl += (size_t)snprintf(capture + cl, sizeof(capture) - cl, "%s%u",
						       cl ? " " : "", port->ethdev_id);
		}
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "name", s->name);
		rte_tel_data_add_dict_u64(c, "engines", s->n_engines);
		rte_tel_data_add_dict_string(c, "ports", ports);
		rte_tel_data_add_dict_string(c, "ethdev_ports", capture);
		char key[16];
		snprintf(key, sizeof(key), "%u", i);
		if (rte_tel_data_add_dict_container(d, key, c, 0) != 0)
			rte_tel_data_free(c);
	}
	pthread_mutex_unlock(&tel_lock);
	return 0;
}

static uint64_t counter_sum(const struct mpdk_stack *s, unsigned c)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < s->n_engines; i++)
		v += __atomic_load_n(&s->engines[i]->ctr[c], __ATOMIC_RELAXED);
	return v;
}

static int counters_cmd(const char *params, struct rte_tel_data *d, bool drops_only)
{
	char key[64], prefix[64];
	split_params(params, key, sizeof(key), prefix, sizeof(prefix));
	int rc = 0;
	pthread_mutex_lock(&tel_lock);
	struct tel_stack *ts = find_key(key);
	if (ts == NULL) {
		rc = -ENOENT;
		goto out;
	}
	rte_tel_data_start_dict(d);
	size_t plen = strlen(prefix);
	for (unsigned c = 0; c < CTR_MAX; c++) {
		if (drops_only && !telemetry_counter_is_drop(c))
			continue;
		if (plen && strncmp(counter_names[c], prefix, plen) != 0)
			continue;
		if (rte_tel_data_add_dict_u64(d, counter_names[c], counter_sum(ts->s, c)) != 0)
			break; /* dictionary full: narrow it with a prefix */
	}
out:
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

static int cmd_stats(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return counters_cmd(params, d, false);
}

static int cmd_drops(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return counters_cmd(params, d, true);
}

/* Ask every engine of the stack for a fresh snapshot and wait (bounded)
 * until they took it. Returns the stack's serial, 0 when it is unknown
 * (or went away), and sets *stale when an engine did not answer. */
static uint64_t snapshot_request(const char *key, bool *stale, int *err)
{
	uint32_t want[ENGINE_MAX] = { 0 };
	uint64_t serial;

	*stale = false;
	*err = 0;
	pthread_mutex_lock(&tel_lock);
	struct tel_stack *ts = find_key(key);
	if (ts == NULL) {
		pthread_mutex_unlock(&tel_lock);
		*err = -ENOENT;
		return 0;
	}
	serial = ts->serial;
	for (unsigned i = 0; i < ts->s->n_engines; i++) {
		struct tel_engine *te = ts->eng[i];
		if (te == NULL)
			continue;
		if (te->snap == NULL) {
			struct tel_snap *sn = calloc(1, sizeof(*sn));
			if (sn == NULL) {
				*err = -ENOMEM;
				continue;
			}
			rte_seqlock_init(&sn->lock);
			__atomic_store_n(&te->snap, sn, __ATOMIC_RELEASE);
		}
		want[i] = __atomic_add_fetch(&te->req, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&tel_lock);

	for (unsigned waited = 0;; waited++) {
		bool all = true;
		pthread_mutex_lock(&tel_lock);
		ts = find_serial(serial);
		if (ts == NULL) {
			pthread_mutex_unlock(&tel_lock);
			*err = -ENOENT;
			return 0;
		}
		for (unsigned i = 0; i < ts->s->n_engines; i++) {
			struct tel_engine *te = ts->eng[i];
			if (te != NULL && te->snap != NULL &&
			    (int32_t)(__atomic_load_n(&te->done, __ATOMIC_ACQUIRE) - want[i]) < 0)
				all = false;
		}
		pthread_mutex_unlock(&tel_lock);
		if (all)
			break;
		if (waited >= TEL_WAIT_MS) {
			*stale = true;
			break;
		}
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	return serial;
}

/* Copy rows [from, from + n) of one engine's snapshot (conns or
 * subflows) with the counts, consistently. Returns the rows copied, or
 * -1 when the engine kept rewriting it. */
static int snap_read(const struct tel_snap *sn, bool subflows, uint32_t from, uint32_t n,
		     void *rows, uint32_t *avail, uint32_t *total, uint64_t *taken)
{
	for (unsigned tries = 0; tries < TEL_READ_TRIES; tries++) {
		uint32_t seq = rte_seqlock_read_begin(&sn->lock);
		uint32_t have = subflows ? sn->n_sfs : sn->n_conns;
		uint32_t tot = subflows ? sn->total_sfs : sn->total_conns;
		uint32_t cap = subflows ? TEL_SNAP_SUBFLOWS : TEL_SNAP_CONNS;
		if (have > cap)
			have = cap;  /* torn: retried below */
		uint32_t k = from < have ? RTE_MIN(n, have - from) : 0;
		if (k > 0) {
			if (subflows)
				memcpy(rows, &sn->sfs[from], k * sizeof(sn->sfs[0]));
			else
				memcpy(rows, &sn->conns[from], k * sizeof(sn->conns[0]));
		}
		uint64_t t = sn->taken_ns;
		if (!rte_seqlock_read_retry(&sn->lock, seq)) {
			*avail = have;
			*total = tot;
			*taken = t;
			return (int)k;
		}
	}
	return -1;
}

/* Row keys are ENGINE_SLOT (subflows ENGINE_SLOT_INDEX): the telemetry
 * library accepts only letters, digits, '_' and '/' in names. */
static void add_conn(struct rte_tel_data *d, unsigned eng, const struct tel_conn *r)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	if (c == NULL)
		return;
	char ep[40], key[32];
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_string(c, "state",
				     mpdk_tcp_state_name((enum mpdk_tcp_state)r->state));
	fmt_ep(ep, sizeof(ep), r->laddr, r->lport);
	rte_tel_data_add_dict_string(c, "local", ep);
	fmt_ep(ep, sizeof(ep), r->raddr, r->rport);
	rte_tel_data_add_dict_string(c, "remote", ep);
	rte_tel_data_add_dict_u64(c, "engine", eng);
	rte_tel_data_add_dict_u64(c, "mptcp", r->mptcp);
	rte_tel_data_add_dict_u64(c, "srtt_us", r->srtt_us);
	rte_tel_data_add_dict_u64(c, "rttvar_us", r->rttvar_us);
	rte_tel_data_add_dict_u64(c, "rto_us", r->rto_us);
	rte_tel_data_add_dict_u64(c, "cwnd", r->cwnd);
	rte_tel_data_add_dict_u64(c, "ssthresh", r->ssthresh);
	rte_tel_data_add_dict_u64(c, "snd_wnd", r->snd_wnd);
	rte_tel_data_add_dict_u64(c, "rcv_wnd", r->rcv_wnd);
	rte_tel_data_add_dict_u64(c, "mss", r->mss);
	rte_tel_data_add_dict_u64(c, "snd_queued", r->snd_queued);
	rte_tel_data_add_dict_u64(c, "rcv_queued", r->rcv_queued);
	rte_tel_data_add_dict_u64(c, "bytes_in", r->bytes_in);
	rte_tel_data_add_dict_u64(c, "bytes_out", r->bytes_out);
	rte_tel_data_add_dict_u64(c, "segs_in", r->segs_in);
	rte_tel_data_add_dict_u64(c, "segs_out", r->segs_out);
	rte_tel_data_add_dict_u64(c, "retransmits", r->retransmits);
	snprintf(key, sizeof(key), "%u_%u", eng, r->slot);
	if (rte_tel_data_add_dict_container(d, key, c, 0) != 0)
		rte_tel_data_free(c);
}

static void add_subflow(struct rte_tel_data *d, unsigned eng, const struct tel_subflow *r)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	if (c == NULL)
		return;
	const struct mpdk_mptcp_subflow_info *i = &r->i;
	char ep[40], key[40];
	rte_tel_data_start_dict(c);
	snprintf(key, sizeof(key), "%u_%u", eng, r->conn_slot);
	rte_tel_data_add_dict_string(c, "conn", key);
	rte_tel_data_add_dict_string(c, "conn_state",
				     mpdk_tcp_state_name((enum mpdk_tcp_state)r->conn_state));
	rte_tel_data_add_dict_string(c, "state",
				     i->closed ? "GONE" : mpdk_tcp_state_name((enum mpdk_tcp_state)i->state));
	fmt_ep(ep, sizeof(ep), i->local_addr, i->local_port);
	rte_tel_data_add_dict_string(c, "local", ep);
	fmt_ep(ep, sizeof(ep), i->remote_addr, i->remote_port);
	rte_tel_data_add_dict_string(c, "remote", ep);
	rte_tel_data_add_dict_u64(c, "local_id", i->local_id);
	rte_tel_data_add_dict_u64(c, "remote_id", i->remote_id);
	rte_tel_data_add_dict_u64(c, "initial", i->initial);
	rte_tel_data_add_dict_u64(c, "backup", i->backup);
	rte_tel_data_add_dict_u64(c, "closed", i->closed);
	rte_tel_data_add_dict_u64(c, "srtt_us", i->srtt_us);
	rte_tel_data_add_dict_u64(c, "cwnd", i->cwnd);
	rte_tel_data_add_dict_u64(c, "bytes_in", i->bytes_in);
	rte_tel_data_add_dict_u64(c, "bytes_out", i->bytes_out);
	rte_tel_data_add_dict_u64(c, "retransmits", i->retransmits);
	snprintf(key, sizeof(key), "%u_%u_%u", eng, r->conn_slot, r->idx);
	if (rte_tel_data_add_dict_container(d, key, c, 0) != 0)
		rte_tel_data_free(c);
}

/* /mpdk/conns and /mpdk/subflows: rows of every engine's snapshot, engine
 * 0's first, TEL_PAGE per reply from index START. */
static int rows_cmd(const char *params, struct rte_tel_data *d, bool subflows)
{
	char key[64], arg[32];
	split_params(params, key, sizeof(key), arg, sizeof(arg));
	char *end;
	unsigned long start = strtoul(arg, &end, 10);
	if (*end != '\0')
		return -EINVAL;

	bool stale;
	int err;
	uint64_t serial = snapshot_request(key, &stale, &err);
	if (serial == 0)
		return err;

	union {
		struct tel_conn c[TEL_PAGE];
		struct tel_subflow s[TEL_PAGE];
	} *rows = malloc(sizeof(*rows));
	if (rows == NULL)
		return -ENOMEM;

	int rc = 0;
	uint64_t total = 0, shown_total = 0, oldest = UINT64_MAX;
	uint32_t emitted = 0;
	bool more = false;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel_lock);
	struct tel_stack *ts = find_serial(serial);
	if (ts == NULL) {
		rc = -ENOENT;
		goto out;
	}
	uint64_t base = 0;   /* index of this engine's first row */
	for (unsigned e = 0; e < ts->s->n_engines; e++) {
		const struct tel_engine *te = ts->eng[e];
		if (te == NULL || te->snap == NULL)
			continue;
		uint32_t from = 0, want = 0;
		if (start > base)
			from = (uint32_t)RTE_MIN(start - base, (uint64_t)UINT32_MAX);
		if (emitted < TEL_PAGE)
			want = TEL_PAGE - emitted;
		uint32_t avail, tot;
		uint64_t taken;
		int n = snap_read(te->snap, subflows, from, want, rows, &avail, &tot, &taken);
		if (n < 0) {
			stale = true;
			continue;
		}
		total += tot;
		shown_total += avail;
		if (taken != 0 && taken < oldest)
			oldest = taken;   /* 0: the engine never took one */
		for (int k = 0; k < n; k++) {
			if (subflows)
				add_subflow(d, e, &rows->s[k]);
			else
				add_conn(d, e, &rows->c[k]);
		}
		emitted += (uint32_t)n;
		if (from + (uint32_t)n < avail)
			more = true;
		base += avail;
	}
	rte_tel_data_add_dict_u64(d, "total", total);
	if (more)
		rte_tel_data_add_dict_u64(d, "next", start + emitted);
	if (total > shown_total)
		rte_tel_data_add_dict_u64(d, "not_shown", total - shown_total);
	if (stale)
		rte_tel_data_add_dict_u64(d, "stale", 1);
	if (oldest != UINT64_MAX)
		rte_tel_data_add_dict_u64(d, "snapshot_age_ms", (mono_ns() - oldest) / 1000000);
out:
	pthread_mutex_unlock(&tel_lock);
	free(rows);
	return rc;
}

static int cmd_conns(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return rows_cmd(params, d, false);
}

static int cmd_subflows(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	return rows_cmd(params, d, true);
}

static void register_commands(void)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/mpdk/stacks", cmd_stacks,
		  "mpdk stacks of this process: id -> name, engines, ports, ethdev port ids" },
		{ "/mpdk/stats", cmd_stats,
		  "Every counter of a stack, summed over engines. Parameters: stack id or name[,name prefix]" },
		{ "/mpdk/drops", cmd_drops,
		  "Counters of discarded packets and refused work. Parameters: stack id or name[,name prefix]" },
		{ "/mpdk/conns", cmd_conns,
		  "TCP connections and listeners (32 per reply; \"next\" gives the next start). Parameters: stack[,start]" },
		{ "/mpdk/subflows", cmd_subflows,
		  "Subflows of MPTCP connections (32 per reply). Parameters: stack[,start]" },
	};
	for (size_t i = 0; i < RTE_DIM(cmds); i++)
		if (rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help) != 0)
			MPDK_LOG(WARNING, "telemetry: cannot register %s", cmds[i].cmd);
}

/* -------------------------------------------------------------- pdump */

/* Serve dpdk-dumpcap: it asks the primary, over the multi-process
 * channel, to mirror a port's rx/tx into its ring. Without that channel
 * (--in-memory, --no-shconf) rte_pdump_init() still succeeds, and
 * dpdk-dumpcap cannot attach anyway. Caller holds tel_lock. */
static void pdump_start(void)
{
	if (pdump_on || rte_eal_process_type() != RTE_PROC_PRIMARY)
		return;
	if (rte_pdump_init() != 0) {
		MPDK_LOG(INFO, "packet capture (rte_pdump) not available: %s",
			 rte_strerror(rte_errno));
		return;
	}
	pdump_on = true;
	MPDK_LOG(DEBUG, "packet capture served: dpdk-dumpcap --file-prefix %s",
		 strrchr(rte_eal_get_runtime_dir(), '/') ? strrchr(rte_eal_get_runtime_dir(), '/') + 1
							  : rte_eal_get_runtime_dir());
}

static void pdump_stop(void)
{
	if (!pdump_on)
		return;
	rte_pdump_uninit();
	pdump_on = false;
}

/* ------------------------------------------------------- registration */

int telemetry_stack_register(struct mpdk_stack *s)
{
	int rc = 0;
	pthread_mutex_lock(&tel_lock);
	if (!tel_cmds_done) {
		register_commands();
		tel_cmds_done = true;
	}
	unsigned slot;
	for (slot = 0; slot < TEL_MAX_STACKS; slot++)
		if (tel_stacks[slot].s == NULL)
			break;
	if (slot == TEL_MAX_STACKS) {
		MPDK_LOG(WARNING, "telemetry: more than %d stacks, %s not published",
			 TEL_MAX_STACKS, s->name);
		rc = -ENOSPC;
		goto out;
	}
	struct tel_stack *ts = &tel_stacks[slot];
	memset(ts, 0, sizeof(*ts));
	for (unsigned i = 0; i < s->n_engines; i++) {
		struct tel_engine *te = rte_zmalloc("mpdk_tel_engine", sizeof(*te),
						    RTE_CACHE_LINE_SIZE);
		if (te == NULL) {
			rc = -ENOMEM;
			continue;
		}
		if (engine_add_hook(s->engines[i], telemetry_engine_hook, te) < 0) {
			MPDK_LOG(WARNING, "telemetry: no hook slot on engine %u: no connection lists",
				 i);
			rte_free(te);
			rc = -ENOSPC;
			continue;
		}
		ts->eng[i] = te;
	}
	ts->serial = ++tel_serial;
	ts->s = s;
	if (tel_n_stacks++ == 0)
		pdump_start();
out:
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

void telemetry_stack_unregister(struct mpdk_stack *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&tel_lock);
	for (unsigned slot = 0; slot < TEL_MAX_STACKS; slot++) {
		struct tel_stack *ts = &tel_stacks[slot];
		if (ts->s != s)
			continue;
		for (unsigned i = 0; i < ENGINE_MAX; i++) {
			if (ts->eng[i] == NULL)
				continue;
			/* The engine's hook stays registered (hooks are not
			 * removed); it must not find this memory again, and
			 * the engine is freed right after us. */
			free(ts->eng[i]->snap);
			rte_free(ts->eng[i]);
		}
		memset(ts, 0, sizeof(*ts));
		if (--tel_n_stacks == 0)
			pdump_stop();
		break;
	}
	pthread_mutex_unlock(&tel_lock);
}
