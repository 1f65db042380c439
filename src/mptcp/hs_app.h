/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_HS_APP_H
#define MPDK_MPTCP_HS_APP_H

/*
 * Application-supplied keys (key mode "app", MP_CAPABLE flag G;
 * docs/security.md "Application-supplied keys"; seeds
 * app-auth-handshake-slides.txt and tls-authentication-draft.txt).
 *
 * MP_CAPABLE carries 32-bit tokens instead of keys:
 *   SYN      G                      (length 4)
 *   SYN/ACK  G, Token-B             (length 8)
 *   ACK      G, Token-A, Token-B    (length 12; 14/16 with first data)
 * IDSN-A = lsb_64(SHA-256(Token-A || Token-B)), IDSN-B likewise with the
 * tokens swapped, so data flows on the initial subflow at once (the
 * application's own key exchange, e.g. TLS, runs over it). The keys come
 * later through mpdk_mptcp_set_keys(); until both ends have set them no
 * join is opened or accepted (counted), and no ADD_ADDR is sent or
 * accepted. Joins are then RFC 8684 §3.2 keyed with those keys.
 *
 * subflow.c calls these only for a connection in this mode
 * (mp->hs_mode == HS_APP) or, before the meta exists, for a stack whose
 * key mode is MPDK_KEY_APP.
 */

#include <stdbool.h>
#include <stdint.h>

struct tcb;
struct tcp_engine;
struct tcp_opts;
struct mptcp_meta;
struct mptcp_opt;
struct mptcp_opt_capable;
struct mptcp_opt_add_addr;
struct mpdk_conn_info;

#define HS_APP_HELD_MAX 4   /* ADD_ADDRs kept until the keys are set */

/* Per connection (struct mptcp_meta, field app). */
struct hs_app_conn {
	bool keys_set;       /* mpdk_mptcp_set_keys() was called */
	bool pm_deferred;    /* the path manager waits for the keys */
	uint8_t n_held;
	uint64_t idsn_local, idsn_remote;
	/* ADD_ADDRs received before the keys: their HMAC is checked (and
	 * they are acted upon) when the keys are set */
	struct {
		uint8_t addr_id, family;
		bool has_port;
		uint16_t port;
		uint32_t v4;
		uint8_t v6[16];
		uint64_t hmac;
	} held[HS_APP_HELD_MAX];
};

/* Is the stack's key mode "app"? */
bool hs_app_conf(const struct tcp_engine *te);

/* Client: offer G on @t (SYN_SENT). Same contract as mptcp_connect_init. */
void hs_app_connect_init(struct tcb *t);
/* Server: a listener child got a SYN. Accepts G (with or without H);
 * anything else stays plain TCP (counted). */
void hs_app_listen_syn(struct tcb *t, const struct tcp_opts *o, uint8_t thflags);
/* Client: SYN/ACK of the initial subflow. Returns true (the tcb lives). */
bool hs_app_synack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags);
/* Server: third ACK of the initial subflow. True: established, *c holds
 * the option (first data: c->form == MPTCP_CAP_APP_ACK_DATA); false: the
 * connection fell back to TCP. */
bool hs_app_third_ack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags,
			   struct mptcp_opt_capable *c);
/* Turn the RFC 8684 MP_CAPABLE subflow.c built for a handshake segment
 * into this mode's token form. */
void hs_app_tx_mpc(const struct mptcp_meta *mp, struct mptcp_opt *opt);

/* A join SYN for this connection: false = refuse it (keys not set; counted). */
bool hs_app_join_ok(struct mptcp_meta *mp);
/* The path manager may run (announce, join): keys set. Otherwise remember
 * to run it when they are. */
bool hs_app_pm_ready(struct mptcp_meta *mp);
/* An ADD_ADDR (not an echo) arrived before the keys: keep it (counted in
 * mptcp_app_add_addr_nokeys; dropped, and counted in
 * mptcp_app_add_addr_dropped, when HS_APP_HELD_MAX are held). */
void hs_app_add_addr_hold(struct mptcp_meta *mp, const struct mptcp_opt_add_addr *a);
/* Initial data sequence number of the peer (first data mapping). */
uint64_t hs_app_remote_idsn(const struct mptcp_meta *mp);
/* mpdk_conn_info(): byte counts relative to this mode's IDSNs. */
void hs_app_info(const struct mptcp_meta *mp, struct mpdk_conn_info *i);

#endif
