/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MPTCP option codec (src/mptcp/options.c) against RFC 8684 section 3:
 * hand-written wire bytes for every subtype and form, every length each
 * accepts and every other length 3..40 refused, flags, malformed forms,
 * writer budgets, and round trips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "mptcp/options.h"

#define SYN MPTCP_TH_SYN
#define ACK MPTCP_TH_ACK
#define SYNACK (MPTCP_TH_SYN | MPTCP_TH_ACK)

static int parse(const uint8_t *p, size_t len, uint8_t flags, struct mptcp_opt *o)
{
	return mptcp_opt_parse(p, len, flags, o);
}

/* Parse @p (its own length byte gives the size), then write it back and
 * require the very same bytes: the writer is the parser's inverse. */
static void parse_ok_and_rewrite(const uint8_t *p, uint8_t flags, struct mptcp_opt *o)
{
	uint8_t buf[64];
	size_t n = p[1];

	assert_int_equal(parse(p, n, flags, o), 0);
	assert_int_equal(mptcp_opt_len(o), n);
	assert_int_equal(mptcp_opt_write(buf, sizeof(buf), o), n);
	assert_memory_equal(buf, p, n);
}

/*
 * For every length 3..40, build an option with the given subtype byte and
 * flags byte (p[2], p[3]) and the rest filled with @fill, and check that
 * exactly the lengths in @ok parse (others give -EBADMSG).
 */
static void sweep_lengths(uint8_t b2, uint8_t b3, uint8_t fill, uint8_t tcp_flags,
			  const uint8_t *ok, size_t n_ok)
{
	for (unsigned len = 3; len <= 40; len++) {
		uint8_t p[40];
		struct mptcp_opt o;
		bool want = false;
		int rc;

		memset(p, fill, sizeof(p));
		p[0] = MPTCP_OPT_KIND;
		p[1] = (uint8_t)len;
		p[2] = b2;
		p[3] = b3;
		for (size_t i = 0; i < n_ok; i++)
			want |= ok[i] == len;
		rc = parse(p, len, tcp_flags, &o);
		if (rc != (want ? 0 : -EBADMSG))
			fail_msg("subtype byte 0x%02x flags 0x%02x tcp 0x%02x length %u: rc %d, want %d",
				 b2, b3, tcp_flags, len, rc, want ? 0 : -EBADMSG);
	}
}

/* ---- section 3.1: MP_CAPABLE ---- */

static void test_mpc_syn(void **state)
{
	(void)state;
	/* 3.1: SYN, A (checksum) and H (HMAC-SHA256), no key. */
	const uint8_t p[] = { 30, 4, 0x01, 0x81 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, SYN, &o);
	assert_int_equal(o.subtype, MPTCP_SUB_CAPABLE);
	assert_int_equal(o.mpc.form, MPTCP_CAP_SYN);
	assert_int_equal(o.mpc.version, 1);
	assert_int_equal(o.mpc.flags, MPTCP_CAP_A_CHECKSUM | MPTCP_CAP_H_HMAC_SHA256);
	assert_int_equal(o.mpc.snd_key, 0);
}

static void test_mpc_synack(void **state)
{
	(void)state;
	/* 3.1: SYN/ACK carries Key-B; C flag (no new subflows to this
	 * address) exposed. */
	const uint8_t p[] = { 30, 12, 0x01, 0x21, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, SYNACK, &o);
	assert_int_equal(o.mpc.form, MPTCP_CAP_SYNACK);
	assert_true(o.mpc.flags & MPTCP_CAP_C_NO_NEW_SUBFLOW);
	assert_false(o.mpc.flags & MPTCP_CAP_A_CHECKSUM);
	assert_int_equal(o.mpc.snd_key, 0x1112131415161718ULL);
}

static void test_mpc_ack(void **state)
{
	(void)state;
	/* 3.1: third ACK: Key-A then Key-B. */
	const uint8_t p[] = { 30, 20, 0x01, 0x01,
			      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
			      0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, ACK, &o);
	assert_int_equal(o.mpc.form, MPTCP_CAP_ACK);
	assert_int_equal(o.mpc.snd_key, 0x0102030405060708ULL);
	assert_int_equal(o.mpc.rcv_key, 0x1112131415161718ULL);
	assert_false(o.mpc.has_csum);
}

static void test_mpc_ack_data(void **state)
{
	(void)state;
	/* 3.1: the first data: keys + Data-Level Length (22), + checksum (24). */
	const uint8_t p22[] = { 30, 22, 0x01, 0x01,
				0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
				0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x05, 0xdc };
	const uint8_t p24[] = { 30, 24, 0x01, 0x81,
				0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
				0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x00, 0x10,
				0xbe, 0xef };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p22, ACK, &o);
	assert_int_equal(o.mpc.form, MPTCP_CAP_ACK_DATA);
	assert_int_equal(o.mpc.data_len, 1500);
	assert_false(o.mpc.has_csum);

	parse_ok_and_rewrite(p24, ACK, &o);
	assert_int_equal(o.mpc.form, MPTCP_CAP_ACK_DATA);
	assert_int_equal(o.mpc.data_len, 16);
	assert_true(o.mpc.has_csum);
	assert_int_equal(o.mpc.csum, 0xbeef);
	assert_int_equal(o.mpc.rcv_key, 0x1112131415161718ULL);
}

static void test_mpc_lengths(void **state)
{
	(void)state;
	/* 3.1: each handshake step has its lengths; the neighbours and
	 * everything else 3..40 are malformed. */
	const uint8_t syn[] = { 4 }, synack[] = { 12 }, ack[] = { 20, 22, 24 };

	sweep_lengths(0x01, 0x01, 0x5a, SYN, syn, 1);
	sweep_lengths(0x01, 0x01, 0x5a, SYNACK, synack, 1);
	sweep_lengths(0x01, 0x01, 0x5a, ACK, ack, 3);
	sweep_lengths(0x01, 0x01, 0x5a, 0, ack, 3); /* no flags: not a SYN */
}

