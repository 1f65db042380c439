/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the hierarchical timer wheel (src/core/timer_wheel.c).
 * Pure logic over a virtual clock: no EAL. Every test checks a property
 * of our own design (design.md: timer wheel), named in its comment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timer_wheel.h"

#define US 1000ull
#define MS (1000ull * US)
#define SEC (1000ull * MS)
#define HOUR (3600ull * SEC)

struct ttimer {
	struct timer t;
	uint32_t id;
	uint32_t fires;
	uint64_t expire_ns;
	uint64_t fired_ns;         /* wheel time of the advance that ran it */
	uint64_t seq;              /* arm order, for the reference model */
	bool overdue;              /* model: armed at or before the wheel's time */
};

/* State shared with the callbacks. */
static struct timer_wheel *g_tw;
static uint32_t *g_log;
static size_t g_nlog, g_caplog;
static uint64_t g_prev_now;        /* time of the previous advance call */

static void log_push(uint32_t id)
{
	if (g_nlog == g_caplog) {
		g_caplog = g_caplog ? 2 * g_caplog : 1024;
		g_log = realloc(g_log, g_caplog * sizeof(*g_log));
		assert_non_null(g_log);
	}
	g_log[g_nlog++] = id;
}

static void log_cb(struct timer *t, void *arg)
{
	struct ttimer *tt = arg;

	assert_ptr_equal(t, &tt->t);
	assert_false(timer_armed(t));
	tt->fires++;
	tt->fired_ns = g_tw->now_ns;
	log_push(tt->id);
}

static void tt_init(struct ttimer *tt, uint32_t id)
{
	memset(tt, 0, sizeof(*tt));
	tt->id = id;
	timer_init(&tt->t, log_cb, tt);
}

static void tt_arm(struct ttimer *tt, uint64_t expire_ns)
{
	tt->expire_ns = expire_ns;
	timer_arm(g_tw, &tt->t, expire_ns);
}

static uint64_t ceil_tick_ns(uint64_t ns, uint64_t tick)
{
	return (ns / tick + (ns % tick != 0)) * tick;
}

static unsigned advance(uint64_t now)
{
	unsigned n = timer_wheel_advance(g_tw, now);
	g_prev_now = g_tw->now_ns;
	return n;
}

static void wheel_reset(uint64_t now, uint64_t tick)
{
	timer_wheel_init(g_tw, now, tick);
	g_nlog = 0;
	g_prev_now = now;
}

static uint64_t g_rng;
static uint64_t rnd(void)
{
	/* xorshift64*: seeded, same sequence every run */
	g_rng ^= g_rng >> 12;
	g_rng ^= g_rng << 25;
	g_rng ^= g_rng >> 27;
	return g_rng * 0x2545F4914F6CDD1Dull;
}

/* Delay in ticks spread over every level and beyond the wheel's span. */
static uint64_t rnd_delay_ticks(void)
{
	static const unsigned bits[] = { 8, 16, 24, 32, 36 };
	unsigned b = bits[rnd() % 5];
	return rnd() & ((1ull << b) - 1);
}

static int setup(void **state)
{
	(void)state;
	g_tw = malloc(sizeof(*g_tw));
	if (g_tw == NULL)
		return -1;
	wheel_reset(0, 1);
	g_rng = 0x9E3779B97F4A7C15ull;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(g_tw);
	g_tw = NULL;
	free(g_log);
	g_log = NULL;
	g_nlog = g_caplog = 0;
	return 0;
}

/* design.md: timer wheel — a timer fires in the first advance that reaches
 * ceil(expire / tick) * tick: never early, late by less than one tick
 * (time stepped one ns at a time from an unaligned start). */
