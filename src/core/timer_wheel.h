/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CORE_TIMER_WHEEL_H
#define MPDK_CORE_TIMER_WHEEL_H

/*
 * Hierarchical timer wheel: O(1) arm and cancel, expiry driven by
 * timer_wheel_advance() from the engine loop. Owned by one engine: not
 * thread safe. Timers are embedded in their owner (no allocation).
 *
 * Levels of TW_SLOTS slots; level L slot covers TW_SLOTS^L ticks. A timer
 * beyond the top level is parked in the top level's farthest slot and
 * re-cascaded. Callbacks run in expiry-tick order; timers due in the same
 * tick run in the order they were armed. A callback may re-arm or cancel any
 * timer, including itself.
 */

#include <stdint.h>
#include <stdbool.h>

#define TW_LEVELS 4
#define TW_BITS 8
#define TW_SLOTS (1u << TW_BITS)

struct timer;
typedef void (*timer_cb)(struct timer *t, void *arg);

struct timer {
	struct timer *next, *prev; /* slot list; prev == NULL when not armed */
	uint64_t expire_tick;
	timer_cb cb;
	void *arg;
};

struct tw_slot { struct timer head; };

struct timer_wheel {
	uint64_t tick_ns;
	uint64_t now_tick;         /* every tick < now_tick has been processed */
	uint64_t n_armed;
	struct tw_slot slots[TW_LEVELS][TW_SLOTS];
};

void timer_wheel_init(struct timer_wheel *tw, uint64_t now_ns, uint64_t tick_ns);
void timer_init(struct timer *t, timer_cb cb, void *arg);
/* Arm (or re-arm) to fire at absolute time @expire_ns (rounded up to a tick;
 * a time in the past fires on the next advance). */
void timer_arm(struct timer_wheel *tw, struct timer *t, uint64_t expire_ns);
/* Arm relative to the wheel's current time. */
void timer_arm_in(struct timer_wheel *tw, struct timer *t, uint64_t delay_ns);
void timer_cancel(struct timer_wheel *tw, struct timer *t);
static inline bool timer_armed(const struct timer *t) { return t->prev != NULL; }
/* Run every timer due at or before @now_ns. Returns the number fired. */
unsigned timer_wheel_advance(struct timer_wheel *tw, uint64_t now_ns);
/* Earliest expiry time in ns of any armed timer (a lower bound that is exact
 * for level-0 timers), or UINT64_MAX when none is armed. For virtual-clock
 * tests that jump time forward. */
uint64_t timer_wheel_next_expiry(const struct timer_wheel *tw);

#endif
