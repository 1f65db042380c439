/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MPTCP schedulers (see sched.h and docs/scheduler.md). Prior art: Linux
 * net/mptcp (mptcp_subflow_get_send: backups only when no regular
 * subflow is active) and the out-of-tree Linux schedulers (default,
 * roundrobin, redundant).
 */

#include <errno.h>
#include <string.h>
#include "sched.h"

/* Which subflows a scheduler may use now: the eligibility rules of
 * sched.h. Returns a bit mask over sfs[], skipping @exclude. */
static uint32_t eligible_mask(const struct mptcp_sched_subflow *sfs, unsigned n, unsigned exclude)
{
	uint32_t usable = 0, pf = 0, regular = 0, backup = 0;

	for (unsigned i = 0; i < n; i++) {
		if (i == exclude || !sfs[i].active)
			continue;
		if (sfs[i].potentially_failed)
			pf |= 1u << i;
		else
			usable |= 1u << i;
	}
	if (usable == 0)
		usable = pf;          /* every path looks failed: keep trying */
	for (unsigned i = 0; i < n; i++) {
		if (!(usable & (1u << i)))
			continue;
		if (sfs[i].backup)
			backup |= 1u << i;
		else
			regular |= 1u << i;
	}
	/* RFC 8684 §3.3.8: backups only when no regular subflow is usable. */
	return regular ? regular : backup;
}

static bool has_room(const struct mptcp_sched_subflow *s, uint64_t pending)
{
	uint32_t need = s->mss ? s->mss : 1;

	if (pending != 0 && pending < need)
		need = (uint32_t)pending;
	return mptcp_sched_room(s) >= need;
}

/* srtt 0 (unknown) sorts after every measured RTT. */
static uint64_t rtt_key(const struct mptcp_sched_subflow *s)
{
	return s->srtt_us ? s->srtt_us : (uint64_t)UINT32_MAX + 1;
}

static void choose(struct mptcp_sched_choice *out, const struct mptcp_sched_subflow *sfs,
		   unsigned i)
{
	out->idx[out->n] = (uint8_t)i;
	out->room[out->n] = mptcp_sched_room(&sfs[i]);
	out->n++;
}

/* Lowest-RTT subflow with room among @mask; ties go to the lower index.
 * -1 when none has room. */
static int lowest_rtt(const struct mptcp_sched_subflow *sfs, unsigned n, uint32_t mask,
		      uint64_t pending)
{
	int best = -1;

	for (unsigned i = 0; i < n; i++) {
		if (!(mask & (1u << i)) || !has_room(&sfs[i], pending))
			continue;
		if (best < 0 || rtt_key(&sfs[i]) < rtt_key(&sfs[best]))
			best = (int)i;
	}
	return best;
}

static int no_choice(uint32_t mask)
{
	return mask ? -EAGAIN : -ENOENT;
}

/* ---- default -------------------------------------------------------- */

/* How long the bytes a subflow already holds take to drain at its rate
 * (cwnd per srtt), in microseconds: 0 when it holds nothing. Prior art:
 * Linux net/mptcp mptcp_subflow_get_send ("linger time", queued bytes
 * over the pacing rate). */
static uint64_t linger_us(const struct mptcp_sched_subflow *s)
{
	if (s->inflight_bytes == 0)
		return 0;
	if (s->cwnd_bytes == 0)
		return UINT64_MAX;
	/* < 2^32 * 2^33: fits */
	return (uint64_t)s->inflight_bytes * rtt_key(s) / s->cwnd_bytes;
}

/* Among @mask, the subflow with room whose queue drains first; equal
 * drain times go to the lower srtt, then the lower index. -1 when none
 * has room. Lowest srtt alone starves a path for good: once its srtt is
 * inflated (a burst queued on it, a descheduled peer) it never gets data
 * again, so it never gets an RTT sample that would bring it down, and the
 * whole data-level window (RFC 8684 §3.3.4) rides on one subflow. An
 * idle subflow drains at once: it gets the next chunk and a fresh
 * sample. */
static int lowest_linger(const struct mptcp_sched_subflow *sfs, unsigned n, uint32_t mask,
			 uint64_t pending)
{
	int best = -1;
	uint64_t best_l = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!(mask & (1u << i)) || !has_room(&sfs[i], pending))
			continue;
		uint64_t l = linger_us(&sfs[i]);
		if (best < 0 || l < best_l ||
		    (l == best_l && rtt_key(&sfs[i]) < rtt_key(&sfs[best]))) {
			best = (int)i;
			best_l = l;
		}
	}
	return best;
}

static int default_pick(void *state, const struct mptcp_sched_subflow *sfs, unsigned n,
			struct mptcp_sched_choice *out)
{
	uint32_t mask = eligible_mask(sfs, n, n);
	int i = lowest_linger(sfs, n, mask, out->pending);

	(void)state;
	if (i < 0)
		return no_choice(mask);
	choose(out, sfs, (unsigned)i);
	return i;
}

const struct mptcp_sched_ops mptcp_sched_default = {
	.name = "default",
	.state_size = 0,
	.init = NULL,
	.pick = default_pick,
};

/* ---- round robin ------------------------------------------------------ */

struct rr_state {
	unsigned next;     /* index to try first */
};
_Static_assert(sizeof(struct rr_state) <= MPTCP_SCHED_STATE_MAX, "rr state too large");

