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
	/* Keying (docs/security.md), appended: */
	uint8_t key_mode;         /**< enum mpdk_key_mode [MPDK_KEY_RFC8684] */
	uint8_t ec_variant;       /**< enum mpdk_ec_variant [MPDK_EC_COMPRESSED] */
	const char *ec_curve;     /**< EC curve, a draft Figure 4 name such as
				       "secp256r1" (mpdk_ec_curve_names()) ["secp224r1"] */
	/* Path manager, appended: */
	bool deny_join_initial;   /**< set flag C in our MP_CAPABLE SYN/ACK and
				       refuse MP_JOINs to the address and port of
				       a connection's initial subflow (RFC 8684
				       §3.1), like Linux's sysctl
				       net.mptcp.allow_join_initial_addr_port=0
				       [off: joins to it are accepted] */
};

/**
 * How a connection's MPTCP keys are made (docs/security.md, issue 5).
 */
enum mpdk_key_mode {
	MPDK_KEY_RFC8684 = 0,      /**< RFC 8684: 64-bit keys sent in clear */
	MPDK_KEY_EC_PREFERRED = 1, /**< EC point exchange with peers that
				        support it; RFC 8684 with the others
				        (remembered per peer address) */
	MPDK_KEY_EC_REQUIRED = 2,  /**< EC or nothing: connect fails with
				        -EPROTONOSUPPORT, a SYN without EC is
				        answered with a RST */
	MPDK_KEY_APP = 3,          /**< keys supplied by the application (G flag) */
};

/** The two EC MP_CAPABLE encodings (docs/security.md, "Wire format"). */
enum mpdk_ec_variant {
	MPDK_EC_COMPRESSED = 0, /**< mpdk's: x + parity of y, three segments */
	MPDK_EC_DRAFT = 1,      /**< the draft's: x and y, four segments */
};

/** "rfc8684", "ec-preferred", "ec-required", "app"; NULL if unknown. */
const char *mpdk_key_mode_name(unsigned mode);
/** The mode of a name above, or -EINVAL. */
int mpdk_key_mode_parse(const char *name);
/** "ec-compressed" / "ec-draft"; mpdk_ec_variant_parse() also takes
 *  "compressed" and "draft". */
const char *mpdk_ec_variant_name(unsigned v);
int mpdk_ec_variant_parse(const char *name);
/** Curve id (draft Figure 4) of a curve name, or -EINVAL. */
int mpdk_ec_curve_parse(const char *name);
/** Name of curve id @p id, or NULL. */
const char *mpdk_ec_curve_name(unsigned id);

/** What keying a connection ended up with. */
struct mpdk_mptcp_key_info {
	uint8_t conf_mode;   /**< enum mpdk_key_mode the stack was configured with */
	uint8_t mode;        /**< the mode in use: MPDK_KEY_RFC8684 also for a
			          fallback from ec-preferred; for a plain TCP
			          connection (no MPTCP) the configured mode */
	bool mptcp;          /**< MPTCP is in use (not plain TCP) */
	bool ec;             /**< the EC point exchange was used */
	bool fell_back;      /**< ec-preferred used RFC 8684 with this peer */
	bool peer_cached;    /**< ... because the peer was remembered */
	bool k_ready;        /**< EC: the shared secret K is computed */
	uint8_t ec_variant;  /**< enum mpdk_ec_variant (ec only) */
	int ec_curve;        /**< curve id (ec only), else -1 */
	const char *ec_curve_name; /**< static string, NULL unless ec */
};

/**
 * The keying of connection @p c (docs/security.md).
 * @return 0, -EBADF, -EINVAL (a listener or NULL @p out).
 */
int mpdk_mptcp_key_info(mpdk_conn_t c, struct mpdk_mptcp_key_info *out);

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

/**
 * Give connection @p c its MPTCP keys, key mode MPDK_KEY_APP
 * (application-supplied keys, docs/security.md): @p key_a is the key of
 * the host that opened the connection (the client), @p key_b the other
 * host's, so both ends pass the same two values. With TLS:
 * SSL_export_keying_material(label "EXPORTER-MPTCP", no context, 16
 * bytes), Key-A = the first 8 bytes big-endian, Key-B = the last 8.
 * Joins (RFC 8684 §3.2 HMACs keyed with these keys) and ADD_ADDR are
 * possible only once both ends have set them; the keys cannot be changed.
 * @return 0, -EBADF, -EINVAL (a listener, a zero key or two equal keys),
 * -ENOTCONN (the MPTCP handshake is not finished, or the connection is
 * over), -EOPNOTSUPP (the connection does not use application keys: other
 * key mode, or plain TCP because the peer did not offer or take flag G),
 * -EALREADY (keys set before).
 */
int mpdk_mptcp_set_keys(mpdk_conn_t c, uint64_t key_a, uint64_t key_b);

struct mpdk_engine;

/**
 * Take local address @p addr (network order) away from the path manager
 * of engine @p e, like `ip mptcp endpoint delete`: it is no longer
 * announced (ADD_ADDR) nor used for new subflows, and every MPTCP
 * connection of @p e that announced it or has subflows from it sends
 * REMOVE_ADDR with its address id (RFC 8684 §3.4.2) and closes those
 * subflows (FIN; their unacknowledged data goes on the other subflows).
 * A connection whose subflows all leave from @p addr keeps them. The
 * address itself stays on the stack (ARP, ping, plain TCP).
 * Call on @p e's thread, on every engine of the stack.
 * @return the number of connections that sent REMOVE_ADDR (>= 0),
 *         -EINVAL (NULL @p e, MPTCP off), -ENOENT (@p addr is not one of
 *         the stack's addresses).
 */
int mpdk_mptcp_endpoint_del(struct mpdk_engine *e, uint32_t addr);

#ifdef __cplusplus
}
#endif
#endif
