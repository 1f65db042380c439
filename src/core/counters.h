/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CORE_COUNTERS_H
#define MPDK_CORE_COUNTERS_H

/*
 * Every counter of the stack, one X-macro list per module:
 *   CTR(name, "description")
 * Each module owns its .def file. Counters are per engine, plain uint64_t,
 * incremented without atomics by the owning engine.
 */

enum counter_id {
#define CTR(n, d) CTR_##n,
#include "core_counters.def"
#include "../net/net_counters.def"
#include "../tcp/tcp_counters.def"
#include "../mptcp/mptcp_counters.def"
#include "../secure/secure_counters.def"
#undef CTR
	CTR_MAX
};

extern const char *const counter_names[CTR_MAX];
extern const char *const counter_descs[CTR_MAX];

#define CTR_INC(e, n) ((e)->ctr[CTR_##n]++)
#define CTR_ADD(e, n, v) ((e)->ctr[CTR_##n] += (v))

#endif
