/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_TCP_H
#define MPDK_MPTCP_TCP_H

/*
 * What the TCP engine calls into MPTCP (RFC 8684). Every hook is called
 * only for a tcb with t->sf set (a subflow, or a connection that offered
 * or received MP_CAPABLE), except the engine-level ones and
 * mptcp_join_syn(). Hooks that return bool return false when the tcb was
 * freed (or reset) and the caller must stop touching it.
 */

#include <stdint.h>
#include <stdbool.h>
#include <rte_mbuf.h>
#include "tcp/tcb.h"

int mptcp_engine_init(struct tcp_engine *te);
void mptcp_engine_fini(struct tcp_engine *te);
/* Once per poll iteration, before events are delivered. */
void mptcp_engine_poll(struct tcp_engine *te);

/* Client: mpdk_connect() made @t (SYN_SENT, nothing sent): offer MPTCP. */
void mptcp_connect_init(struct tcb *t);
/* Server: listener child @t got a SYN with options @o (called for every
 * SYN, with or without MPTCP options). false: the key mode refuses this
 * SYN (ec-required without EC): the caller answers with a RST and frees
 * @t. */
bool mptcp_listen_syn(struct tcb *t, const struct tcp_opts *o, uint8_t thflags);
/* Does this SYN carry MP_JOIN (and is MPTCP on)? */
bool mptcp_is_join_syn(struct tcp_engine *te, const struct tcp_opts *o, uint8_t thflags);
/* A SYN with MP_JOIN that matched no connection: @t was made for it
 * (SYN_RECEIVED, options applied, in the demux). Attach it to the meta of
 * the token; false: unknown token or over the limits, @t was freed (and
 * the caller answers nothing more). */
bool mptcp_join_syn(struct tcb *t, const struct tcp_opts *o, uint8_t thflags);
/* Before anything is allocated for a join SYN (mptcp_is_join_syn true):
 * true = drop it silently, counted (EC mode: HMAC_Token wrong, K not
 * ready, Address ID in use, replay; docs/security.md). */
bool mptcp_join_syn_drop(struct tcp_engine *te, const struct tcp_opts *o, uint8_t thflags);
/* Client in SYN-SENT: an acceptable segment without SYN or RST (the EC
 * draft variant's pure ACK carrying B's x); the caller then drops it. */
void mptcp_syn_sent_ack(struct tcb *t, const struct tcp_opts *o, uint8_t thflags);
/* EC keying per engine (mptcp/hs_ec.c): set up after mptcp_engine_init. */
int hs_ec_engine_init(struct tcp_engine *te);
void hs_ec_engine_fini(struct tcp_engine *te);
/* Client: SYN/ACK received (options applied, not yet ESTABLISHED). */
bool mptcp_synack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags);
/* Server: the ACK that completes the handshake (SYN_RECEIVED). */
bool mptcp_third_ack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags,
			  uint32_t seq, uint32_t len);
/* A segment on a synchronized subflow, after the ACK was processed and
 * before its data is. */
bool mptcp_input_opts(struct tcb *t, const struct tcp_opts *o, uint8_t thflags, uint32_t seq,
		      uint32_t len);
/* RST received on a subflow (before it is torn down). */
void mptcp_rst_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags);
/* In-order payload @m (@len bytes) at the subflow's rcv_nxt (before it
 * is advanced). Takes @m. */
void mptcp_rcv_data(struct tcb *t, struct rte_mbuf *m, uint32_t len);
/* Is @t a subflow attached to an established MPTCP connection? */
bool mptcp_sf_attached(const struct tcb *t);
/* The subflow's FIN was consumed. */
void mptcp_rcv_fin(struct tcb *t);
/* SND.UNA of the subflow advanced. */
void mptcp_sf_acked(struct tcb *t);
/* The peer's TCP window on subflow @t grew (without new data ACKed): the
 * meta may have data waiting for it, which TCP cannot see (it is not in
 * the subflow's queue yet, so no persist timer runs for it). */
void mptcp_sf_wnd_grew(struct tcb *t);
/* Options of a segment: MPTCP options encoded into @buf (room for 40
 * bytes), referenced from @o. Returns @len, possibly reduced so that the
 * segment stays inside one mapping. */
uint32_t mptcp_tx_opts(struct tcb *t, uint32_t seq, uint32_t len, uint8_t thflags,
		       struct tcp_opts *o, uint8_t *buf);
/* May the data segments of subflow @t go out as TSO super-segments? Only
 * in the plain data phase, where every segment carries the DSS of the one
 * mapping that holds it (the port repeats the options on every segment it
 * cuts, as Linux's TSO does): MPTCP established, the handshake over (the
 * peer's DSS seen, joins confirmed), no fallback, MP_FAIL or infinite
 * mapping pending. DSS checksums do not matter: a mapping's checksum is
 * computed over its whole data when it is made (mptcp_sf_push). */
bool mptcp_tso_ok(const struct tcb *t);
/* Receive window space of a subflow (the meta's). */
uint32_t mptcp_rcv_space(const struct tcb *t);
/* The subflow's TCP connection is over. Returns true when the tcb must be
 * kept (it holds the application's handle for a meta that lives on). */
bool mptcp_sf_done(struct tcb *t, int err);
/* tcb_free(): drop the MPTCP state. */
void mptcp_sf_free(struct tcb *t);

/* API on an anchor with t->mp (tcp_api.c dispatches). */
/* A subflow's retransmission timer expired: if other subflows are
 * healthy, reinject its outstanding data there (§3.3.6). */
void mptcp_sf_rto(struct tcb *t);
/* tcp_nobuf() retry on an anchor whose meta speaks for it (t->mp):
 * report writable if a send was refused, push again. */
void mptcp_nobuf_retry(struct tcb *t);
ssize_t mptcp_api_send(struct tcb *t, const void *buf, size_t len);
int mptcp_api_send_mbuf(struct tcb *t, struct rte_mbuf *m);
ssize_t mptcp_api_recv(struct tcb *t, void *buf, size_t len);
ssize_t mptcp_api_recv_mbuf(struct tcb *t, struct rte_mbuf **m);
int mptcp_api_shutdown(struct tcb *t, int how);
int mptcp_api_close(struct tcb *t);
int mptcp_api_abort(struct tcb *t);
void mptcp_api_info(struct tcb *t, struct mpdk_conn_info *i);
void mptcp_api_nodelay(struct tcb *t, bool on);
bool mptcp_api_has_data(const struct tcb *t);
/* After the closed() callback: the application let go. */
void mptcp_api_released(struct tcb *t);

#endif