static int rr_pick(void *state, const struct mptcp_sched_subflow *sfs, unsigned n,
		   struct mptcp_sched_choice *out)
{
	struct rr_state *rr = state;
	uint32_t mask = eligible_mask(sfs, n, n);

	for (unsigned k = 0; k < n; k++) {
		unsigned i = (rr->next + k) % n;

		if (!(mask & (1u << i)) || !has_room(&sfs[i], out->pending))
			continue;
		rr->next = (i + 1) % n;
		choose(out, sfs, i);
		return (int)i;
	}
	return no_choice(mask);
}

const struct mptcp_sched_ops mptcp_sched_roundrobin = {
	.name = "roundrobin",
	.state_size = sizeof(struct rr_state),
	.init = NULL,
	.pick = rr_pick,
};

/* ---- redundant ------------------------------------------------------ */

static int redundant_pick(void *state, const struct mptcp_sched_subflow *sfs, unsigned n,
			  struct mptcp_sched_choice *out)
{
	uint32_t mask = eligible_mask(sfs, n, n);
	uint32_t left = mask;
	int i;

	(void)state;
	/* Selection by RTT, so that idx[0] is the fastest path. */
	while ((i = lowest_rtt(sfs, n, left, out->pending)) >= 0) {
		choose(out, sfs, (unsigned)i);
		left &= ~(1u << i);
	}
	if (out->n == 0)
		return no_choice(mask);
	return out->idx[0];
}

const struct mptcp_sched_ops mptcp_sched_redundant = {
	.name = "redundant",
	.state_size = 0,
	.init = NULL,
	.pick = redundant_pick,
};

/* ---- registry and entry points ---------------------------------------- */

#define MPTCP_SCHED_REG_MAX 8

static const struct mptcp_sched_ops *registry[MPTCP_SCHED_REG_MAX] = {
	&mptcp_sched_default,
	&mptcp_sched_roundrobin,
	&mptcp_sched_redundant,
};
static unsigned n_registered = 3;

const struct mptcp_sched_ops *mptcp_sched_find(const char *name)
{
	if (name == NULL || name[0] == '\0')
		return &mptcp_sched_default;
	for (unsigned i = 0; i < n_registered; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const struct mptcp_sched_ops *mptcp_sched_get(unsigned i)
{
	return i < n_registered ? registry[i] : NULL;
}

int mptcp_sched_register(const struct mptcp_sched_ops *ops)
{
	if (ops == NULL || ops->name == NULL || ops->name[0] == '\0' || ops->pick == NULL ||
	    ops->state_size > MPTCP_SCHED_STATE_MAX)
		return -EINVAL;
	if (mptcp_sched_find(ops->name) != NULL)
		return -EEXIST;
	if (n_registered == MPTCP_SCHED_REG_MAX)
		return -ENOSPC;
	registry[n_registered++] = ops;
	return 0;
}

void mptcp_sched_init(const struct mptcp_sched_ops *ops, void *state)
{
	memset(state, 0, MPTCP_SCHED_STATE_MAX);
	if (ops && ops->init)
		ops->init(state);
}

static void choice_reset(struct mptcp_sched_choice *out)
{
	out->n = 0;
	memset(out->idx, 0, sizeof(out->idx));
	memset(out->room, 0, sizeof(out->room));
}

int mptcp_sched_pick(const struct mptcp_sched_ops *ops, void *state,
		     const struct mptcp_sched_subflow *sfs, unsigned n,
		     struct mptcp_sched_choice *out)
{
	if (out == NULL)
		return -EINVAL;
	choice_reset(out);
	if (ops == NULL || ops->pick == NULL || n > MPTCP_SCHED_MAX_SUBFLOWS ||
	    (n > 0 && sfs == NULL) || (ops->state_size > 0 && state == NULL))
		return -EINVAL;
	if (n == 0)
		return -ENOENT;
	return ops->pick(state, sfs, n, out);
}

int mptcp_sched_reinject_target(const struct mptcp_sched_subflow *sfs, unsigned n,
				unsigned failed, struct mptcp_sched_choice *out)
{
	uint32_t mask;
	int i;

	if (out == NULL)
		return -EINVAL;
	choice_reset(out);
	if (n > MPTCP_SCHED_MAX_SUBFLOWS || (n > 0 && sfs == NULL))
		return -EINVAL;
	mask = eligible_mask(sfs, n, failed);
	i = lowest_rtt(sfs, n, mask, out->pending);
	if (i < 0)
		return no_choice(mask);
	choose(out, sfs, (unsigned)i);
	return i;
}

void mptcp_sched_set_window(struct mptcp_sched_subflow *s, const struct mptcp_sched_tcp_window *w)
{
	uint32_t held = w->held;

	if (w->sack_recovery) {
		/* RFC 6675 §5 (C): room is cwnd - pipe, less the unsent
		 * bytes the subflow already holds (they go out first) */
		uint32_t pipe = w->pipe < w->held ? w->pipe : w->held;
		uint32_t unsent = w->unsent < w->held - pipe ? w->unsent : w->held - pipe;
		held = pipe + unsent;
	}
	s->cwnd_bytes = w->cwnd;
	s->inflight_bytes = held;
}