static void test_fires_at_exact_time(void **state)
{
	(void)state;
	const uint64_t tick = 1000, start = 5000123;
	const uint64_t offs[] = { 1, 876, 877, 999, 1000, 1001, 1877, 12345, 255 * tick, 300 * tick + 1 };
	struct ttimer tt[sizeof(offs) / sizeof(offs[0])];
	const unsigned n = sizeof(offs) / sizeof(offs[0]);

	wheel_reset(start, tick);
	for (unsigned i = 0; i < n; i++) {
		tt_init(&tt[i], i);
		tt_arm(&tt[i], start + offs[i]);
	}
	assert_int_equal(g_tw->n_armed, n);
	for (uint64_t now = start; now <= start + 302 * tick; now++) {
		advance(now);
		for (unsigned i = 0; i < n; i++) {
			if (now < tt[i].expire_ns)
				assert_int_equal(tt[i].fires, 0);
		}
	}
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(tt[i].fires, 1);
		assert_true(tt[i].fired_ns >= tt[i].expire_ns);
		assert_true(tt[i].fired_ns - tt[i].expire_ns < tick);
		assert_int_equal(tt[i].fired_ns, ceil_tick_ns(tt[i].expire_ns, tick));
	}
	assert_int_equal(g_tw->n_armed, 0);
}

/* design.md: timer wheel — a timer due at or before the wheel's current time
 * (including one inside the current tick) fires on the very next advance,
 * even if time has not moved, in arm order. */
static void test_due_now_fires_on_next_advance(void **state)
{
	(void)state;
	const uint64_t tick = 100 * US, start = 10 * SEC + 50 * US;
	struct ttimer tt[5];

	wheel_reset(start, tick);
	for (unsigned i = 0; i < 5; i++)
		tt_init(&tt[i], i);
	tt_arm(&tt[0], start);
	tt_arm(&tt[1], start - 5 * tick);
	timer_arm_in(g_tw, &tt[2].t, 0);
	tt_arm(&tt[3], 0);
	tt_arm(&tt[4], start - 10);      /* same tick as now, just before it */
	assert_int_equal(advance(start), 5);
	assert_int_equal(g_nlog, 5);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(g_log[i], i);
		assert_int_equal(tt[i].fired_ns, start);
	}
	assert_int_equal(advance(start), 0);
	/* 1 ns in the future, inside the current tick: waits for its tick */
	tt_arm(&tt[0], start + 1);
	assert_int_equal(advance(start + 1), 0);
	assert_int_equal(advance(ceil_tick_ns(start + 1, tick) - 1), 0);
	assert_int_equal(advance(ceil_tick_ns(start + 1, tick)), 1);
	assert_int_equal(tt[0].fired_ns, ceil_tick_ns(start + 1, tick));
}

static struct ttimer *g_victims[4];

static void cancel_victims_cb(struct timer *t, void *arg)
{
	log_cb(t, arg);
	for (unsigned i = 0; i < 4; i++) {
		if (g_victims[i] != NULL)
			timer_cancel(g_tw, &g_victims[i]->t);
	}
}

/* design.md: timer wheel — cancel before expiry stops the timer; cancel of
 * an unarmed or already fired timer is a no-op; a callback may cancel other
 * timers due in the same tick, later, or itself. */
static void test_cancel(void **state)
{
	(void)state;
	const uint64_t tick = 1 * MS;
	struct ttimer tt[8];

	wheel_reset(0, tick);
	for (unsigned i = 0; i < 8; i++)
		tt_init(&tt[i], i);

	/* before expiry, at several levels */
	tt_arm(&tt[0], 10 * tick);
	tt_arm(&tt[1], 1000 * tick);
	tt_arm(&tt[2], 100000 * tick);
	tt_arm(&tt[3], 10 * tick);
	timer_cancel(g_tw, &tt[0].t);
	timer_cancel(g_tw, &tt[1].t);
	timer_cancel(g_tw, &tt[2].t);
	assert_false(timer_armed(&tt[0].t));
	assert_int_equal(g_tw->n_armed, 1);
	/* unarmed: no-op, twice */
	timer_cancel(g_tw, &tt[0].t);
	timer_cancel(g_tw, &tt[4].t);
	assert_int_equal(g_tw->n_armed, 1);
	assert_int_equal(advance(200000 * tick), 1);
	assert_int_equal(tt[3].fires, 1);
	assert_int_equal(tt[0].fires + tt[1].fires + tt[2].fires, 0);
	/* already fired: no-op */
	timer_cancel(g_tw, &tt[3].t);
	assert_int_equal(g_tw->n_armed, 0);
	assert_int_equal(timer_wheel_next_expiry(g_tw), UINT64_MAX);

	/* inside a callback: same tick (armed after), later tick, a far one,
	 * and itself */
	uint64_t now = g_tw->now_ns;
	for (unsigned i = 0; i < 8; i++)
		tt[i].fires = 0;
	tt[0].t.cb = cancel_victims_cb;
	tt_arm(&tt[0], now + 5 * tick);
	tt_arm(&tt[1], now + 5 * tick);
	tt_arm(&tt[2], now + 6 * tick);
	tt_arm(&tt[3], now + 70000 * tick);
	tt_arm(&tt[4], now + 5 * tick);
	g_victims[0] = &tt[1];
	g_victims[1] = &tt[2];
	g_victims[2] = &tt[3];
	g_victims[3] = &tt[0];
	g_nlog = 0;
	assert_int_equal(advance(now + 100000 * tick), 2);
	assert_int_equal(g_nlog, 2);
	assert_int_equal(g_log[0], 0);
	assert_int_equal(g_log[1], 4);
	assert_int_equal(tt[1].fires + tt[2].fires + tt[3].fires, 0);
	assert_int_equal(g_tw->n_armed, 0);
	memset(g_victims, 0, sizeof(g_victims));
}