static void test_mpc_versions(void **state)
{
	(void)state;
	/* 3.1: version 0 (RFC 6824) is not ours: -ENOTSUP, the caller falls
	 * back. A SYN may offer a higher version: we answer with ours, so it
	 * is returned; after the SYN only version 1 is acceptable. */
	const uint8_t v0_syn[] = { 30, 12, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint8_t v0_syn4[] = { 30, 4, 0x00, 0x01 };
	const uint8_t v2_syn[] = { 30, 4, 0x02, 0x01 };
	const uint8_t v2_synack[] = { 30, 12, 0x02, 0x01, 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint8_t v15_ack[] = { 30, 20, 0x0f, 0x01, 1, 2, 3, 4, 5, 6, 7, 8,
				    1, 2, 3, 4, 5, 6, 7, 8 };
	struct mptcp_opt o;

	assert_int_equal(parse(v0_syn, sizeof(v0_syn), SYN, &o), -ENOTSUP);
	assert_int_equal(o.subtype, MPTCP_SUB_CAPABLE);
	assert_int_equal(o.mpc.version, 0);
	assert_int_equal(parse(v0_syn4, sizeof(v0_syn4), SYN, &o), -ENOTSUP);
	assert_int_equal(parse(v2_syn, sizeof(v2_syn), SYN, &o), 0);
	assert_int_equal(o.mpc.version, 2);
	assert_int_equal(parse(v2_synack, sizeof(v2_synack), SYNACK, &o), -ENOTSUP);
	/* only a pure SYN may offer more: v2 in a SYN/ACK of SYN length */
	assert_int_equal(parse(v2_syn, sizeof(v2_syn), SYNACK, &o), -ENOTSUP);
	assert_int_equal(parse(v15_ack, sizeof(v15_ack), ACK, &o), -ENOTSUP);
}

static void test_mpc_flags(void **state)
{
	(void)state;
	/* 3.1: "B" set (unknown extension) or no crypto algorithm we do
	 * (H clear): the MP_CAPABLE is ignored -> -ENOTSUP, flags still
	 * reported. Unassigned D..G with H are exposed and accepted. */
	uint8_t p[] = { 30, 4, 0x01, 0x00 };
	struct mptcp_opt o;

	p[3] = MPTCP_CAP_H_HMAC_SHA256 | MPTCP_CAP_B_EXTENSIBILITY;
	assert_int_equal(parse(p, 4, SYN, &o), -ENOTSUP);
	assert_int_equal(o.mpc.flags, p[3]);
	p[3] = 0;
	assert_int_equal(parse(p, 4, SYN, &o), -ENOTSUP);
	p[3] = 0x04; /* F only: some other algorithm (G is mpdk's
		      * application-keys form: test_app_keys.c) */
	assert_int_equal(parse(p, 4, SYN, &o), -ENOTSUP);
	p[3] = MPTCP_CAP_H_HMAC_SHA256 | MPTCP_CAP_UNASSIGNED;
	assert_int_equal(parse(p, 4, SYN, &o), 0);
	assert_int_equal(o.mpc.flags & MPTCP_CAP_UNASSIGNED, MPTCP_CAP_UNASSIGNED);
	p[3] = 0xff & ~MPTCP_CAP_B_EXTENSIBILITY;
	assert_int_equal(parse(p, 4, SYN, &o), 0);
	assert_int_equal(o.mpc.flags, 0xbf);
	/* a malformed length is reported before the flags are looked at */
	assert_int_equal(parse((const uint8_t[]){ 30, 5, 0x01, 0x40, 0 }, 5, SYN, &o), -EBADMSG);
}

/* ---- section 3.2: MP_JOIN ---- */

static void test_mpj_syn(void **state)
{
	(void)state;
	/* 3.2: SYN: B flag, address id, receiver's token, sender's nonce. */
	const uint8_t p[] = { 30, 12, 0x11, 0x05, 0xa1, 0xb2, 0xc3, 0xd4, 0x01, 0x02, 0x03, 0x04 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, SYN, &o);
	assert_int_equal(o.subtype, MPTCP_SUB_JOIN);
	assert_int_equal(o.mpj.form, MPTCP_JOIN_SYN);
	assert_true(o.mpj.backup);
	assert_int_equal(o.mpj.addr_id, 5);
	assert_int_equal(o.mpj.token, 0xa1b2c3d4);
	assert_int_equal(o.mpj.nonce, 0x01020304);
}

static void test_mpj_synack(void **state)
{
	(void)state;
	/* 3.2: SYN/ACK: B, address id, truncated (leftmost 64-bit) HMAC,
	 * nonce. */
	const uint8_t p[] = { 30, 16, 0x10, 0x00, 0x0f, 0xce, 0x25, 0x97, 0xe5, 0x5e, 0x87, 0xef,
			      0x31, 0x32, 0x33, 0x34 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, SYNACK, &o);
	assert_int_equal(o.mpj.form, MPTCP_JOIN_SYNACK);
	assert_false(o.mpj.backup);
	assert_int_equal(o.mpj.addr_id, 0);
	assert_int_equal(o.mpj.thmac, 0x0fce2597e55e87efULL);
	assert_int_equal(o.mpj.nonce, 0x31323334);
}

static void test_mpj_ack(void **state)
{
	(void)state;
	/* 3.2: third ACK: 12 reserved bits, 160-bit HMAC. */
	uint8_t p[24] = { 30, 24, 0x10, 0x00 };
	struct mptcp_opt o;

	for (int i = 0; i < 20; i++)
		p[4 + i] = (uint8_t)(0xe0 + i);
	parse_ok_and_rewrite(p, ACK, &o);
	assert_int_equal(o.mpj.form, MPTCP_JOIN_ACK);
	assert_memory_equal(o.mpj.hmac, p + 4, 20);
	/* reserved bits are ignored on receipt and written as zero */
	p[2] = 0x1f;
	p[3] = 0xff;
	assert_int_equal(parse(p, 24, ACK, &o), 0);
	assert_memory_equal(o.mpj.hmac, p + 4, 20);
}

static void test_mpj_lengths(void **state)
{
	(void)state;
	const uint8_t syn[] = { 12 }, synack[] = { 16 }, ack[] = { 24 };

	/* 3.2: one length per handshake step. */
	sweep_lengths(0x10, 0x01, 0x33, SYN, syn, 1);
	sweep_lengths(0x10, 0x01, 0x33, SYNACK, synack, 1);
	sweep_lengths(0x10, 0x01, 0x33, ACK, ack, 1);
}

/* ---- section 3.3: DSS ---- */

static void test_dss_full(void **state)
{
	(void)state;
	/* 3.3: A a M m F + checksum: 4 + 8 + 8 + 4 + 2 + 2 = 28. */
	const uint8_t p[] = { 30, 28, 0x20, 0x1f,
			      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* data ack */
			      0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* dsn */
			      0x21, 0x22, 0x23, 0x24, /* subflow seq */
			      0x00, 0x64, /* data-level length */
			      0xab, 0xcd }; /* checksum */
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, ACK, &o);
	assert_int_equal(o.subtype, MPTCP_SUB_DSS);
	assert_true(o.dss.has_ack && o.dss.ack64 && o.dss.has_map && o.dss.dsn64);
	assert_true(o.dss.data_fin && o.dss.has_csum);
	assert_int_equal(o.dss.data_ack, 0x0102030405060708ULL);
	assert_int_equal(o.dss.dsn, 0x1112131415161718ULL);
	assert_int_equal(o.dss.ssn, 0x21222324);
	assert_int_equal(o.dss.data_len, 100);
	assert_int_equal(o.dss.csum, 0xabcd);
	assert_int_equal(mptcp_dss_len(true, true, true, true, true), 28);
}

static void test_dss_short_fields(void **state)
{
	(void)state;
	/* 3.3: 4-byte data ack and 4-byte DSN, no checksum: 4+4+4+4+2 = 18. */
	const uint8_t p[] = { 30, 18, 0x20, 0x05,
			      0xff, 0xee, 0xdd, 0xcc,
			      0x00, 0x00, 0x10, 0x00,
			      0x00, 0x00, 0x00, 0x01,
			      0x05, 0xb4 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, ACK, &o);
	assert_true(o.dss.has_ack && !o.dss.ack64 && o.dss.has_map && !o.dss.dsn64);
	assert_false(o.dss.data_fin || o.dss.has_csum);
	assert_int_equal(o.dss.data_ack, 0xffeeddccULL);
	assert_int_equal(o.dss.dsn, 0x1000);
	assert_int_equal(o.dss.ssn, 1);
	assert_int_equal(o.dss.data_len, 1460);
}

static void test_dss_ack_only_and_data_fin(void **state)
{
	(void)state;
	/* 3.3.2: a bare 8-byte DATA_ACK (12); 3.3.3: DATA_FIN with a
	 * one-byte mapping; a DSS with no field at all is legal (4). */
	const uint8_t ack8[] = { 30, 12, 0x20, 0x03, 0, 0, 0, 1, 0, 0, 0, 2 };
	const uint8_t fin[] = { 30, 18, 0x20, 0x1c, 0, 0, 0, 0, 0, 0, 0x40, 0,
				0, 0, 0, 0, 0x00, 0x01 };
	const uint8_t bare[] = { 30, 4, 0x20, 0x00 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(ack8, ACK, &o);
	assert_true(o.dss.has_ack && o.dss.ack64 && !o.dss.has_map);
	assert_int_equal(o.dss.data_ack, 0x0000000100000002ULL);

	parse_ok_and_rewrite(fin, ACK, &o);
	assert_true(o.dss.data_fin && o.dss.has_map && o.dss.dsn64);
	assert_false(o.dss.has_ack);
	assert_int_equal(o.dss.dsn, 0x4000);
	assert_int_equal(o.dss.data_len, 1);

	parse_ok_and_rewrite(bare, ACK, &o);
	assert_false(o.dss.has_ack || o.dss.has_map || o.dss.data_fin);
}

static void test_dss_infinite_mapping(void **state)
{
	(void)state;
	/* 3.7: a mapping with data-level length 0 is the infinite mapping;
	 * the codec passes it through. */
	const uint8_t p[] = { 30, 14, 0x20, 0x04, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, ACK, &o);
	assert_true(o.dss.has_map);
	assert_int_equal(o.dss.data_len, 0);
}

static void test_dss_lengths(void **state)
{
	(void)state;
	/* 3.3: the length must be exactly the one the flags call for, or that
	 * plus 2 when a mapping is present (its checksum); the width flags
	 * "a"/"m" without "A"/"M" add nothing. Every flag combination, every
	 * length 3..40. Reserved bits (top of the flags byte) change nothing. */
	for (unsigned f = 0; f < 0x100; f++) {
		bool A = f & 0x01, a = f & 0x02, M = f & 0x04, m = f & 0x08;
		uint8_t ok[2];
		size_t n = 0;
		size_t want = 4 + (A ? (a ? 8 : 4) : 0) + (M ? (m ? 8 : 4) + 6 : 0);

		ok[n++] = (uint8_t)want;
		if (M)
			ok[n++] = (uint8_t)(want + 2);
		assert_int_equal(mptcp_dss_len(A, a, M, m, false), want);
		sweep_lengths(0x20, (uint8_t)f, 0x77, ACK, ok, n);
	}
}

static void test_dss_width_flags_alone(void **state)
{
	(void)state;
	/* 3.3: "a" without "A" and "m" without "M" describe absent fields:
	 * the option is the bare 4 bytes and reports no 64-bit field. */
	const uint8_t p[] = { 30, 4, 0x20, MPTCP_DSS_a_ACK64 | MPTCP_DSS_m_DSN64 };
	const uint8_t clean[] = { 30, 4, 0x20, 0x00 };
	uint8_t buf[4];
	struct mptcp_opt o;

	assert_int_equal(parse(p, sizeof(p), ACK, &o), 0);
	assert_false(o.dss.has_ack || o.dss.ack64 || o.dss.has_map || o.dss.dsn64);
	assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &o), 4);
	assert_memory_equal(buf, clean, 4);
}

