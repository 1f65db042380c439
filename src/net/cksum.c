/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum (RFC 1071).
 *
 * Sums are kept in the byte order of memory: 16-bit words are added as the
 * CPU loads them, so the folded result can be stored back with a plain
 * 16-bit store (RFC 1071 section 2(B), byte order independence). Every
 * function here returns a sum folded to at most 16 bits, so callers may
 * add a few of them in a uint32_t without overflow.
 */
#include <string.h>
#include <rte_byteorder.h>
#include "net/cksum.h"

static inline uint32_t fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/* Adding 32-bit words is the same as adding their two 16-bit halves,
 * because 2^16 == 1 modulo 2^16 - 1. */
uint32_t cksum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum;

	while (len >= 32) {
		uint32_t w[8];
		memcpy(w, p, sizeof(w));
		s += (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7];
		p += 32;
		len -= 32;
	}
	while (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		s += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		s += w;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		/* The odd byte is the high-order byte of a word padded with a
		 * zero (RFC 1071 4.1), i.e. the first byte in memory. */
		uint16_t w = 0;
		memcpy(&w, p, 1);
		s += w;
	}
	return fold64(s);
}

uint16_t cksum_finish(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t cksum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len)
{
	uint64_t s = (uint64_t)src + dst;
	s += rte_cpu_to_be_16((uint16_t)proto);
	s += rte_cpu_to_be_16(l4_len);
	return fold64(s);
}

static inline uint32_t swap16(uint32_t s)
{
	return ((s & 0xff) << 8) | ((s >> 8) & 0xff);
}

uint32_t cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint32_t sum)
{
	uint64_t s = sum;
	uint32_t done = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	for (; m != NULL && done < len; m = m->next, off = 0) {
		uint32_t n = RTE_MIN((uint32_t)m->data_len - off, len - done);
		uint32_t part = cksum_partial(rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n, 0);
		/* A chunk starting at an odd offset of the summed range has
		 * its bytes in the other halves of the 16-bit words. */
		s += (done & 1) ? swap16(part) : part;
		done += n;
	}
	return fold64(s);
}
