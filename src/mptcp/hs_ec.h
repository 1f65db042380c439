/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_HS_EC_H
#define MPDK_MPTCP_HS_EC_H

/*
 * The EC point-exchange keying mode (draft "SE-MPTCP", docs/security.md)
 * in the MP_CAPABLE / MP_JOIN state machine. subflow.c dispatches on the
 * connection's keying mode (mp->hs_mode) and calls these for HS_EC; the
 * crypto and the option forms are src/secure/.
 *
 * What runs where:
 *   handshake path: take a key pair from the engine's pool, build and
 *     absorb the EC MP_CAPABLE options, derive keys, IDSNs and this host's
 *     token from the x coordinates alone (one SHA-256);
 *   engine hook (hs_ec_poll, once per poll iteration): validate the peer's
 *     point, ECDH, K and the keyed HMAC context for at most a few
 *     connections per iteration, and refill the key-pair pools when the
 *     iteration received nothing (idle);
 *   join handling: HMAC work only; a join SYN that arrives before K is
 *     ready is dropped and counted (the peer retransmits its SYN).
 */

#include <stdbool.h>
#include <stdint.h>
#include "secure/ec.h"
#include "secure/ec_auth.h"
#include "secure/ec_mpc.h"
#include "secure/ec_pool.h"

struct tcb;
struct tcp_engine;
struct tcp_opts;
struct mptcp_meta;
struct mptcp_subflow;
struct mptcp_opt;
struct mptcp_opt_join;

/* How a connection's keys are made (mp->hs_mode). */
enum mptcp_hs_mode {
	HS_RFC8684 = 0, /* RFC 8684 keys in clear (also ec-preferred's fallback) */
	HS_EC = 1,      /* EC point exchange (this file) */
	HS_APP = 2,     /* application-supplied keys (G flag) */
};

#define HS_EC_SEEN_MAX 16     /* (Address ID, R_A) pairs remembered per connection */

/* Per connection (struct mptcp_meta, field ec). */
struct hs_ec_conn {
	uint8_t variant;        /* enum ec_variant */
	uint8_t curve;          /* enum ec_curve */
	bool required;          /* ec-required: no RFC 8684 fallback */
	bool fell_back;         /* ec-preferred ended with RFC 8684 */
	bool peer_cached;       /* ... because the peer was remembered */
	bool have_keys;         /* keys, IDSNs, own token derived */
	bool job_queued;        /* ECDH waiting for the engine hook */
	bool failed;            /* peer point invalid or ECDH failed: no joins */
	bool incomplete;        /* draft: A's y never arrived (no joins) */
	bool ack_b_now;         /* draft B: the next pure ACK carries B's x */
	bool setup_failed;      /* ec-required client without a key pair or token:
				 * the connection fails at the SYN/ACK */
	uint8_t saved_rcv_wscale; /* client: for an RFC 8684 restart */
	uint8_t n_seen;
	struct ec_keypair kp;   /* own; wiped once K is computed */
	struct ec_point own_pub;
	struct ec_peer peer;
	struct ec_session s;
	struct {
		uint8_t id;
		uint32_t r_a;
	} seen[HS_EC_SEEN_MAX];
};

/* Engine: set up / tear down the per-engine state (ec_ctx, pools, peer
 * memory, job queue) and register the poll hook. A no-op (0) when the
 * stack's key mode is rfc8684. */
int hs_ec_engine_init(struct tcp_engine *te);
void hs_ec_engine_fini(struct tcp_engine *te);

/* The configured key mode (enum mpdk_key_mode). */
unsigned hs_conf_mode(const struct tcp_engine *te);

/* Client. Returns true when it set up t->sf with an EC offer; false: use
 * RFC 8684 (peer remembered as not EC: *cached = true; or no key pair). */
bool hs_ec_connect_init(struct tcb *t, bool *cached);
/* The MP_CAPABLE of our SYN or SYN/ACK into @opt; drops TCP options from
 * @o that do not fit beside it (ec_syn_option_plan). False: the connection
 * just fell back to RFC 8684 (SYN retries), build the RFC 8684 SYN. */
bool hs_ec_tx_syn(struct tcb *t, bool ack, struct tcp_opts *o, struct mptcp_opt *opt);
/* A pure ACK of the handshake: draft B's x before its SYN/ACK (B), or
 * A's final MP_CAPABLE (A, until fully established). False: none. */
bool hs_ec_tx_ack(struct tcb *t, uint32_t len, struct mptcp_opt *opt);
/* SYN-SENT got a segment without SYN (draft: B's x on a pure ACK). */
void hs_ec_syn_sent_ack(struct tcb *t, const struct tcp_opts *o, uint8_t thflags);
/* 1: handled, go on; 0: stop (tcb reset, restarted or segment dropped);
 * 2: the peer chose RFC 8684: continue with the RFC 8684 code. */
int hs_ec_synack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags);

/* Server: an EC SYN (@opt parsed). False: refuse (RST). */
bool hs_ec_listen_syn(struct tcb *t, const struct mptcp_opt *opt);
/* 1: go on (EC established, or plain TCP); 0: the subflow was reset. */
int hs_ec_third_ack_rcvd(struct tcb *t, const struct tcp_opts *o, uint8_t thflags);

/* Joins. Before any state for a join SYN: true = drop it (counted). */
bool hs_ec_join_precheck(struct tcp_engine *te, const struct mptcp_opt_join *j);
/* After the subflow exists: remember (Address ID, R_A). */
void hs_ec_join_accepted(struct mptcp_meta *mp, const struct mptcp_opt_join *j);
/* Initiator SYN: Token_B, HMAC_Token (computes K now if the hook has not). */
void hs_ec_join_syn_opt(struct mptcp_meta *mp, struct mptcp_subflow *sf, struct mptcp_opt *opt);
uint64_t hs_ec_auth_b(struct mptcp_meta *mp, uint32_t r_b, uint32_t r_a);
bool hs_ec_auth_b_ok(struct mptcp_meta *mp, uint32_t r_b, uint32_t r_a, uint64_t thmac);
void hs_ec_auth_a(struct mptcp_meta *mp, uint32_t r_a, uint32_t r_b, uint8_t *out);
bool hs_ec_auth_a_ok(struct mptcp_meta *mp, uint32_t r_a, uint32_t r_b, const uint8_t *hmac);

/* ADD_ADDR needs K: compute it now if still queued. False: no K. */
bool hs_ec_need_k(struct mptcp_meta *mp);
static inline bool hs_ec_k_ready(const struct hs_ec_conn *c) { return c->s.k_ready; }

/* Wipe the secrets of a connection (meta free). */
void hs_ec_conn_wipe(struct hs_ec_conn *c);
/* Wipe the whole meta before it is freed: EC key pair and K, the RFC 8684
 * or app keys (local_key/remote_key, IDSNs), the HMAC contexts keyed with
 * them (hmac_local/hmac_remote) and everything else in it. */
void hs_meta_wipe(struct mptcp_meta *mp);

/* Tests and the benchmark: run the queued ECDH jobs of @te now; returns
 * how many ran. */
unsigned hs_ec_run_jobs(struct tcp_engine *te, unsigned max);
/* Forget the per-peer memory of ec-preferred (tests). */
void hs_ec_peer_cache_clear(struct tcp_engine *te);

#endif