static void test_dss_reserved_bits_ignored(void **state)
{
	(void)state;
	/* 3.3: reserved bits are ignored on receipt, written as zero. */
	const uint8_t p[] = { 30, 8, 0x2f, 0xe1, 0, 0, 0x12, 0x34 };
	const uint8_t clean[] = { 30, 8, 0x20, 0x01, 0, 0, 0x12, 0x34 };
	uint8_t buf[8];
	struct mptcp_opt o;

	assert_int_equal(parse(p, sizeof(p), ACK, &o), 0);
	assert_true(o.dss.has_ack && !o.dss.ack64);
	assert_int_equal(o.dss.data_ack, 0x1234);
	assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &o), 8);
	assert_memory_equal(buf, clean, 8);
}

/* ---- section 3.4.1: ADD_ADDR ---- */

static void test_add_addr_v4(void **state)
{
	(void)state;
	/* 3.4.1: IPv4, no port, with the truncated HMAC (16). */
	const uint8_t p[] = { 30, 16, 0x30, 0x01, 10, 0, 1, 2,
			      0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	const uint8_t addr[4] = { 10, 0, 1, 2 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, ACK, &o);
	assert_int_equal(o.subtype, MPTCP_SUB_ADD_ADDR);
	assert_false(o.add_addr.echo);
	assert_int_equal(o.add_addr.family, MPTCP_ADDR_IPV4);
	assert_int_equal(o.add_addr.addr_id, 1);
	assert_memory_equal(&o.add_addr.addr.v4, addr, 4);
	assert_false(o.add_addr.has_port);
	assert_int_equal(o.add_addr.hmac, 0x1122334455667788ULL);
}

static void test_add_addr_forms(void **state)
{
	(void)state;
	/* 3.4.1: IPv4 + port + HMAC (18), echo IPv4 (8), echo IPv4 + port
	 * (10), IPv6 + HMAC (28), IPv6 + port + HMAC (30), echo IPv6 (20),
	 * echo IPv6 + port (22). */
	const uint8_t v4p[] = { 30, 18, 0x30, 0x02, 192, 168, 1, 1, 0x1f, 0x90,
				1, 2, 3, 4, 5, 6, 7, 8 };
	const uint8_t e4[] = { 30, 8, 0x31, 0x03, 192, 168, 1, 1 };
	const uint8_t e4p[] = { 30, 10, 0x31, 0x03, 192, 168, 1, 1, 0x14, 0x51 };
	uint8_t v6[30] = { 30, 28, 0x30, 0x09 }, v6p[30] = { 30, 30, 0x30, 0x0a };
	uint8_t e6[22] = { 30, 20, 0x31, 0x0b }, e6p[22] = { 30, 22, 0x31, 0x0c };
	const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(v4p, ACK, &o);
	assert_true(o.add_addr.has_port && !o.add_addr.echo);
	assert_int_equal(o.add_addr.port, 8080);
	assert_int_equal(o.add_addr.hmac, 0x0102030405060708ULL);

	parse_ok_and_rewrite(e4, ACK, &o);
	assert_true(o.add_addr.echo && !o.add_addr.has_port);
	assert_int_equal(o.add_addr.hmac, 0);

	parse_ok_and_rewrite(e4p, ACK, &o);
	assert_true(o.add_addr.echo && o.add_addr.has_port);
	assert_int_equal(o.add_addr.port, 5201);

	memcpy(v6 + 4, a6, 16);
	memset(v6 + 20, 0xa5, 8);
	parse_ok_and_rewrite(v6, ACK, &o);
	assert_int_equal(o.add_addr.family, MPTCP_ADDR_IPV6);
	assert_memory_equal(o.add_addr.addr.v6, a6, 16);
	assert_false(o.add_addr.has_port);
	assert_int_equal(o.add_addr.hmac, 0xa5a5a5a5a5a5a5a5ULL);

	memcpy(v6p + 4, a6, 16);
	v6p[20] = 0x01;
	v6p[21] = 0xbb;
	memset(v6p + 22, 0x5a, 8);
	parse_ok_and_rewrite(v6p, ACK, &o);
	assert_int_equal(o.add_addr.family, MPTCP_ADDR_IPV6);
	assert_int_equal(o.add_addr.port, 443);
	assert_int_equal(o.add_addr.addr_id, 10);

	memcpy(e6 + 4, a6, 16);
	parse_ok_and_rewrite(e6, ACK, &o);
	assert_true(o.add_addr.echo && o.add_addr.family == MPTCP_ADDR_IPV6);

	memcpy(e6p + 4, a6, 16);
	e6p[20] = 0x00;
	e6p[21] = 0x50;
	parse_ok_and_rewrite(e6p, ACK, &o);
	assert_true(o.add_addr.echo && o.add_addr.has_port);
	assert_int_equal(o.add_addr.port, 80);
}

static void test_add_addr_lengths(void **state)
{
	(void)state;
	/* 3.4.1: without E: 16, 18, 28, 30; with E: 8, 10, 20, 22. */
	const uint8_t hmac[] = { 16, 18, 28, 30 }, echo[] = { 8, 10, 20, 22 };

	sweep_lengths(0x30, 0x01, 0x42, ACK, hmac, 4);
	sweep_lengths(0x31, 0x01, 0x42, ACK, echo, 4);
	/* The reserved bits next to E are ignored. */
	sweep_lengths(0x3e, 0x01, 0x42, ACK, hmac, 4);
	sweep_lengths(0x3f, 0x01, 0x42, SYN, echo, 4);
}

/* ---- section 3.4.2: REMOVE_ADDR ---- */

static void test_remove_addr(void **state)
{
	(void)state;
	/* 3.4.2: one or more address ids, the list fills the option. */
	const uint8_t one[] = { 30, 4, 0x40, 7 };
	const uint8_t three[] = { 30, 6, 0x40, 1, 2, 255 };
	uint8_t max[40] = { 30, 40, 0x40 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(one, ACK, &o);
	assert_int_equal(o.subtype, MPTCP_SUB_REMOVE_ADDR);
	assert_int_equal(o.rm_addr.n_ids, 1);
	assert_int_equal(o.rm_addr.ids[0], 7);

	parse_ok_and_rewrite(three, ACK, &o);
	assert_int_equal(o.rm_addr.n_ids, 3);
	assert_int_equal(o.rm_addr.ids[2], 255);

	for (int i = 3; i < 40; i++)
		max[i] = (uint8_t)i;
	parse_ok_and_rewrite(max, ACK, &o);
	assert_int_equal(o.rm_addr.n_ids, MPTCP_RM_IDS_MAX);
	assert_int_equal(o.rm_addr.ids[36], 39);
}

static void test_remove_addr_lengths(void **state)
{
	(void)state;
	uint8_t ok[37], big[64] = { 30, 41, 0x40 };
	struct mptcp_opt o;

	/* 3.4.2: 4..40 (1..37 ids); 3 (no id) is malformed. */
	for (int i = 0; i < 37; i++)
		ok[i] = (uint8_t)(4 + i);
	sweep_lengths(0x40, 0x01, 0x01, ACK, ok, 37);
	/* More ids than TCP option space allows. */
	assert_int_equal(parse(big, sizeof(big), ACK, &o), -EBADMSG);
}

/* ---- section 3.3.8: MP_PRIO ---- */

static void test_prio(void **state)
{
	(void)state;
	/* 3.3.8: length 3 with the B flag; RFC 6824's 4-byte form with an
	 * address id is accepted too. */
	const uint8_t b[] = { 30, 3, 0x51 };
	const uint8_t nb[] = { 30, 3, 0x50 };
	const uint8_t old[] = { 30, 4, 0x51, 9 };
	const uint8_t ok[] = { 3, 4 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(b, ACK, &o);
	assert_int_equal(o.subtype, MPTCP_SUB_PRIO);
	assert_true(o.prio.backup);
	assert_false(o.prio.has_addr_id);
	parse_ok_and_rewrite(nb, ACK, &o);
	assert_false(o.prio.backup);
	parse_ok_and_rewrite(old, ACK, &o);
	assert_true(o.prio.backup && o.prio.has_addr_id);
	assert_int_equal(o.prio.addr_id, 9);
	sweep_lengths(0x51, 0x00, 0x00, ACK, ok, 2);
}

/* ---- 3.7 MP_FAIL, 3.5 MP_FASTCLOSE, 3.6 MP_TCPRST ---- */

static void test_fail(void **state)
{
	(void)state;
	/* 3.7: MP_FAIL: reserved, 64-bit DSN: length 12 only. */
	const uint8_t p[] = { 30, 12, 0x60, 0x00, 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint8_t ok[] = { 12 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, ACK, &o);
	assert_int_equal(o.subtype, MPTCP_SUB_FAIL);
	assert_int_equal(o.fail.dsn, 0x0102030405060708ULL);
	sweep_lengths(0x60, 0x00, 0x00, ACK, ok, 1);
}

static void test_fastclose(void **state)
{
	(void)state;
	/* 3.5: MP_FASTCLOSE: reserved, the receiver's key: length 12 only. */
	const uint8_t p[] = { 30, 12, 0x70, 0x00, 0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xf0, 0x0d };
	const uint8_t ok[] = { 12 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, ACK, &o);
	assert_int_equal(o.subtype, MPTCP_SUB_FASTCLOSE);
	assert_int_equal(o.fastclose.rcv_key, 0xdeadbeefcafef00dULL);
	sweep_lengths(0x70, 0x00, 0x00, ACK | MPTCP_TH_RST, ok, 1);
}

static void test_tcprst(void **state)
{
	(void)state;
	/* 3.6: MP_TCPRST: flags U V W T, reason: length 4 only. */
	const uint8_t p[] = { 30, 4, 0x81, MPTCP_RST_ERESOURCE };
	const uint8_t all[] = { 30, 4, 0x8f, 0x77 };
	const uint8_t ok[] = { 4 };
	struct mptcp_opt o;

	parse_ok_and_rewrite(p, MPTCP_TH_RST, &o);
	assert_int_equal(o.subtype, MPTCP_SUB_TCPRST);
	assert_int_equal(o.tcprst.flags, MPTCP_RST_T_TRANSIENT);
	assert_int_equal(o.tcprst.reason, MPTCP_RST_ERESOURCE);
	/* unassigned flags and unknown reasons are passed through */
	parse_ok_and_rewrite(all, MPTCP_TH_RST, &o);
	assert_int_equal(o.tcprst.flags, 0x0f);
	assert_int_equal(o.tcprst.reason, 0x77);
	sweep_lengths(0x81, 0x02, 0x00, MPTCP_TH_RST, ok, 1);
}

/* ---- section 3 generic: unknown subtypes and malformed options ---- */

static void test_unknown_subtypes(void **state)
{
	(void)state;
	/* 3 / IANA registry: subtypes 0x9..0xe unassigned, 0xf experimental:
	 * well formed but not ours. */
	for (unsigned st = 9; st <= 15; st++) {
		const uint8_t p[] = { 30, 6, (uint8_t)(st << 4), 0, 0, 0 };
		struct mptcp_opt o;

		assert_int_equal(parse(p, sizeof(p), ACK, &o), -ENOTSUP);
		assert_int_equal(o.subtype, st);
		assert_string_not_equal(mptcp_subtype_name(st), "");
	}
	assert_string_equal(mptcp_subtype_name(MPTCP_SUB_DSS), "DSS");
	assert_string_equal(mptcp_subtype_name(9), "unknown");
	assert_string_equal(mptcp_subtype_name(1000), "unknown");
}

static void test_malformed(void **state)
{
	(void)state;
	const uint8_t good[] = { 30, 12, 0x60, 0x00, 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t p[sizeof(good)];
	struct mptcp_opt o;

	/* Truncated buffers: every prefix of a valid option is refused. */
	for (size_t n = 0; n < sizeof(good); n++)
		assert_int_equal(parse(good, n, ACK, &o), -EBADMSG);
	/* Length byte beyond the buffer. */
	memcpy(p, good, sizeof(p));
	p[1] = 13;
	assert_int_equal(parse(p, sizeof(p), ACK, &o), -EBADMSG);
	p[1] = 255;
	assert_int_equal(parse(p, sizeof(p), ACK, &o), -EBADMSG);
	/* Length byte too small to hold a subtype. */
	for (uint8_t l = 0; l < 3; l++) {
		p[1] = l;
		assert_int_equal(parse(p, sizeof(p), ACK, &o), -EBADMSG);
	}
	/* Wrong kind. */
	memcpy(p, good, sizeof(p));
	p[0] = 29;
	assert_int_equal(parse(p, sizeof(p), ACK, &o), -EBADMSG);
	assert_int_equal(parse(NULL, 12, ACK, &o), -EBADMSG);
	/* Bytes after the option are not looked at. */
	{
		uint8_t longer[40];

		memset(longer, 0xff, sizeof(longer));
		memcpy(longer, good, sizeof(good));
		assert_int_equal(parse(longer, sizeof(longer), ACK, &o), 0);
		assert_int_equal(o.fail.dsn, 0x0102030405060708ULL);
	}
}

static void test_parse_zeroes_output(void **state)
{
	(void)state;
	/* Whatever the result, no stale field survives in @out. */
	const uint8_t prio[] = { 30, 3, 0x50 };
	struct mptcp_opt o;

	memset(&o, 0xee, sizeof(o));
	assert_int_equal(parse(prio, 3, ACK, &o), 0);
	assert_false(o.prio.has_addr_id);
	assert_int_equal(o.prio.addr_id, 0);
	memset(&o, 0xee, sizeof(o));
	assert_int_equal(parse(prio, 2, ACK, &o), -EBADMSG);
	assert_int_equal(o.subtype, 0);
}

/* ---- writer ---- */

/* One option of every subtype and form, for the writer tests. */
struct sample {
	struct mptcp_opt o;
	uint8_t tcp_flags;
};

static size_t make_samples(struct sample *s)
{
	size_t n = 0;

#define ADD(flags, ...) do { \
		memset(&s[n], 0, sizeof(s[n])); \
		s[n].tcp_flags = (flags); \
		s[n].o = (struct mptcp_opt)__VA_ARGS__; \
		n++; \
	} while (0)

	ADD(SYN, { .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = MPTCP_CAP_SYN, .version = 1,
		   .flags = 0x81 } });
	ADD(SYNACK, { .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = MPTCP_CAP_SYNACK,
		      .version = 1, .flags = 0x01, .snd_key = 0xfedcba9876543210ULL } });
	ADD(ACK, { .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = MPTCP_CAP_ACK, .version = 1,
		   .flags = 0x21, .snd_key = 1, .rcv_key = ~0ULL } });
	ADD(ACK, { .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = MPTCP_CAP_ACK_DATA,
		   .version = 1, .flags = 0x01, .snd_key = 3, .rcv_key = 4, .data_len = 9000 } });
	ADD(ACK, { .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = MPTCP_CAP_ACK_DATA,
		   .version = 1, .flags = 0x81, .snd_key = 3, .rcv_key = 4, .data_len = 1,
		   .has_csum = true, .csum = 0xffff } });
	ADD(SYN, { .subtype = MPTCP_SUB_JOIN, .mpj = { .form = MPTCP_JOIN_SYN, .backup = true,
		   .addr_id = 200, .token = 0xdeadbeef, .nonce = 0x12345678 } });
	ADD(SYNACK, { .subtype = MPTCP_SUB_JOIN, .mpj = { .form = MPTCP_JOIN_SYNACK,
		      .addr_id = 1, .thmac = 0x0123456789abcdefULL, .nonce = 42 } });
	ADD(ACK, { .subtype = MPTCP_SUB_JOIN, .mpj = { .form = MPTCP_JOIN_ACK,
		   .hmac = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 } } });
	for (unsigned f = 0; f < 64; f++) {
		ADD(ACK, { .subtype = MPTCP_SUB_DSS, .dss = {
			.has_ack = f & 1, .ack64 = (f & 3) == 3, .has_map = f & 4,
			.dsn64 = (f & 12) == 12, .data_fin = f & 16, .has_csum = (f & 36) == 36,
			.data_ack = (f & 3) == 3 ? 0x0102030405060708ULL : ((f & 1) ? 0x01020304 : 0),
			.dsn = (f & 12) == 12 ? 0x1112131415161718ULL : ((f & 4) ? 0x11121314 : 0),
			.ssn = (f & 4) ? 0x21222324 : 0, .data_len = (f & 4) ? 1400 : 0,
			.csum = (f & 36) == 36 ? 0x5555 : 0 } });
	}
	for (unsigned f = 0; f < 8; f++) {
		ADD(ACK, { .subtype = MPTCP_SUB_ADD_ADDR, .add_addr = {
			.echo = f & 1, .addr_id = (uint8_t)f,
			.family = (f & 2) ? MPTCP_ADDR_IPV6 : MPTCP_ADDR_IPV4,
			.has_port = f & 4, .port = (f & 4) ? 5201 : 0,
			.addr = { .v6 = { 0x20, 0x01, 0x0d, 0xb8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 } },
			.hmac = (f & 1) ? 0 : 0x8877665544332211ULL } });
		if (!(f & 2)) /* IPv4: only the first four bytes are the address */
			memset(s[n - 1].o.add_addr.addr.v6 + 4, 0, 12);
	}
	ADD(ACK, { .subtype = MPTCP_SUB_REMOVE_ADDR, .rm_addr = { .n_ids = 1, .ids = { 3 } } });
	ADD(ACK, { .subtype = MPTCP_SUB_REMOVE_ADDR, .rm_addr = { .n_ids = MPTCP_RM_IDS_MAX,
		   .ids = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
			    21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37 } } });
	ADD(ACK, { .subtype = MPTCP_SUB_PRIO, .prio = { .backup = true } });
	ADD(ACK, { .subtype = MPTCP_SUB_PRIO, .prio = { .backup = false } });
	ADD(ACK, { .subtype = MPTCP_SUB_PRIO, .prio = { .backup = true, .has_addr_id = true,
		   .addr_id = 4 } });
	ADD(ACK, { .subtype = MPTCP_SUB_FAIL, .fail = { .dsn = 0x8000000000000001ULL } });
	ADD(ACK, { .subtype = MPTCP_SUB_FASTCLOSE, .fastclose = { .rcv_key = 0x0a0b0c0d0e0f1011ULL } });
	ADD(MPTCP_TH_RST, { .subtype = MPTCP_SUB_TCPRST, .tcprst = { .flags = MPTCP_RST_T_TRANSIENT,
			     .reason = MPTCP_RST_EMIDDLEBOX } });
