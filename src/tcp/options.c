/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP options codec: RFC 9293 §3.2 (option format, MSS), RFC 7323 (window
 * scale, timestamps), RFC 2018 (SACK). See options.h for the contract.
 */

#include <errno.h>
#include <string.h>
#include "options.h"

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = (v >> 16) & 0xff; p[2] = (v >> 8) & 0xff; p[3] = v & 0xff;
}

int tcp_opts_parse(const uint8_t *p, size_t len, bool syn, struct tcp_opts *o)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		uint8_t kind = p[i];
		uint8_t olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		/* RFC 9293 §3.1: every other option has a length byte that counts
		 * kind and length; a list that lies about it is not parseable. */
		if (len - i < 2)
			return -EBADMSG;
		olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			return -EBADMSG;
		const uint8_t *v = p + i + 2;

		switch (kind) {
		case TCPOPT_MSS:
			if (olen != TCPOLEN_MSS) {
				o->n_bad_len++;
			} else if (!syn) {
				o->n_ignored++;   /* RFC 9293 §3.2: only in SYNs */
			} else {
				o->mss = get16(v);
				o->flags |= TCP_OPT_F_MSS;
			}
			break;
		case TCPOPT_WSCALE:
			if (olen != TCPOLEN_WSCALE) {
				o->n_bad_len++;
			} else if (!syn) {
				o->n_ignored++;   /* RFC 7323 §2.2 */
			} else {
				o->wscale = v[0];
				if (o->wscale > TCP_WSCALE_MAX) {
					o->wscale = TCP_WSCALE_MAX;  /* RFC 7323 §2.3 */
					o->wscale_capped = true;
				}
				o->flags |= TCP_OPT_F_WSCALE;
			}
			break;
		case TCPOPT_SACK_PERM:
			if (olen != TCPOLEN_SACK_PERM)
				o->n_bad_len++;
			else if (!syn)
				o->n_ignored++;   /* RFC 2018 §2 */
			else
				o->flags |= TCP_OPT_F_SACK_PERM;
			break;
		case TCPOPT_SACK: {
			unsigned n = (olen - 2u) / TCPOLEN_SACK_BLOCK;

			if (olen < 2 + TCPOLEN_SACK_BLOCK || (olen - 2u) % TCPOLEN_SACK_BLOCK) {
				o->n_bad_len++;
				break;
			}
			/* (40 - 2) / 8 = 4: a longer option cannot fit in a header. */
			if (n > TCP_OPTS_MAX_SACK)
				n = TCP_OPTS_MAX_SACK;
			for (unsigned b = 0; b < n; b++) {
				o->sack[b].start = get32(v + 8 * b);
				o->sack[b].end = get32(v + 8 * b + 4);
			}
			o->n_sack = (uint8_t)n;
			o->flags |= TCP_OPT_F_SACK;
			break;
		}
		case TCPOPT_TIMESTAMP:
			if (olen != TCPOLEN_TIMESTAMP) {
				o->n_bad_len++;
			} else {
				o->ts_val = get32(v);
				o->ts_ecr = get32(v + 4);
				o->flags |= TCP_OPT_F_TS;
			}
			break;
		case TCPOPT_MPTCP:
			/* RFC 8684 §3: kind, length, subtype nibble at least. */
			if (olen < 3) {
				o->n_bad_len++;
			} else if (o->n_mptcp == TCP_OPTS_MAX_MPTCP) {
				o->n_ignored++;
			} else {
				o->mptcp[o->n_mptcp].p = p + i;
				o->mptcp[o->n_mptcp].len = olen;
				o->n_mptcp++;
				o->flags |= TCP_OPT_F_MPTCP;
			}
			break;
		default:
			o->n_unknown++;
			break;
		}
		i += olen;
	}
	return 0;
}

/* Encoded sizes, each a multiple of 4 given the layout in options.h. */
static size_t mptcp_padded(uint8_t len) { return ((size_t)len + 3u) & ~(size_t)3u; }

static size_t encoded_len(const struct tcp_opts *o)
{
	size_t n = 0;

	if (o->flags & TCP_OPT_F_MSS)
		n += 4;
	if (o->flags & TCP_OPT_F_TS)
		n += 12;                     /* SACK_PERM TS or NOP NOP TS */
	else if (o->flags & TCP_OPT_F_SACK_PERM)
		n += 4;                      /* NOP NOP SACK_PERM */
	if (o->flags & TCP_OPT_F_WSCALE)
		n += 4;
	if (o->flags & TCP_OPT_F_MPTCP)
		for (unsigned i = 0; i < o->n_mptcp; i++)
			n += mptcp_padded(o->mptcp[i].len);
	if ((o->flags & TCP_OPT_F_SACK) && o->n_sack)
		n += 4 + (size_t)TCPOLEN_SACK_BLOCK * o->n_sack;  /* NOP NOP SACK */
	return n;
}

