/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Initial sequence numbers and timestamp offsets, RFC 6528:
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 * with M a 4 µs clock and F SipHash-2-4 keyed by a random secret drawn when
 * the engine starts. The same function (different domain byte) gives each
 * connection a random timestamp offset (RFC 7323 §7.1) and ephemeral-port
 * search start (RFC 6056 algorithm 3).
 */
#include <string.h>
#include "tcp/tcb.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {                                                   \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);       \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                          \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                          \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);       \
} while (0)

/* SipHash-2-4 of @len bytes (reference algorithm, little endian). */
uint64_t tcp_siphash(const uint8_t key[16], const void *data, size_t len)
{
	uint64_t k0, k1, m;
	const uint8_t *in = data;
	memcpy(&k0, key, 8);
	memcpy(&k1, key + 8, 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, in + i, 8);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; i + j < len; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t tuple_hash(const struct tcp_engine *te, uint8_t domain, uint32_t laddr,
			   uint16_t lport, uint32_t raddr, uint16_t rport)
{
	uint8_t buf[13];
	memcpy(buf, &laddr, 4);
	memcpy(buf + 4, &raddr, 4);
	memcpy(buf + 8, &lport, 2);
	memcpy(buf + 10, &rport, 2);
	buf[12] = domain;
	return tcp_siphash(te->secret, buf, sizeof(buf));
}

uint32_t tcp_isn(const struct tcp_engine *te, uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport, uint64_t now_ns)
{
	uint32_t m = (uint32_t)(now_ns / 4000); /* RFC 6528 / RFC 9293 §3.4.1: 4 µs ticks */
	return m + (uint32_t)tuple_hash(te, 1, laddr, lport, raddr, rport);
}

uint32_t tcp_ts_offset(const struct tcp_engine *te, uint32_t laddr, uint16_t lport,
		       uint32_t raddr, uint16_t rport)
{
	return (uint32_t)tuple_hash(te, 2, laddr, lport, raddr, rport);
}

uint32_t tcp_port_offset(const struct tcp_engine *te, uint32_t laddr, uint32_t raddr,
			 uint16_t rport)
{
	return (uint32_t)tuple_hash(te, 3, laddr, 0, raddr, rport);
}
