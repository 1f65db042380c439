/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CORE_LOG_H
#define MPDK_CORE_LOG_H

#include <rte_log.h>

extern int mpdk_logtype;

/* MPDK_LOG(ERR|WARNING|NOTICE|INFO|DEBUG, "fmt", ...): rte_log under the
 * "mpdk" log type. Not for the per-packet path: count there instead. */
#define MPDK_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, mpdk_logtype, "mpdk: " fmt "\n", ##__VA_ARGS__)

#endif
