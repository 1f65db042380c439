/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include "mpdk/mpdk_error.h"

const char *mpdk_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0: return "success";
	case MPDK_ENOPORT: return "no such port";
	case MPDK_ENOROUTE: return "no route to destination";
	case MPDK_EARPFAIL: return "address resolution (ARP) failed";
	case MPDK_EEAL: return "the DPDK EAL could not be started";
	default:
		break;
	}
	if (err > MPDK_EBASE)
		return "unknown mpdk error";
	/* strerror() of glibc returns a static string for known codes and
	 * "Unknown error N" otherwise; fine for our purpose. */
	return strerror(err);
}