#undef ADD
	return n;
}

/* Field by field: the members a form carries. */
static void assert_same(const struct mptcp_opt *a, const struct mptcp_opt *b)
{
	assert_int_equal(a->subtype, b->subtype);
	switch (a->subtype) {
	case MPTCP_SUB_CAPABLE:
		assert_int_equal(a->mpc.form, b->mpc.form);
		assert_int_equal(a->mpc.version, b->mpc.version);
		assert_int_equal(a->mpc.flags, b->mpc.flags);
		assert_int_equal(a->mpc.snd_key, b->mpc.snd_key);
		assert_int_equal(a->mpc.rcv_key, b->mpc.rcv_key);
		assert_int_equal(a->mpc.data_len, b->mpc.data_len);
		assert_int_equal(a->mpc.has_csum, b->mpc.has_csum);
		assert_int_equal(a->mpc.csum, b->mpc.csum);
		break;
	case MPTCP_SUB_JOIN:
		assert_int_equal(a->mpj.form, b->mpj.form);
		assert_int_equal(a->mpj.backup, b->mpj.backup);
		assert_int_equal(a->mpj.addr_id, b->mpj.addr_id);
		assert_int_equal(a->mpj.token, b->mpj.token);
		assert_int_equal(a->mpj.nonce, b->mpj.nonce);
		assert_int_equal(a->mpj.thmac, b->mpj.thmac);
		assert_memory_equal(a->mpj.hmac, b->mpj.hmac, MPTCP_JOIN_ACK_HMAC_LEN);
		break;
	case MPTCP_SUB_DSS:
		assert_int_equal(a->dss.has_ack, b->dss.has_ack);
		assert_int_equal(a->dss.ack64, b->dss.ack64);
		assert_int_equal(a->dss.has_map, b->dss.has_map);
		assert_int_equal(a->dss.dsn64, b->dss.dsn64);
		assert_int_equal(a->dss.data_fin, b->dss.data_fin);
		assert_int_equal(a->dss.has_csum, b->dss.has_csum);
		assert_int_equal(a->dss.data_ack, b->dss.data_ack);
		assert_int_equal(a->dss.dsn, b->dss.dsn);
		assert_int_equal(a->dss.ssn, b->dss.ssn);
		assert_int_equal(a->dss.data_len, b->dss.data_len);
		assert_int_equal(a->dss.csum, b->dss.csum);
		break;
	case MPTCP_SUB_ADD_ADDR:
		assert_int_equal(a->add_addr.echo, b->add_addr.echo);
		assert_int_equal(a->add_addr.addr_id, b->add_addr.addr_id);
		assert_int_equal(a->add_addr.family, b->add_addr.family);
		assert_int_equal(a->add_addr.has_port, b->add_addr.has_port);
		assert_int_equal(a->add_addr.port, b->add_addr.port);
		assert_memory_equal(a->add_addr.addr.v6, b->add_addr.addr.v6,
				    a->add_addr.family == MPTCP_ADDR_IPV6 ? 16 : 4);
		assert_int_equal(a->add_addr.hmac, b->add_addr.hmac);
		break;
	case MPTCP_SUB_REMOVE_ADDR:
		assert_int_equal(a->rm_addr.n_ids, b->rm_addr.n_ids);
		assert_memory_equal(a->rm_addr.ids, b->rm_addr.ids, a->rm_addr.n_ids);
		break;
	case MPTCP_SUB_PRIO:
		assert_int_equal(a->prio.backup, b->prio.backup);
		assert_int_equal(a->prio.has_addr_id, b->prio.has_addr_id);
		assert_int_equal(a->prio.addr_id, b->prio.addr_id);
		break;
	case MPTCP_SUB_FAIL:
		assert_int_equal(a->fail.dsn, b->fail.dsn);
		break;
	case MPTCP_SUB_FASTCLOSE:
		assert_int_equal(a->fastclose.rcv_key, b->fastclose.rcv_key);
		break;
	case MPTCP_SUB_TCPRST:
		assert_int_equal(a->tcprst.flags, b->tcprst.flags);
		assert_int_equal(a->tcprst.reason, b->tcprst.reason);
		break;
	default:
		fail();
	}
}