size_t tcp_opts_fit(struct tcp_opts *o, size_t budget)
{
	size_t n;

	if (budget > TCP_OPTS_MAX_LEN)
		budget = TCP_OPTS_MAX_LEN;
	budget &= ~(size_t)3u;
	/* Counts only mean something with their flag; clamp to the arrays. */
	if (!(o->flags & TCP_OPT_F_SACK))
		o->n_sack = 0;
	else if (o->n_sack > TCP_OPTS_MAX_SACK)
		o->n_sack = TCP_OPTS_MAX_SACK;
	if (!(o->flags & TCP_OPT_F_MPTCP))
		o->n_mptcp = 0;
	else if (o->n_mptcp > TCP_OPTS_MAX_MPTCP)
		o->n_mptcp = TCP_OPTS_MAX_MPTCP;

	/* Drop in the documented priority order until it fits. */
	while ((n = encoded_len(o)) > budget) {
		if (o->n_sack) {
			if (--o->n_sack == 0)
				o->flags &= ~TCP_OPT_F_SACK;
		} else if (o->n_mptcp) {
			if (--o->n_mptcp == 0)
				o->flags &= ~TCP_OPT_F_MPTCP;
		} else if (o->flags & TCP_OPT_F_SACK_PERM) {
			o->flags &= ~TCP_OPT_F_SACK_PERM;
		} else if (o->flags & TCP_OPT_F_WSCALE) {
			o->flags &= ~TCP_OPT_F_WSCALE;
		} else if (o->flags & TCP_OPT_F_TS) {
			o->flags &= ~TCP_OPT_F_TS;
		} else {
			o->flags &= ~TCP_OPT_F_MSS;
		}
	}
	/* Normalise so that n_sack/n_mptcp agree with the flags. */
	if (!o->n_sack)
		o->flags &= ~TCP_OPT_F_SACK;
	if (!o->n_mptcp)
		o->flags &= ~TCP_OPT_F_MPTCP;
	return n;
}

size_t tcp_opts_len(const struct tcp_opts *o, size_t budget)
{
	struct tcp_opts t = *o;

	return tcp_opts_fit(&t, budget);
}

size_t tcp_opts_write(uint8_t *buf, size_t budget, const struct tcp_opts *in)
{
	struct tcp_opts o = *in;
	uint8_t *p = buf;

	tcp_opts_fit(&o, budget);
	if (o.flags & TCP_OPT_F_MSS) {
		p[0] = TCPOPT_MSS;
		p[1] = TCPOLEN_MSS;
		put16(p + 2, o.mss);
		p += 4;
	}
	if (o.flags & TCP_OPT_F_TS) {
		if (o.flags & TCP_OPT_F_SACK_PERM) {
			p[0] = TCPOPT_SACK_PERM;
			p[1] = TCPOLEN_SACK_PERM;
		} else {
			p[0] = TCPOPT_NOP;
			p[1] = TCPOPT_NOP;
		}
		p[2] = TCPOPT_TIMESTAMP;
		p[3] = TCPOLEN_TIMESTAMP;
		put32(p + 4, o.ts_val);
		put32(p + 8, o.ts_ecr);
		p += 12;
	} else if (o.flags & TCP_OPT_F_SACK_PERM) {
		p[0] = TCPOPT_NOP;
		p[1] = TCPOPT_NOP;
		p[2] = TCPOPT_SACK_PERM;
		p[3] = TCPOLEN_SACK_PERM;
		p += 4;
	}
	if (o.flags & TCP_OPT_F_WSCALE) {
		p[0] = TCPOPT_NOP;
		p[1] = TCPOPT_WSCALE;
		p[2] = TCPOLEN_WSCALE;
		p[3] = o.wscale > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : o.wscale;
		p += 4;
	}
	for (unsigned i = 0; i < o.n_mptcp; i++) {
		size_t l = o.mptcp[i].len, padded = mptcp_padded(o.mptcp[i].len);

		memcpy(p, o.mptcp[i].p, l);
		memset(p + l, TCPOPT_NOP, padded - l);
		p += padded;
	}
	if (o.n_sack) {
		p[0] = TCPOPT_NOP;
		p[1] = TCPOPT_NOP;
		p[2] = TCPOPT_SACK;
		p[3] = (uint8_t)(2 + TCPOLEN_SACK_BLOCK * o.n_sack);
		p += 4;
		for (unsigned b = 0; b < o.n_sack; b++) {
			put32(p, o.sack[b].start);
			put32(p + 4, o.sack[b].end);
			p += 8;
		}
	}
	return (size_t)(p - buf);
}
