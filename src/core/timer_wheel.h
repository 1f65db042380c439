/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CORE_TIMER_WHEEL_H
#define MPDK_CORE_TIMER_WHEEL_H

/*
 * Hierarchical timer wheel: O(1) arm and cancel, expiry driven by
 * timer_wheel_advance() from the engine loop. Owned by one engine: not
 * thread safe. Timers are embedded in their owner (no allocation).
 *
 * Time is cut into ticks of tick_ns; a timer armed for expire_ns is due in
 * tick ceil(expire_ns / tick_ns) and runs from the first advance whose now_ns
 * reaches that tick's start: never early, at most one tick late.
 *
 * TW_LEVELS levels of TW_SLOTS slots; a level L slot covers TW_SLOTS^L ticks,
 * so the wheel spans 2^32 ticks. A timer beyond that is parked in the top
 * level's farthest slot and re-cascaded when that slot comes up. Advancing
 * jumps straight to the next tick that has work (a slot to fire or to
 * cascade), so a jump of hours over an almost empty wheel is cheap.
 *
 * Order: callbacks run in expiry-tick order; timers due in the same tick run
 * in the order they were (last) armed. A timer armed for a time at or before
 * the wheel's current time is overdue: it runs at the start of the next
 * advance, before anything else, overdue timers in arm order.
 *
 * Callbacks may arm, re-arm or cancel any timer, including themselves, and
 * may free their own timer's memory (the wheel does not touch a timer after
 * calling it). During an advance the wheel's current time is already the
 * advance's now_ns, so a timer armed from a callback never runs in the same
 * advance: if it is due it is overdue and runs in the next advance. A
 * callback must not call timer_wheel_advance() on its own wheel.
 */

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define TW_LEVELS 4
#define TW_BITS 8
#define TW_SLOTS (1u << TW_BITS)

struct timer;
typedef void (*timer_cb)(struct timer *t, void *arg);

struct timer {
	struct timer *next, *prev; /* slot list; prev == NULL when not armed */
	uint64_t expire_tick;      /* ceil(expire_ns / tick_ns) of the last arm */
	timer_cb cb;
	void *arg;
};

struct tw_slot { struct timer head; };

struct timer_wheel {
	uint64_t tick_ns;
	uint64_t now_ns;           /* latest time given to init/advance */
	uint64_t now_tick;         /* every tick < now_tick has been processed */
	uint64_t n_armed;          /* wheel, overdue list and timers about to run */
	struct tw_slot overdue;    /* armed at or before now_ns: next advance */
	/* bit set <=> slot list not empty; finds the next work without a scan */
	uint64_t occupied[TW_LEVELS][TW_SLOTS / 64];
	struct tw_slot slots[TW_LEVELS][TW_SLOTS];
};

/* @tick_ns 0 is taken as 1. */
void timer_wheel_init(struct timer_wheel *tw, uint64_t now_ns, uint64_t tick_ns);
/* @cb may be NULL (the timer then only expires). Leaves the timer unarmed. */
void timer_init(struct timer *t, timer_cb cb, void *arg);
/* Arm (or re-arm) to fire at absolute time @expire_ns (rounded up to a tick;
 * a time at or before the wheel's current time fires on the next advance). */
void timer_arm(struct timer_wheel *tw, struct timer *t, uint64_t expire_ns);
/* Arm relative to the wheel's current time (the latest now_ns given to
 * init/advance, also inside callbacks). Saturates at UINT64_MAX. */
void timer_arm_in(struct timer_wheel *tw, struct timer *t, uint64_t delay_ns);
/* No-op when @t is not armed. */
void timer_cancel(struct timer_wheel *tw, struct timer *t);
static inline bool timer_armed(const struct timer *t) { return t->prev != NULL; }
/* Run every timer due at or before @now_ns (a time earlier than the wheel's
 * current time is taken as the current time). Returns the number fired. */
unsigned timer_wheel_advance(struct timer_wheel *tw, uint64_t now_ns);
/* Earliest expiry time in ns of any armed timer, or UINT64_MAX when none is
 * armed; the wheel's current time when an overdue timer is waiting. Exact
 * when the earliest timer sits in level 0; otherwise a lower bound (the start
 * of the higher-level slot to cascade next), still later than the current
 * time, so advancing to it again and again reaches the exact expiry. For
 * virtual-clock tests that jump time forward and for idle sleeps. */
uint64_t timer_wheel_next_expiry(const struct timer_wheel *tw);

#endif
