/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_log.h>
#include "core/log.h"

/* Registered at load time: "mpdk" at NOTICE; raise with
 * --log-level=mpdk:debug on the EAL command line. */
RTE_LOG_REGISTER(mpdk_logtype, mpdk, NOTICE);
