/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hierarchical timer wheel (design.md: timer wheel).
 *
 * Placement: a timer due in tick E, armed when the next tick to process is
 * N = now_tick, goes to the lowest level L with E - N < TW_SLOTS^(L+1), slot
 * (E >> L*TW_BITS) % TW_SLOTS. A level L slot is cascaded (its timers placed
 * again, now closer) when processing reaches the start of its span, a tick
 * aligned to TW_SLOTS^L. With E - N < TW_SLOTS^(L+1) that start comes before
 * E and after N, so every timer reaches level 0 in time. A timer beyond the
 * 2^32-tick span is parked in the top-level slot of tick N + 2^32 - 1 and
 * placed again when that slot cascades, about 2^32 ticks later.
 *
 * Same-tick order: a timer cascaded into a slot was armed before every timer
 * already there with the same tick (it was armed farther from that tick), so
 * cascading walks the source list backwards and inserts at the head of each
 * destination; arming appends. Each list then holds same-tick timers in arm
 * order.
 *
 * Skipping: the occupied bitmaps give, per level, the first non-empty slot
 * at or after now, hence the next tick with work (a level-0 slot to fire or
 * a slot to cascade). Ticks in between need nothing, so advance jumps there.
 */

#include "timer_wheel.h"

#include <stddef.h>

_Static_assert(TW_SLOTS % 64 == 0, "occupied bitmap needs whole words");
_Static_assert(TW_LEVELS * TW_BITS < 64, "wheel span must fit in a tick");

#define TW_MASK (TW_SLOTS - 1)
#define TW_WORDS (TW_SLOTS / 64)
#define TW_SPAN_BITS (TW_LEVELS * TW_BITS)
/* Last tick a wheel may process, so that now_tick = tick + 1 never wraps. */
#define TW_TICK_MAX (UINT64_MAX - 1)

