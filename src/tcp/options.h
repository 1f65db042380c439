/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TCP_OPTIONS_H
#define MPDK_TCP_OPTIONS_H

/*
 * TCP options codec (RFC 9293 §3.2, RFC 7323, RFC 2018). The only code that
 * reads or writes TCP option bytes. MPTCP options (kind 30) are not decoded
 * here: the parser records where they are so that mptcp/options.c can parse
 * them, and the writer copies pre-encoded MPTCP options into the header.
 *
 * Pure functions, no allocation, thread-safe.
 */

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

enum tcp_opt_kind {
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,        /* len 4,  RFC 9293 §3.2 */
	TCPOPT_WSCALE = 3,     /* len 3,  RFC 7323 §2.2 */
	TCPOPT_SACK_PERM = 4,  /* len 2,  RFC 2018 §2 */
	TCPOPT_SACK = 5,       /* len 2+8n, RFC 2018 §3 */
	TCPOPT_TIMESTAMP = 8,  /* len 10, RFC 7323 §3.2 */
	TCPOPT_MPTCP = 30,     /* RFC 8684 */
};

#define TCPOLEN_MSS 4
#define TCPOLEN_WSCALE 3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_TIMESTAMP 10
#define TCPOLEN_SACK_BLOCK 8

#define TCP_OPTS_MAX_LEN 40     /* 60-byte header minus 20 */
#define TCP_OPTS_MAX_SACK 4     /* (40 - 2) / 8 */
#define TCP_OPTS_MAX_MPTCP 4
#define TCP_WSCALE_MAX 14       /* RFC 7323 §2.3 */

/* tcp_opts.flags: which options are present (parse) / to write (write). */
#define TCP_OPT_F_MSS       (1u << 0)
#define TCP_OPT_F_WSCALE    (1u << 1)
#define TCP_OPT_F_SACK_PERM (1u << 2)
#define TCP_OPT_F_TS        (1u << 3)
#define TCP_OPT_F_SACK      (1u << 4)   /* n_sack > 0 */
#define TCP_OPT_F_MPTCP     (1u << 5)   /* n_mptcp > 0 */

struct tcp_sack_block {
	uint32_t start;  /* first sequence number of the block */
	uint32_t end;    /* sequence number just past the block */
};

/* One kind-30 option: p points at its kind byte, len is its full length
 * (kind and length bytes included). After parsing, p points into the
 * caller's buffer and is valid only as long as that buffer (the mbuf). */
struct tcp_opt_mptcp {
	const uint8_t *p;
	uint8_t len;
};

struct tcp_opts {
	uint32_t flags;          /* TCP_OPT_F_* */
	uint16_t mss;
	uint8_t wscale;          /* capped at TCP_WSCALE_MAX */
	uint8_t n_sack;          /* 0..TCP_OPTS_MAX_SACK */
	uint32_t ts_val, ts_ecr;
	struct tcp_sack_block sack[TCP_OPTS_MAX_SACK];  /* host byte order */
	uint8_t n_mptcp;
	struct tcp_opt_mptcp mptcp[TCP_OPTS_MAX_MPTCP];

	/* Parse diagnostics, for the caller's counters (see TCP_OPTS_COUNT). */
	uint8_t n_bad_len;       /* known kinds with a wrong length: ignored */
	uint8_t n_unknown;       /* unknown kinds: skipped */
	uint8_t n_ignored;       /* valid but not honoured: MSS/WS/SACK_PERM on
				    a non-SYN segment, a 5th+ MPTCP option */
	bool wscale_capped;      /* a shift > 14 was received and capped */
};

/*
 * Parse the option bytes of a TCP header (@p, @len = data offset * 4 - 20).
 * @syn: the segment carries SYN. MSS, window scale and SACK-permitted are
 * honoured only on SYN segments (RFC 9293 §3.2, RFC 7323 §2.2, RFC 2018
 * §2); elsewhere they are ignored and counted in n_ignored.
 * Parsing stops at EOL. A known kind with a wrong length is ignored and
 * counted in n_bad_len; a window shift above 14 is used as 14 (RFC 7323
 * §2.3). When the same option occurs twice the last one wins.
 *
 * Returns 0, or -EBADMSG when the option list is malformed: a kind byte
 * without a length byte, a length below 2, or a length running past @len.
 * The caller then drops the segment (RFC 9293 §3.1, MUST-7) and counts
 * tcp_opt_malformed; @o is then partially filled and must not be used.
 */
int tcp_opts_parse(const uint8_t *p, size_t len, bool syn, struct tcp_opts *o);

/*
 * Trim @o so that its encoding fits in @budget bytes (at most 40), and
 * return that encoded length (a multiple of 4). What is dropped first, in
 * order: SACK blocks (the last ones first, keeping the most recent block
 * at the front), then MPTCP options (the last ones first), then
 * SACK-permitted, then window scale, then the timestamp, then MSS.
 * The engine uses this to learn which SACK blocks will go out.
 */
size_t tcp_opts_fit(struct tcp_opts *o, size_t budget);

/* Encoded length of @o within @budget: tcp_opts_fit() on a copy. */
size_t tcp_opts_len(const struct tcp_opts *o, size_t budget);

/*
 * Write the options flagged in @o->flags into @buf, never more than
 * @budget bytes (options are dropped as in tcp_opts_fit). Layout, as Linux
 * sends it:
 *   MSS | SACK_PERM TS  or  NOP NOP TS  or  NOP NOP SACK_PERM | NOP WS |
 *   MPTCP options, each NOP-padded to 4 bytes | NOP NOP SACK blocks
 * The result is a multiple of 4 bytes (no EOL needed). The caller decides
 * which options a segment carries (MSS, WS and SACK_PERM only on SYNs).
 * @o->mptcp[i].p must point at fully encoded options (kind 30 first).
 * Returns the number of bytes written.
 */
size_t tcp_opts_write(uint8_t *buf, size_t budget, const struct tcp_opts *o);

/*
 * Count a parse result into an engine's counters:
 *   rc = tcp_opts_parse(...); TCP_OPTS_COUNT(e, rc, &o);
 * (a macro so this header needs no engine headers).
 */
#define TCP_OPTS_COUNT(e, rc, o) do {                                   \
	if ((rc) < 0) {                                                 \
		CTR_INC(e, tcp_opt_malformed);                          \
	} else {                                                        \
		CTR_ADD(e, tcp_opt_bad_len, (o)->n_bad_len);            \
		CTR_ADD(e, tcp_opt_unknown, (o)->n_unknown);            \
		CTR_ADD(e, tcp_opt_ignored, (o)->n_ignored);            \
		if ((o)->wscale_capped)                                 \
			CTR_INC(e, tcp_opt_wscale_capped);              \
	}                                                               \
} while (0)

#endif
