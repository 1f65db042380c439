/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_H
#define MPDK_H

/**
 * @file
 * mpdk: a userspace TCP and Multipath TCP stack on DPDK.
 * Include this header; link with `pkg-config --libs libmpdk`.
 */

#include "mpdk_error.h"
#include "mpdk_clock.h"
#include "mpdk_port.h"
#include "mpdk_stack.h"
#include "mpdk_args.h"
#include "mpdk_tcp.h"
#include "mpdk_mptcp.h"

#define MPDK_VERSION "0.1.0"

#endif