static inline void list_init(struct timer *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_empty(const struct timer *head)
{
	return head->next == head;
}

static inline void list_insert(struct timer *head, struct timer *t, bool at_head)
{
	if (at_head) {
		t->prev = head;
		t->next = head->next;
	} else {
		t->prev = head->prev;
		t->next = head;
	}
	t->prev->next = t;
	t->next->prev = t;
}

/* Move every timer of @from (not empty) to the empty local list @to. */
static inline void list_move_all(struct timer *from, struct timer *to)
{
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	list_init(from);
}

static inline void slot_mark(struct timer_wheel *tw, unsigned level, unsigned slot)
{
	tw->occupied[level][slot / 64] |= UINT64_C(1) << (slot % 64);
}

/* @head's list became empty: clear its occupied bit if it is a wheel slot
 * (it may also be the overdue list or a list being fired). */
static void slot_emptied(struct timer_wheel *tw, const struct timer *head)
{
	uintptr_t base = (uintptr_t)&tw->slots[0][0];
	uintptr_t p = (uintptr_t)head;

	if (p < base || p >= base + sizeof(tw->slots))
		return;
	size_t idx = (p - base) / sizeof(struct tw_slot);
	unsigned level = (unsigned)(idx / TW_SLOTS), slot = (unsigned)(idx % TW_SLOTS);
	tw->occupied[level][slot / 64] &= ~(UINT64_C(1) << (slot % 64));
}

static void tw_unlink(struct timer_wheel *tw, struct timer *t)
{
	struct timer *prev = t->prev, *next = t->next;

	prev->next = next;
	next->prev = prev;
	t->next = NULL;
	t->prev = NULL;
	if (prev == next) /* only the head is left */
		slot_emptied(tw, prev);
}

/* Put @t (expire_tick >= now_tick) in its wheel slot. */
static void tw_place(struct timer_wheel *tw, struct timer *t, bool at_head)
{
	uint64_t delta = t->expire_tick - tw->now_tick;
	uint64_t key = t->expire_tick;
	unsigned level;

	if (delta >> TW_SPAN_BITS) {
		/* Park in the slot of the last tick the wheel spans. */
		level = TW_LEVELS - 1;
		uint64_t span = (UINT64_C(1) << TW_SPAN_BITS) - 1;
		key = tw->now_tick > UINT64_MAX - span ? UINT64_MAX : tw->now_tick + span;
	} else {
		level = (unsigned)(63 - __builtin_clzll(delta | 1)) / TW_BITS;
	}
	unsigned slot = (unsigned)(key >> (level * TW_BITS)) & TW_MASK;
	slot_mark(tw, level, slot);
	list_insert(&tw->slots[level][slot].head, t, at_head);
}

/* Distance from slot @start to the first occupied slot of @level at or after
 * it, going round; TW_SLOTS when the level is empty. */
static unsigned next_occupied(const struct timer_wheel *tw, unsigned level, unsigned start)
{
	const uint64_t *w = tw->occupied[level];
	unsigned first = start / 64, bit = start % 64;

	for (unsigned i = 0; i <= TW_WORDS; i++) {
		unsigned wi = (first + i) % TW_WORDS;
		uint64_t bits = w[wi];
		if (i == 0)
			bits &= ~UINT64_C(0) << bit;
		else if (i == TW_WORDS)
			bits &= (UINT64_C(1) << bit) - 1;
		if (bits != 0) {
			unsigned slot = wi * 64 + (unsigned)__builtin_ctzll(bits);
			return (slot - start) & TW_MASK;
		}
	}
	return TW_SLOTS;
}

/* First tick >= now_tick with work: a level-0 slot to fire or the start of a
 * higher-level slot to cascade. UINT64_MAX when the wheel's slots are empty. */
static uint64_t tw_next_event(const struct timer_wheel *tw)
{
	uint64_t now = tw->now_tick, best = UINT64_MAX;

	for (unsigned level = 0; level < TW_LEVELS; level++) {
		unsigned shift = level * TW_BITS;
		/* index of the first level-L slot start at or after now */
		uint64_t b = (now >> shift) + ((now & ((UINT64_C(1) << shift) - 1)) != 0);
		unsigned d = next_occupied(tw, level, (unsigned)b & TW_MASK);
		if (d == TW_SLOTS)
			continue;
		uint64_t idx = b + d;
		if (idx < b || idx > (UINT64_MAX >> shift))
			continue; /* beyond the last representable tick */
		if ((idx << shift) < best)
			best = idx << shift;
	}
	return best;
}

/* Cascade the level @level slot @slot: place its timers again. */
static void tw_cascade(struct timer_wheel *tw, unsigned level, unsigned slot)
{
	struct timer *head = &tw->slots[level][slot].head;
	struct timer list;

	if (list_empty(head))
		return;
	list_move_all(head, &list);
	slot_emptied(tw, head);
	/* Backwards with insert-at-head: see same-tick order above. */
	while (list.prev != &list) {
		struct timer *t = list.prev;
		tw_unlink(tw, t);
		tw_place(tw, t, true);
	}
}

/* Run every timer of @head. The list is moved aside first, so timers armed
 * by the callbacks (never due before the next advance) cannot join it; a
 * callback may still cancel or re-arm the ones waiting in it. */
static unsigned tw_fire(struct timer_wheel *tw, struct timer *head)
{
	struct timer list;
	unsigned n = 0;

	if (list_empty(head))
		return 0;
	list_move_all(head, &list);
	slot_emptied(tw, head);
	while (list.next != &list) {
		struct timer *t = list.next;
		tw_unlink(tw, t);
		tw->n_armed--;
		n++;
		if (t->cb != NULL)
			t->cb(t, t->arg); /* may free t: not touched after */
	}
	return n;
}

void timer_wheel_init(struct timer_wheel *tw, uint64_t now_ns, uint64_t tick_ns)
{
	tw->tick_ns = tick_ns != 0 ? tick_ns : 1;
	tw->now_ns = now_ns;
	uint64_t tick = now_ns / tw->tick_ns;
	tw->now_tick = (tick < TW_TICK_MAX ? tick : TW_TICK_MAX) + 1;
	tw->n_armed = 0;
	list_init(&tw->overdue.head);
	for (unsigned l = 0; l < TW_LEVELS; l++) {
		for (unsigned w = 0; w < TW_WORDS; w++)
			tw->occupied[l][w] = 0;
		for (unsigned s = 0; s < TW_SLOTS; s++)
			list_init(&tw->slots[l][s].head);
	}
}

void timer_init(struct timer *t, timer_cb cb, void *arg)
{
	t->next = NULL;
	t->prev = NULL;
	t->expire_tick = 0;
	t->cb = cb;
	t->arg = arg;
}

void timer_arm(struct timer_wheel *tw, struct timer *t, uint64_t expire_ns)
{
	if (timer_armed(t))
		tw_unlink(tw, t);
	else
		tw->n_armed++;
	t->expire_tick = expire_ns / tw->tick_ns + (expire_ns % tw->tick_ns != 0);
	/* expire_ns > now_ns implies expire_tick >= now_tick, also inside an
	 * advance (now_ns is then the advance's time, past every tick it runs). */
	if (expire_ns <= tw->now_ns)
		list_insert(&tw->overdue.head, t, false);
	else
		tw_place(tw, t, false);
}

void timer_arm_in(struct timer_wheel *tw, struct timer *t, uint64_t delay_ns)
{
	uint64_t at = tw->now_ns + delay_ns;

	timer_arm(tw, t, at < tw->now_ns ? UINT64_MAX : at);
}

void timer_cancel(struct timer_wheel *tw, struct timer *t)
{
	if (!timer_armed(t))
		return;
	tw_unlink(tw, t);
	tw->n_armed--;
}

unsigned timer_wheel_advance(struct timer_wheel *tw, uint64_t now_ns)
{
	unsigned fired;

	if (now_ns > tw->now_ns)
		tw->now_ns = now_ns;
	uint64_t last = tw->now_ns / tw->tick_ns;
	if (last > TW_TICK_MAX)
		last = TW_TICK_MAX;

	fired = tw_fire(tw, &tw->overdue.head);
	while (tw->now_tick <= last) {
		uint64_t t = tw->n_armed != 0 ? tw_next_event(tw) : UINT64_MAX;
		if (t > last) {
			tw->now_tick = last + 1;
			break;
		}
		tw->now_tick = t;
		/* At a level-L span start, cascade L = 1, 2, ... while aligned. */
		for (unsigned level = 1; level < TW_LEVELS; level++) {
			unsigned shift = (level - 1) * TW_BITS;
			if (((t >> shift) & TW_MASK) != 0)
				break;
			tw_cascade(tw, level, (unsigned)(t >> (shift + TW_BITS)) & TW_MASK);
		}
		tw->now_tick = t + 1;
		fired += tw_fire(tw, &tw->slots[0][t & TW_MASK].head);
	}
	return fired;
}

uint64_t timer_wheel_next_expiry(const struct timer_wheel *tw)
{
	if (tw->n_armed == 0)
		return UINT64_MAX;
	if (!list_empty(&tw->overdue.head))
		return tw->now_ns;
	uint64_t t = tw_next_event(tw);
	if (t == UINT64_MAX) /* armed ones are waiting to run in this advance */
		return tw->now_ns;
	return t > UINT64_MAX / tw->tick_ns ? UINT64_MAX : t * tw->tick_ns;
}