static struct ttimer *g_move;
static uint64_t g_move_to;

static void rearm_other_cb(struct timer *t, void *arg)
{
	log_cb(t, arg);
	tt_arm(g_move, g_move_to);
}

/* design.md: timer wheel — re-arming an armed timer moves it (later, earlier,
 * across levels) and it fires once, at the new time; a callback may re-arm a
 * timer that was due in the same tick. */
static void test_rearm_moves(void **state)
{
	(void)state;
	const uint64_t tick = 1 * MS;
	struct ttimer a, b, c;

	wheel_reset(0, tick);
	tt_init(&a, 0);
	tt_init(&b, 1);
	tt_init(&c, 2);
	tt_arm(&a, 10 * tick);
	tt_arm(&a, 300 * tick);          /* level 0 -> level 1 */
	tt_arm(&a, 70000 * tick);        /* -> level 2 */
	tt_arm(&a, 5 * tick);            /* -> back to level 0, earlier */
	assert_int_equal(g_tw->n_armed, 1);
	assert_int_equal(advance(4 * tick), 0);
	assert_int_equal(advance(5 * tick), 1);
	assert_int_equal(a.fired_ns, 5 * tick);
	assert_int_equal(advance(100000 * tick), 0);
	assert_int_equal(a.fires, 1);

	/* b's callback pushes c (due in the same tick, armed after b) later */
	uint64_t now = g_tw->now_ns;
	b.t.cb = rearm_other_cb;
	g_move = &c;
	g_move_to = now + 50 * tick;
	tt_arm(&b, now + 10 * tick);
	tt_arm(&c, now + 10 * tick);
	assert_int_equal(advance(now + 10 * tick), 1);
	assert_int_equal(c.fires, 0);
	assert_true(timer_armed(&c.t));
	assert_int_equal(advance(now + 50 * tick - 1), 0);
	assert_int_equal(advance(now + 50 * tick), 1);
	assert_int_equal(c.fires, 1);
	assert_int_equal(g_tw->n_armed, 0);
}

static unsigned g_self_fires;

static void rearm_self_now_cb(struct timer *t, void *arg)
{
	(void)arg;
	g_self_fires++;
	timer_arm(g_tw, t, g_tw->now_ns);  /* due now: must not loop */
}

static void periodic_cb(struct timer *t, void *arg)
{
	(void)arg;
	g_self_fires++;
	timer_arm_in(g_tw, t, 10 * MS);
}

static struct ttimer *g_spawn;
static uint64_t g_spawn_at;

static void spawn_cb(struct timer *t, void *arg)
{
	log_cb(t, arg);
	tt_arm(g_spawn, g_spawn_at);
}

static void free_self_cb(struct timer *t, void *arg)
{
	(void)arg;
	g_self_fires++;
	free(t);                         /* the wheel must not touch t after */
}

/* design.md: timer wheel — a callback re-arming itself for the current time
 * does not loop (it runs again on the next advance); a periodic timer re-armed
 * with timer_arm_in runs once per advance; a timer a callback arms for a time
 * already reached runs on the next advance; a callback may free its timer. */