static void test_round_trip_every_subtype(void **state)
{
	(void)state;
	/* 3.1-3.7: struct -> bytes -> struct gives back the struct, for every
	 * subtype and form. */
	static struct sample s[128];
	size_t n = make_samples(s);
	bool seen[16] = { 0 };

	for (size_t i = 0; i < n; i++) {
		uint8_t buf[40];
		struct mptcp_opt back;
		size_t len = mptcp_opt_len(&s[i].o);

		assert_true(len >= 3 && len <= 40);
		assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &s[i].o), len);
		assert_int_equal(buf[0], MPTCP_OPT_KIND);
		assert_int_equal(buf[1], len);
		assert_int_equal(buf[2] >> 4, s[i].o.subtype);
		assert_int_equal(parse(buf, len, s[i].tcp_flags, &back), 0);
		assert_same(&s[i].o, &back);
		seen[s[i].o.subtype] = true;
	}
	for (unsigned st = MPTCP_SUB_CAPABLE; st <= MPTCP_SUB_TCPRST; st++)
		assert_true(seen[st]);
}

static void test_write_budget(void **state)
{
	(void)state;
	/* The writer never writes past its budget: too small -> 0 and the
	 * buffer untouched; exactly enough -> the whole option. */
	static struct sample s[128];
	size_t n = make_samples(s);

	for (size_t i = 0; i < n; i++) {
		size_t len = mptcp_opt_len(&s[i].o);

		for (size_t budget = 0; budget <= len; budget++) {
			uint8_t buf[48];
			size_t w;

			memset(buf, 0xa5, sizeof(buf));
			w = mptcp_opt_write(buf, budget, &s[i].o);
			assert_int_equal(w, budget == len ? len : 0);
			for (size_t j = w; j < sizeof(buf); j++)
				assert_int_equal(buf[j], 0xa5);
		}
	}
}

