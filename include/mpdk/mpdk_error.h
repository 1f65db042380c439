/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_ERROR_H
#define MPDK_ERROR_H

/**
 * @file
 * Error codes. Every mpdk call returns 0 (or a non-negative count) on
 * success and a negative errno-style code on failure: -EINVAL, -ENOMEM,
 * -ENOBUFS, -EAGAIN, -ENOTCONN, ... plus the mpdk-specific codes below, which
 * live above the errno range.
 */

#ifdef __cplusplus
extern "C" {
#endif

enum {
	MPDK_EBASE = 2000,
	MPDK_ENOPORT,      /**< no such port */
	MPDK_ENOROUTE,     /**< no route to the destination */
	MPDK_EARPFAIL,     /**< ARP resolution gave up */
	MPDK_EEAL,         /**< the DPDK EAL could not start */
	MPDK_ELAST,
};

/**
 * Explain an error code.
 * @param err a return value of an mpdk call (negative) or its absolute value.
 * @return a static string, never NULL. Thread safe.
 */
const char *mpdk_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
