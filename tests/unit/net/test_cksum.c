/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksum (RFC 1071) against a byte-by-byte reference, over flat
 * buffers at every alignment and over mbuf chains cut at random places. */
#include <stdlib.h>
#include <rte_mempool.h>
#include <rte_udp.h>
#include "net_test.h"
#include "net/cksum.h"

static struct rte_mempool *pool;

static int setup(void **state)
{
	(void)state;
	harness_eal_init();
	pool = rte_pktmbuf_pool_create("cksum_test", 4095, 0, 0, 256 + RTE_PKTMBUF_HEADROOM,
				       SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	return 0;
}

/* Our sum, as the 16-bit value a big-endian reader sees on the wire. */
static uint16_t our_sum(const void *p, size_t n)
{
	return ntohs((uint16_t)~cksum_finish(cksum_partial(p, n, 0)));
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rand();
}

/* RFC 1071 section 3: the worked example. */
static void test_rfc1071_example(void **state)
{
	(void)state;
	const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	assert_int_equal(our_sum(b, sizeof(b)), 0xddf2);
	assert_int_equal(ntohs(cksum_finish(cksum_partial(b, sizeof(b), 0))), (uint16_t)~0xddf2);
	/* empty buffer, single byte (high-order byte of a zero-padded word) */
	assert_int_equal(our_sum(b, 0), 0);
	const uint8_t one = 0xab;
	assert_int_equal(our_sum(&one, 1), 0xab00);
}

/* RFC 1071 section 2: random lengths (odd ones included) and alignments. */
static void test_flat_random(void **state)
{
	(void)state;
	static uint8_t buf[4096 + 8];
	srand(1);
	for (int it = 0; it < 3000; it++) {
		size_t len = (size_t)rand() % 4096;
		size_t off = (size_t)rand() % 8;
		fill_random(buf + off, len);
		assert_int_equal(our_sum(buf + off, len), ref_sum(buf + off, len));
	}
	/* all ones: the sum must not overflow on long buffers */
	memset(buf, 0xff, 4096);
	assert_int_equal(our_sum(buf, 4096), ref_sum(buf, 4096));
}

/* Sums compose: sum(a) + sum(b) over an even split is sum(a|b). */
static void test_incremental(void **state)
{
	(void)state;
	uint8_t buf[1000];
	fill_random(buf, sizeof(buf));
	uint32_t s = cksum_partial(buf, 300, 0);
	s = cksum_partial(buf + 300, 700, s);
	assert_int_equal(ntohs((uint16_t)~cksum_finish(s)), ref_sum(buf, sizeof(buf)));
}

/* A buffer with its own checksum inserted sums to all ones (RFC 1071 1). */
static void test_verify_zero(void **state)
{
	(void)state;
	uint8_t buf[101];
	fill_random(buf, sizeof(buf));
	buf[10] = buf[11] = 0;
	uint16_t c = cksum_finish(cksum_partial(buf, sizeof(buf), 0));
	memcpy(buf + 10, &c, 2);
	assert_int_equal(cksum_finish(cksum_partial(buf, sizeof(buf), 0)), 0);
}

/* RFC 1624 §3: 0x0000 and 0xffff are the two one's-complement zeros, so a
 * sender that stores 0xffff where the computed checksum is 0x0000 (Linux's
 * incremental updates do, now and then; tshark flags it) still verifies,
 * flat and across an mbuf chain, the way tcp_cksum_ok() checks it. */
static void test_verify_negative_zero(void **state)
{
	(void)state;
	uint8_t buf[64];
	srand(5);
	for (int it = 0; it < 200; it++) {
		fill_random(buf, sizeof(buf));
		buf[10] = buf[11] = 0;
		/* make the data sum 0xffff so that the checksum is 0x0000 */
		uint16_t c = cksum_finish(cksum_partial(buf, sizeof(buf), 0));
		uint16_t w;
		memcpy(&w, buf + 20, 2);
		uint32_t adj = (uint32_t)w + c;
		adj = (adj & 0xffff) + (adj >> 16);
		w = (uint16_t)adj;
		memcpy(buf + 20, &w, 2);
		assert_int_equal(cksum_finish(cksum_partial(buf, sizeof(buf), 0)), 0);
		/* the stored checksum is 0x0000 ... */
		assert_int_equal(buf[10] | buf[11], 0);
		/* ... and 0xffff verifies as well */
		buf[10] = buf[11] = 0xff;
		assert_int_equal(cksum_finish(cksum_partial(buf, sizeof(buf), 0)), 0);
		uint16_t cuts[] = {3, 9, 17};
		struct rte_mbuf *m = chain_from(pool, buf, sizeof(buf), cuts, 3);
		assert_non_null(m);
		assert_int_equal(cksum_finish(cksum_mbuf(m, 0, sizeof(buf), 0)), 0);
		rte_pktmbuf_free(m);
	}
}

/* RFC 1071 section 2(B) on mbuf chains: segments of random (odd) sizes and
 * a random sub-range, against the flat reference. */
static void test_mbuf_random_segments(void **state)
{
	(void)state;
	static uint8_t buf[3000];
	srand(2);
	for (int it = 0; it < 2000; it++) {
		size_t len = 1 + (size_t)rand() % sizeof(buf);
		fill_random(buf, len);
		uint16_t cuts[16];
		unsigned n_cuts = (unsigned)rand() % 16;
		for (unsigned i = 0; i < n_cuts; i++)
			cuts[i] = (uint16_t)(1 + rand() % (rand() % 2 ? 7 : 256));
		struct rte_mbuf *m = chain_from(pool, buf, len, cuts, n_cuts);
		assert_int_equal(m->pkt_len, len);
		uint32_t off = (uint32_t)((size_t)rand() % len);
		uint32_t n = (uint32_t)((size_t)rand() % (len - off + 1));
		uint32_t s = cksum_mbuf(m, off, n, 0);
		assert_int_equal(ntohs((uint16_t)~cksum_finish(s)), ref_sum(buf + off, n));
		rte_pktmbuf_free(m);
	}
}

/* One-byte segments: every segment boundary is odd. */
static void test_mbuf_one_byte_segments(void **state)
{
	(void)state;
	uint8_t buf[63];
	fill_random(buf, sizeof(buf));
	uint16_t cuts[63];
	for (unsigned i = 0; i < 63; i++)
		cuts[i] = 1;
	struct rte_mbuf *m = chain_from(pool, buf, sizeof(buf), cuts, 63);
	assert_int_equal(m->nb_segs, 63);
	for (uint32_t off = 0; off < 5; off++)
		assert_int_equal(ntohs((uint16_t)~cksum_finish(cksum_mbuf(m, off, 63 - off, 0))),
				 ref_sum(buf + off, 63 - off));
	rte_pktmbuf_free(m);
}

/* RFC 768 / RFC 793 pseudo header, against DPDK's own helpers. */
static void test_pseudo_header(void **state)
{
	(void)state;
	uint8_t pkt[20 + 8 + 37];
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)pkt;
	srand(3);
	for (int it = 0; it < 100; it++) {
		fill_random(pkt, sizeof(pkt));
		ih->version_ihl = 0x45;
		ih->next_proto_id = IPPROTO_UDP;
		ih->total_length = htons(sizeof(pkt));
		uint16_t l4_len = sizeof(pkt) - 20;
		uint32_t ps = cksum_pseudo_ipv4(ih->src_addr, ih->dst_addr, IPPROTO_UDP, l4_len);
		assert_int_equal((uint16_t)~cksum_finish(ps), rte_ipv4_phdr_cksum(ih, 0));
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(pkt + 20);
		uh->dgram_cksum = 0;
		uint16_t c = cksum_finish(cksum_partial(uh, l4_len, ps));
		uint16_t want = rte_ipv4_udptcp_cksum(ih, uh);
		/* DPDK maps 0 to 0xffff (UDP); our caller does that itself */
		assert_int_equal(c == 0 ? 0xffff : c, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_flat_random),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_verify_zero),
		cmocka_unit_test(test_verify_negative_zero),
		cmocka_unit_test(test_mbuf_random_segments),
		cmocka_unit_test(test_mbuf_one_byte_segments),
		cmocka_unit_test(test_pseudo_header),
	};
	return cmocka_run_group_tests_name("net_cksum", tests, setup, teardown);
}