static void test_write_golden(void **state)
{
	(void)state;
	/* 3.3: the writer's bytes for a typical data segment's DSS (8-byte
	 * data ack, 4-byte DSN) are exactly the RFC layout. */
	const struct mptcp_opt o = { .subtype = MPTCP_SUB_DSS, .dss = {
		.has_ack = true, .ack64 = true, .has_map = true, .dsn64 = false,
		.data_ack = 0x0000000100000200ULL, .dsn = 0x1234567890ULL /* low 32 bits */,
		.ssn = 0x00000101, .data_len = 0x05a8 } };
	const uint8_t want[] = { 30, 22, 0x20, 0x07,
				 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x02, 0x00,
				 0x34, 0x56, 0x78, 0x90,
				 0x00, 0x00, 0x01, 0x01,
				 0x05, 0xa8 };
	uint8_t buf[40];

	assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &o), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_write_invalid(void **state)
{
	(void)state;
	/* Structs with no encoding: length 0, nothing written. */
	struct mptcp_opt bad[] = {
		{ .subtype = (enum mptcp_subtype)9 },
		{ .subtype = MPTCP_SUB_EXPERIMENTAL },
		{ .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = (enum mptcp_cap_form)7 } },
		{ .subtype = MPTCP_SUB_JOIN, .mpj = { .form = (enum mptcp_join_form)3 } },
		{ .subtype = MPTCP_SUB_DSS, .dss = { .has_csum = true } },
		{ .subtype = MPTCP_SUB_ADD_ADDR, .add_addr = { .family = 5 } },
		{ .subtype = MPTCP_SUB_REMOVE_ADDR, .rm_addr = { .n_ids = 0 } },
		{ .subtype = MPTCP_SUB_REMOVE_ADDR, .rm_addr = { .n_ids = MPTCP_RM_IDS_MAX + 1 } },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t buf[64];

		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(mptcp_opt_len(&bad[i]), 0);
		assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &bad[i]), 0);
		assert_int_equal(buf[0], 0xa5);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mpc_syn),
		cmocka_unit_test(test_mpc_synack),
		cmocka_unit_test(test_mpc_ack),
		cmocka_unit_test(test_mpc_ack_data),
		cmocka_unit_test(test_mpc_lengths),
		cmocka_unit_test(test_mpc_versions),
		cmocka_unit_test(test_mpc_flags),
		cmocka_unit_test(test_mpj_syn),
		cmocka_unit_test(test_mpj_synack),
		cmocka_unit_test(test_mpj_ack),
		cmocka_unit_test(test_mpj_lengths),
		cmocka_unit_test(test_dss_full),
		cmocka_unit_test(test_dss_short_fields),
		cmocka_unit_test(test_dss_ack_only_and_data_fin),
		cmocka_unit_test(test_dss_infinite_mapping),
		cmocka_unit_test(test_dss_lengths),
		cmocka_unit_test(test_dss_width_flags_alone),
		cmocka_unit_test(test_dss_reserved_bits_ignored),
		cmocka_unit_test(test_add_addr_v4),
		cmocka_unit_test(test_add_addr_forms),
		cmocka_unit_test(test_add_addr_lengths),
		cmocka_unit_test(test_remove_addr),
		cmocka_unit_test(test_remove_addr_lengths),
		cmocka_unit_test(test_prio),
		cmocka_unit_test(test_fail),
		cmocka_unit_test(test_fastclose),
		cmocka_unit_test(test_tcprst),
		cmocka_unit_test(test_unknown_subtypes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_parse_zeroes_output),
		cmocka_unit_test(test_round_trip_every_subtype),
		cmocka_unit_test(test_write_budget),
		cmocka_unit_test(test_write_golden),
		cmocka_unit_test(test_write_invalid),
	};

	return cmocka_run_group_tests_name("mptcp_options (RFC 8684 section 3)", tests, NULL, NULL);
}
