/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_H
#define MPDK_MPTCP_H

/**
 * @file
 * Multipath TCP v1 (RFC 8684) on mpdk connections.
 *
 * MPTCP is on by default: mpdk_connect() offers MP_CAPABLE and listeners
 * accept it. The handle the application holds is the MPTCP connection (the
 * "meta" connection): mpdk_send/recv/shutdown/close/abort act on the data
 * stream, whatever the subflows underneath do. When the peer does not
 * speak MPTCP, or a middlebox strips the options, the connection falls
 * back to plain TCP (RFC 8684 §3.7) and the application sees no
 * difference (mpdk_conn_info() says so in mptcp_fallback).
 *
 * Same thread rules as mpdk_tcp.h: every call on the engine's thread.
 */

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MPDK_CONN_T_DEFINED
#define MPDK_CONN_T_DEFINED
/** Connection or listener handle (see mpdk_tcp.h). */
typedef uint64_t mpdk_conn_t;
#endif

/** Path manager endpoint flags (like Linux `ip mptcp endpoint`). */
#define MPDK_MPTCP_EP_SUBFLOW 0x1  /**< open a subflow from this address */
#define MPDK_MPTCP_EP_SIGNAL  0x2  /**< announce it to the peer (ADD_ADDR) */
#define MPDK_MPTCP_EP_BACKUP  0x4  /**< subflows from it are backups */

#define MPDK_MPTCP_MAX_ENDPOINTS 8

/** A local endpoint of the path manager. */
struct mpdk_mptcp_endpoint {
	uint32_t addr;     /**< one of the stack's addresses, network order */
	uint8_t flags;     /**< MPDK_MPTCP_EP_* */
	uint8_t id;        /**< address id (1..255); 0 = assigned */
};

/**
 * MPTCP settings of a stack, part of mpdk_tcp_conf (field `mptcp`).
 * Zeroed fields take the defaults in brackets.
 */
struct mpdk_mptcp_conf {
	bool disabled;            /**< no MPTCP: plain TCP only [MPTCP on] */
	bool checksum;            /**< require DSS checksums (flag A) [off; the
				       peer's request is always honoured] */
	uint8_t max_subflows;     /**< extra subflows per connection, like Linux's
				       `limits subflow` [2] */
	uint8_t max_add_addr;     /**< ADD_ADDRs accepted per connection and
				       acted upon, like `add_addr_accepted` [2] */
	const char *scheduler;    /**< "default" (lowest RTT), "roundrobin",
				       "redundant" ["default"] */
	const char *cc;           /**< subflows' congestion control: "lia",
				       "olia", or "tcp" for mpdk_tcp_conf.cc
				       uncoupled ["lia"] */
	uint8_t n_endpoints;      /**< endpoints below; 0 = none configured */
	struct mpdk_mptcp_endpoint endpoints[MPDK_MPTCP_MAX_ENDPOINTS];
};

/** One subflow, as mpdk_mptcp_subflows() reports it. */
struct mpdk_mptcp_subflow_info {
	uint32_t local_addr, remote_addr;   /**< network byte order */
	uint16_t local_port, remote_port;   /**< network byte order */
	int state;                          /**< enum mpdk_tcp_state */
	uint8_t local_id, remote_id;        /**< address ids */
	bool backup;                        /**< we or the peer marked it backup */
	bool initial;                       /**< the MP_CAPABLE subflow */
	bool closed;                        /**< gone (kept for the report) */
	uint32_t srtt_us;
	uint32_t cwnd;
	uint64_t bytes_out;                 /**< data bytes acked at subflow level */
	uint64_t bytes_in;                  /**< data bytes received in order */
	uint64_t retransmits;
};

/**
 * List the subflows of MPTCP connection @p c (at most @p n into @p out,
 * initial subflow first). A fallen-back or plain TCP connection reports
 * its one TCP connection.
 * @return the number of subflows (may exceed @p n), -EBADF, -EINVAL.
 */
int mpdk_mptcp_subflows(mpdk_conn_t c, struct mpdk_mptcp_subflow_info *out, unsigned n);

/** Fill @p c with the defaults. */
void mpdk_mptcp_conf_defaults(struct mpdk_mptcp_conf *c);

/**
 * Mark the subflows of @p c that leave from local address @p laddr (0 =
 * all) as backup (or not) and tell the peer with MP_PRIO (RFC 8684
 * §3.3.8). @return 0, -EBADF, -EINVAL (not MPTCP), -ENOENT.
 */
int mpdk_mptcp_set_backup(mpdk_conn_t c, uint32_t laddr, bool backup);

#ifdef __cplusplus
}
#endif
#endif