static void test_callback_rearm_no_loop(void **state)
{
	(void)state;
	const uint64_t tick = 1 * MS;
	struct timer self;

	wheel_reset(0, tick);
	g_self_fires = 0;
	timer_init(&self, rearm_self_now_cb, NULL);
	timer_arm(g_tw, &self, 3 * tick);
	assert_int_equal(advance(3 * tick), 1);
	assert_int_equal(advance(3 * tick), 1);
	assert_int_equal(advance(100 * tick), 1);
	assert_int_equal(g_self_fires, 3);
	timer_cancel(g_tw, &self);
	assert_int_equal(advance(200 * tick), 0);

	/* periodic: a jump over 10 periods runs it once, then once a period */
	g_self_fires = 0;
	uint64_t now = g_tw->now_ns;
	timer_init(&self, periodic_cb, NULL);
	timer_arm_in(g_tw, &self, 10 * MS);
	assert_int_equal(advance(now + 100 * MS), 1);
	assert_int_equal(timer_wheel_next_expiry(g_tw), now + 110 * MS);
	assert_int_equal(advance(now + 110 * MS - 1), 0);
	assert_int_equal(advance(now + 110 * MS), 1);
	assert_int_equal(advance(now + 120 * MS), 1);
	assert_int_equal(g_self_fires, 3);
	timer_cancel(g_tw, &self);

	/* spawned for a time inside the advance already done: next advance */
	struct ttimer a, b;
	tt_init(&a, 0);
	tt_init(&b, 1);
	now = g_tw->now_ns;
	a.t.cb = spawn_cb;
	g_spawn = &b;
	g_spawn_at = now + 5 * tick;
	g_nlog = 0;
	tt_arm(&a, now + 2 * tick);
	assert_int_equal(advance(now + 10 * tick), 1);
	assert_int_equal(b.fires, 0);
	assert_int_equal(timer_wheel_next_expiry(g_tw), now + 10 * tick);
	assert_int_equal(advance(now + 10 * tick), 1);
	assert_int_equal(b.fires, 1);
	/* spawned for later: fires at its own time */
	now = g_tw->now_ns;
	g_spawn_at = now + 50 * tick;
	tt_arm(&a, now + 2 * tick);
	assert_int_equal(advance(now + 10 * tick), 1);
	assert_int_equal(advance(now + 50 * tick - 1), 0);
	assert_int_equal(advance(now + 50 * tick), 1);
	assert_int_equal(b.fired_ns, now + 50 * tick);

	/* a callback frees its own (heap) timer */
	g_self_fires = 0;
	struct timer *heap = malloc(sizeof(*heap));
	assert_non_null(heap);
	timer_init(heap, free_self_cb, NULL);
	timer_arm_in(g_tw, heap, 1000 * tick);
	assert_int_equal(advance(g_tw->now_ns + 2000 * tick), 1);
	assert_int_equal(g_self_fires, 1);
	assert_int_equal(g_tw->n_armed, 0);
}

/* design.md: timer wheel — timers due in the same tick run in arm order even
 * when the earlier ones were armed far ahead (parked beyond 2^32 ticks, then
 * levels 3, 2, 1) and cascaded down past later ones armed directly lower. */
static void test_same_tick_arm_order_across_levels(void **state)
{
	(void)state;
	const uint64_t x = (1ull << 33) + 12345; /* tick 1 ns: ticks == ns */
	const uint64_t arm_at[] = { 0, 0, x - (1ull << 32) + 7, x - (1ull << 20),
		x - 1000, x - 10, x - 10, x - 10 };
	const unsigned n = sizeof(arm_at) / sizeof(arm_at[0]);
	struct ttimer tt[sizeof(arm_at) / sizeof(arm_at[0])], later;

	wheel_reset(0, 1);
	tt_init(&later, 100);
	for (unsigned i = 0; i < n; i++) {
		tt_init(&tt[i], i);
		assert_int_equal(advance(arm_at[i]), 0);
		tt_arm(&tt[i], x);
		if (i == 0)
			tt_arm(&later, x + 1);
	}
	tt_arm(&tt[1], x);                       /* re-armed last, at x - 10 */
	assert_int_equal(advance(x - 1), 0);
	assert_int_equal(advance(x), n);
	assert_int_equal(advance(x + 1), 1);
	static const uint32_t want[] = { 0, 2, 3, 4, 5, 6, 7, 1, 100 };
	assert_int_equal(g_nlog, n + 1);
	for (unsigned i = 0; i < n + 1; i++)
		assert_int_equal(g_log[i], want[i]);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(tt[i].fired_ns, x);
}

