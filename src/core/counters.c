/* SPDX-License-Identifier: BSD-3-Clause */
#include "core/counters.h"

const char *const counter_names[CTR_MAX] = {
#define CTR(n, d) [CTR_##n] = #n,
#include "core/core_counters.def"
#include "net/net_counters.def"
#include "tcp/tcp_counters.def"
#include "mptcp/mptcp_counters.def"
#include "secure/secure_counters.def"
#undef CTR
};

const char *const counter_descs[CTR_MAX] = {
#define CTR(n, d) [CTR_##n] = d,
#include "core/core_counters.def"
#include "net/net_counters.def"
#include "tcp/tcp_counters.def"
#include "mptcp/mptcp_counters.def"
#include "secure/secure_counters.def"
#undef CTR
};