static int cmp_ref(const void *pa, const void *pb)
{
	const struct ttimer *a = *(struct ttimer *const *)pa, *b = *(struct ttimer *const *)pb;

	if (a->overdue != b->overdue)
		return a->overdue ? -1 : 1;
	if (!a->overdue && a->t.expire_tick != b->t.expire_tick)
		return a->t.expire_tick < b->t.expire_tick ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Reference order of a set of timers: by expiry tick, then arm order. */
static void check_log_against(struct ttimer **ref, size_t n)
{
	qsort(ref, n, sizeof(*ref), cmp_ref);
	assert_int_equal(g_nlog, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(g_log[i], ref[i]->id);
}

/* design.md: timer wheel — random expiries over every level and beyond the
 * span (seeded PRNG) fire in expiry-tick order, same tick in arm order, each
 * exactly at its tick when time jumps from one next_expiry() to the next. */
static void test_random_order_vs_reference(void **state)
{
	(void)state;
	const unsigned n = 20000;
	const uint64_t tick = 1 * US, start = 123456789;
	struct ttimer *tt = calloc(n, sizeof(*tt));
	struct ttimer **ref = calloc(n, sizeof(*ref));

	assert_non_null(tt);
	assert_non_null(ref);
	wheel_reset(start, tick);
	for (unsigned i = 0; i < n; i++) {
		tt_init(&tt[i], i);
		tt[i].seq = i;
		/* + 1: strictly in the future; some share a tick */
		uint64_t d = rnd_delay_ticks() * tick + 1 + (rnd() % 2 ? rnd() % tick : 0);
		if (i % 7 == 0 && i > 0)
			d = tt[i - 1].expire_ns - start; /* same time as the previous */
		tt_arm(&tt[i], start + d);
		ref[i] = &tt[i];
	}
	unsigned calls = 0;
	uint64_t nx;
	while ((nx = timer_wheel_next_expiry(g_tw)) != UINT64_MAX) {
		assert_true(nx > g_tw->now_ns);
		advance(nx);
		calls++;
	}
	assert_int_equal(g_tw->n_armed, 0);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(tt[i].fires, 1);
		assert_int_equal(tt[i].fired_ns, ceil_tick_ns(tt[i].expire_ns, tick));
	}
	check_log_against(ref, n);
	print_message("    %u timers, %u advance calls\n", n, calls);
	free(ref);
	free(tt);
}

/* design.md: timer wheel — with time advancing in random steps (small and
 * huge), every timer runs in the first advance that reaches its tick, in
 * expiry-tick then arm order. */
static void late_check_cb(struct timer *t, void *arg)
{
	struct ttimer *tt = arg;

	log_cb(t, arg);
	uint64_t due = t->expire_tick * g_tw->tick_ns;
	assert_true(g_tw->now_ns >= due);
	assert_true(g_prev_now < due);   /* not left behind by an earlier call */
	(void)tt;
}

static void test_random_steps_vs_reference(void **state)
{
	(void)state;
	const unsigned n = 20000;
	const uint64_t tick = 100 * US, start = 987654321012ull;
	struct ttimer *tt = calloc(n, sizeof(*tt));
	struct ttimer **ref = calloc(n, sizeof(*ref));

	assert_non_null(tt);
	assert_non_null(ref);
	wheel_reset(start, tick);
	for (unsigned i = 0; i < n; i++) {
		tt_init(&tt[i], i);
		tt[i].t.cb = late_check_cb;
		tt[i].seq = i;
		tt_arm(&tt[i], start + 1 + rnd_delay_ticks() * tick + rnd() % tick);
		ref[i] = &tt[i];
	}
	uint64_t now = start;
	while (g_tw->n_armed != 0) {
		uint64_t step = rnd() & ((1ull << (rnd() % 40)) - 1);
		now += step * (rnd() % 3 ? tick : 1);
		advance(now);
	}
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(tt[i].fires, 1);
	check_log_against(ref, n);
	free(ref);
	free(tt);
}

/* design.md: timer wheel — cascading at level 1/2/3 boundaries: timers at
 * 255, 256, 257, 65535, 65536 ... 2^32-1 ticks (from aligned and unaligned
 * starts) fire exactly at their tick, not one tick before. */
static void test_cascade_boundaries(void **state)
{
	(void)state;
	const uint64_t starts[] = { 0, 1, 200, 255, 256, 65000, 65535, (1ull << 24) - 3,
		(1ull << 32) - 1, 123456789012ull };
	const uint64_t delays[] = { 1, 2, 254, 255, 256, 257, 511, 512, 513, 65535, 65536,
		65537, 65792, (1ull << 24) - 1, 1ull << 24, (1ull << 24) + 1,
		(1ull << 24) + 256, (1ull << 32) - 256, (1ull << 32) - 1 };
	const unsigned nd = sizeof(delays) / sizeof(delays[0]);
	struct ttimer tt[sizeof(delays) / sizeof(delays[0])];

	for (unsigned s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		for (unsigned tick_mul = 1; tick_mul <= 1000; tick_mul *= 1000) {
			uint64_t tick = tick_mul, base = starts[s] * tick;
			wheel_reset(base, tick);
			/* armed in reverse so same-level lists are not sorted */
			for (unsigned i = nd; i-- > 0;) {
				tt_init(&tt[i], i);
				tt_arm(&tt[i], base + delays[i] * tick);
			}
			for (unsigned i = 0; i < nd; i++) {
				uint64_t due = tt[i].expire_ns;
				assert_int_equal(advance(due - 1), 0);
				assert_int_equal(tt[i].fires, 0);
				assert_int_equal(advance(due), 1);
				assert_int_equal(tt[i].fires, 1);
				assert_int_equal(tt[i].fired_ns, due);
			}
			assert_int_equal(g_tw->n_armed, 0);
		}
	}
}

/* design.md: timer wheel — timers beyond the 2^32-tick span are parked and
 * re-cascaded until due: they fire exactly at their tick; one armed at
 * UINT64_MAX ns never fires within any reachable jump. */
static void test_far_future(void **state)
{
	(void)state;
	const uint64_t delays[] = { 1ull << 32, (1ull << 32) + 1, (1ull << 33) + 5,
		(1ull << 36) + 255, (1ull << 40) + 77 };
	const unsigned nd = sizeof(delays) / sizeof(delays[0]);
	struct ttimer tt[sizeof(delays) / sizeof(delays[0])], never;

	for (uint64_t start = 0; start <= 1000000007; start += 1000000007) {
		wheel_reset(start, 1);
		tt_init(&never, 99);
		tt_arm(&never, UINT64_MAX);
		for (unsigned i = nd; i-- > 0;) {
			tt_init(&tt[i], i);
			tt_arm(&tt[i], start + delays[i]);
		}
		for (unsigned i = 0; i < nd; i++) {
			uint64_t due = tt[i].expire_ns;
			uint64_t nx = timer_wheel_next_expiry(g_tw);
			assert_true(nx > g_tw->now_ns && nx <= due);
			assert_int_equal(advance(due - 1), 0);
			assert_int_equal(advance(due), 1);
			assert_int_equal(tt[i].fired_ns, due);
		}
		assert_int_equal(advance(1ull << 50), 0);
		assert_int_equal(never.fires, 0);
		assert_int_equal(g_tw->n_armed, 1);
		assert_true(timer_wheel_next_expiry(g_tw) > g_tw->now_ns);
		timer_cancel(g_tw, &never.t);
	}
	/* with a coarse tick too */
	wheel_reset(0, 1 * MS);
	tt_init(&tt[0], 0);
	tt_arm(&tt[0], (1ull << 34) * MS + 1);   /* ~200 days */
	assert_int_equal(advance((1ull << 34) * MS), 0);
	assert_int_equal(advance((1ull << 34) * MS + 1), 0);
	assert_int_equal(advance((1ull << 34) * MS + MS), 1);
}

static double elapsed_s(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* design.md: timer wheel — 1,000,000 timers armed (levels 0-3) all fire
 * exactly once, never early, and the run stays fast. */
static void count_cb(struct timer *t, void *arg)
{
	struct ttimer *tt = arg;

	tt->fires++;
	if (g_tw->now_ns < tt->expire_ns || g_prev_now >= t->expire_tick * g_tw->tick_ns)
		fail_msg("timer %u early or late", tt->id);
}

static void test_million_timers(void **state)
{
	(void)state;
	const unsigned n = 1000000;
	const uint64_t tick = 10 * US, start = 42 * SEC + 7;
	struct ttimer *tt = calloc(n, sizeof(*tt));
	struct timespec t0;

	assert_non_null(tt);
	wheel_reset(start, tick);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < n; i++) {
		tt[i].id = i;
		timer_init(&tt[i].t, count_cb, &tt[i]);
		/* mostly within 2^20 ticks (~10 s), 1 in 64 up to 2^26 */
		uint64_t d = rnd() & ((1ull << (i % 64 ? 20 : 26)) - 1);
		tt[i].expire_ns = start + 1 + d * tick + rnd() % tick;
		timer_arm(g_tw, &tt[i].t, tt[i].expire_ns);
	}
	assert_int_equal(g_tw->n_armed, n);
	uint64_t now = start, total = 0;
	while (g_tw->n_armed != 0) {
		now += (1 + rnd() % 5000) * tick / 3;
		total += advance(now);
	}
	double secs = elapsed_s(&t0);
	assert_int_equal(total, n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(tt[i].fires, 1);
	print_message("    1M timers armed and fired in %.3f s\n", secs);
	free(tt);
}

/* design.md: timer wheel — a huge jump (hours of virtual time at a 1 us tick,
 * ~10^10 ticks) skips empty spans: cheap with nothing armed, and with a few
 * timers they fire in order in one advance call. */
static void test_huge_jump(void **state)
{
	(void)state;
	const uint64_t tick = 1 * US;
	struct ttimer a, b, c;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	wheel_reset(5 * SEC, tick);
	assert_int_equal(advance(1000 * HOUR), 0);
	assert_int_equal(g_tw->now_tick, 1000 * HOUR / tick + 1);

	uint64_t now = g_tw->now_ns;
	tt_init(&a, 0);
	tt_init(&b, 1);
	tt_init(&c, 2);
	tt_arm(&b, now + 10 * HOUR);
	tt_arm(&a, now + 3 * HOUR + 17);
	tt_arm(&c, now + 10 * HOUR);
	assert_int_equal(advance(now + 24 * HOUR), 3);
	assert_int_equal(g_nlog, 3);
	assert_int_equal(g_log[0], 0);
	assert_int_equal(g_log[1], 1);
	assert_int_equal(g_log[2], 2);

	/* a thousand one-hour jumps over a timer re-armed every 90 minutes */
	g_nlog = 0;
	now = g_tw->now_ns;
	tt_arm(&a, now + 90 * 60 * SEC);
	for (unsigned h = 1; h <= 1000; h++) {
		advance(now + h * HOUR);
		if (!timer_armed(&a.t))
			tt_arm(&a, a.expire_ns + 90 * 60 * SEC);
	}
	assert_int_equal(a.fires, 1 + 666);
	double secs = elapsed_s(&t0);
	assert_true(secs < 5.0);
}

/* design.md: timer wheel — next_expiry: UINT64_MAX when empty, exact for a
 * level-0 timer, a lower bound later than now for a higher-level one (and
 * jumping to it reaches the exact time), the current time when overdue. */
static void test_next_expiry(void **state)
{
	(void)state;
	const uint64_t tick = 1 * MS, start = 7 * SEC + 300 * US;
	struct ttimer a, b, c;

	wheel_reset(start, tick);
	assert_int_equal(timer_wheel_next_expiry(g_tw), UINT64_MAX);
	tt_init(&a, 0);
	tt_init(&b, 1);
	tt_init(&c, 2);
	tt_arm(&a, start + 5 * tick + 500 * US);
	assert_int_equal(timer_wheel_next_expiry(g_tw), ceil_tick_ns(a.expire_ns, tick));
	tt_arm(&b, start + 100000 * tick + 1);
	assert_int_equal(timer_wheel_next_expiry(g_tw), ceil_tick_ns(a.expire_ns, tick));
	timer_cancel(g_tw, &a.t);
	uint64_t nx = timer_wheel_next_expiry(g_tw);
	assert_true(nx > start && nx <= ceil_tick_ns(b.expire_ns, tick));
	unsigned calls = 0;
	while (b.fires == 0) {
		nx = timer_wheel_next_expiry(g_tw);
		assert_true(nx > g_tw->now_ns && nx <= ceil_tick_ns(b.expire_ns, tick));
		advance(nx);
		calls++;
	}
	assert_int_equal(b.fired_ns, ceil_tick_ns(b.expire_ns, tick));
	assert_true(calls <= 4);
	assert_int_equal(timer_wheel_next_expiry(g_tw), UINT64_MAX);
	/* overdue: the current time */
	tt_arm(&c, 0);
	tt_arm(&a, g_tw->now_ns + 3 * tick);
	assert_int_equal(timer_wheel_next_expiry(g_tw), g_tw->now_ns);
	assert_int_equal(advance(g_tw->now_ns), 1);
	assert_int_equal(timer_wheel_next_expiry(g_tw), a.expire_ns);
}

/* design.md: timer wheel — random arm / re-arm / cancel / advance sequences
 * (past, present and future times over every level) match a reference
 * model: the fired set and order, n_armed, and next_expiry bounds. */
static void test_random_ops_vs_model(void **state)
{
	(void)state;
	const unsigned n = 512, ops = 30000;
	const uint64_t tick = 50 * US;
	struct ttimer *tt = calloc(n, sizeof(*tt));
	struct ttimer **due = calloc(n, sizeof(*due));
	uint64_t seq = 0, armed = 0;

	assert_non_null(tt);
	assert_non_null(due);
	wheel_reset(3 * SEC + 11, tick);
	for (unsigned i = 0; i < n; i++)
		tt_init(&tt[i], i);
	for (unsigned op = 0; op < ops; op++) {
		unsigned r = (unsigned)(rnd() % 10);
		struct ttimer *x = &tt[rnd() % n];
		uint64_t now = g_tw->now_ns;
		if (r < 5) {
			uint64_t at;
			switch (rnd() % 4) {
			case 0: at = now - rnd() % (now + 1); break;           /* past or now */
			case 1: at = now + rnd() % (3 * tick); break;          /* this tick on */
			default: at = now + rnd_delay_ticks() * tick + rnd() % tick; break;
			}
			if (!timer_armed(&x->t))
				armed++;
			tt_arm(x, at);
			x->seq = seq++;
			x->overdue = at <= now;
		} else if (r < 7) {
			if (timer_armed(&x->t))
				armed--;
			timer_cancel(g_tw, &x->t);
		} else {
			uint64_t step;
			switch (rnd() % 4) {
			case 0: step = 0; break;
			case 1: step = rnd() % (4 * tick); break;
			case 2: step = (rnd() % 70000) * tick; break;
			default: step = rnd() & ((1ull << (30 + rnd() % 16)) - 1); break;
			}
			uint64_t to = now + step;
			uint64_t last = to / tick;
			size_t nd = 0;
			for (unsigned i = 0; i < n; i++) {
				if (timer_armed(&tt[i].t) &&
				    (tt[i].overdue || tt[i].t.expire_tick <= last))
					due[nd++] = &tt[i];
			}
			g_nlog = 0;
			assert_int_equal(advance(to), nd);
			check_log_against(due, nd);
			armed -= nd;
		}
		assert_int_equal(g_tw->n_armed, armed);
		/* next_expiry: now if overdue, else in (now, earliest tick] */
		uint64_t nx = timer_wheel_next_expiry(g_tw), min = UINT64_MAX;
		bool any_overdue = false;
		for (unsigned i = 0; i < n; i++) {
			if (!timer_armed(&tt[i].t))
				continue;
			any_overdue |= tt[i].overdue;
			if (tt[i].t.expire_tick * tick < min)
				min = tt[i].t.expire_tick * tick;
		}
		if (armed == 0)
			assert_int_equal(nx, UINT64_MAX);
		else if (any_overdue)
			assert_int_equal(nx, g_tw->now_ns);
		else
			assert_true(nx > g_tw->now_ns && nx <= min);
	}
	free(due);
	free(tt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fires_at_exact_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_now_fires_on_next_advance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_rearm_no_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_tick_arm_order_across_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_order_vs_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_steps_vs_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cascade_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_far_future, setup, teardown),
		cmocka_unit_test_setup_teardown(test_million_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_jump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_ops_vs_model, setup, teardown),
	};
	return cmocka_run_group_tests_name("timer_wheel", tests, NULL, NULL);
}
