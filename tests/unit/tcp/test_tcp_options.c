/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP options codec: RFC 9293 §3.1/§3.2, RFC 7323, RFC 2018. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "tcp/options.h"

/* RFC 9293 §3.2: EOL ends the list, NOP is padding, bytes after EOL are not
 * looked at. */
static void test_eol_nop(void **state)
{
	(void)state;
	const uint8_t p[] = { 1, 1, 2, 4, 0x05, 0xb4, 0, 0xff, 0xff, 0xff };
	struct tcp_opts o;

	assert_int_equal(tcp_opts_parse(p, sizeof(p), true, &o), 0);
	assert_true(o.flags & TCP_OPT_F_MSS);
	assert_int_equal(o.mss, 1460);
	assert_int_equal(o.flags, TCP_OPT_F_MSS);
	assert_int_equal(tcp_opts_parse(p, 0, true, &o), 0);
	assert_int_equal(o.flags, 0);
}

/* RFC 9293 §3.2 (MSS only in SYN segments, MUST-65 region), RFC 7323 §2.2
 * (WS only in SYN), RFC 2018 §2 (SACK-permitted only in SYN). */
static void test_syn_only_options_ignored_on_non_syn(void **state)
{
	(void)state;
	const uint8_t p[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 1, 1 };
	struct tcp_opts o;

	assert_int_equal(tcp_opts_parse(p, sizeof(p), false, &o), 0);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.n_ignored, 3);
	assert_int_equal(tcp_opts_parse(p, sizeof(p), true, &o), 0);
	assert_int_equal(o.flags, TCP_OPT_F_MSS | TCP_OPT_F_WSCALE | TCP_OPT_F_SACK_PERM);
	assert_int_equal(o.wscale, 7);
	assert_int_equal(o.n_ignored, 0);
}

/* RFC 7323 §2.3: a shift above 14 is used as 14 (and logged/counted). */
static void test_wscale_capped(void **state)
{
	(void)state;
	const uint8_t p[] = { 1, 3, 3, 15 };
	struct tcp_opts o;

	assert_int_equal(tcp_opts_parse(p, sizeof(p), true, &o), 0);
	assert_int_equal(o.wscale, 14);
	assert_true(o.wscale_capped);
	const uint8_t q[] = { 1, 3, 3, 255 };
	assert_int_equal(tcp_opts_parse(q, sizeof(q), true, &o), 0);
	assert_int_equal(o.wscale, 14);
	const uint8_t r[] = { 1, 3, 3, 14 };
	assert_int_equal(tcp_opts_parse(r, sizeof(r), true, &o), 0);
	assert_int_equal(o.wscale, 14);
	assert_false(o.wscale_capped);
}

/* RFC 9293 §3.1 (MUST-7): an option whose length is 0 or 1, or runs past
 * the option space, makes the segment unparseable: -EBADMSG. */
static void test_malformed_lengths(void **state)
{
	(void)state;
	struct tcp_opts o;
	const uint8_t len0[] = { 2, 0, 0, 0 };
	const uint8_t len1[] = { 8, 1, 0, 0 };
	const uint8_t overrun[] = { 8, 10, 0, 0, 0, 0 };
	const uint8_t no_len_byte[] = { 1, 1, 1, 2 };
	const uint8_t unknown_overrun[] = { 99, 5, 0, 0 };
	const uint8_t unknown_len0[] = { 1, 99, 0 };
	const uint8_t mptcp_overrun[] = { 30, 20, 0x00, 0x81 };

	assert_int_equal(tcp_opts_parse(len0, sizeof(len0), true, &o), -EBADMSG);
	assert_int_equal(tcp_opts_parse(len1, sizeof(len1), false, &o), -EBADMSG);
	assert_int_equal(tcp_opts_parse(overrun, sizeof(overrun), false, &o), -EBADMSG);
	assert_int_equal(tcp_opts_parse(no_len_byte, sizeof(no_len_byte), true, &o), -EBADMSG);
	assert_int_equal(tcp_opts_parse(unknown_overrun, sizeof(unknown_overrun), true, &o), -EBADMSG);
	assert_int_equal(tcp_opts_parse(unknown_len0, sizeof(unknown_len0), true, &o), -EBADMSG);
	assert_int_equal(tcp_opts_parse(mptcp_overrun, sizeof(mptcp_overrun), true, &o), -EBADMSG);
	/* A length that exactly reaches the end is fine. */
	const uint8_t exact[] = { 99, 4, 0, 0 };
	assert_int_equal(tcp_opts_parse(exact, sizeof(exact), true, &o), 0);
	assert_int_equal(o.n_unknown, 1);
}

/* RFC 9293 §3.2 / RFC 7323 / RFC 2018: a known kind with the wrong fixed
 * length is ignored (counted), the rest of the list is still used. */
static void test_wrong_fixed_lengths(void **state)
{
	(void)state;
	struct tcp_opts o;
	const uint8_t p[] = {
		2, 3, 0x05,                  /* MSS len 3 */
		3, 4, 7, 0,                  /* WS len 4 */
		4, 3, 0,                     /* SACK_PERM len 3 */
		8, 9, 0, 0, 0, 1, 0, 0, 0,   /* TS len 9 */
		5, 9, 0, 0, 0, 1, 0, 0, 0,   /* SACK len 9 (not 2+8n) */
		5, 2,                        /* SACK with no block */
		30, 2,                       /* MPTCP without subtype */
		2, 4, 0x02, 0x18,            /* a good MSS: 536 */
	};

	assert_int_equal(tcp_opts_parse(p, sizeof(p), true, &o), 0);
	assert_int_equal(o.n_bad_len, 7);
	assert_int_equal(o.flags, TCP_OPT_F_MSS);
	assert_int_equal(o.mss, 536);
}

/* RFC 2018 §3: the number of blocks follows from the length, 1 to 4. */
static void test_sack_blocks_1_to_4(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 4; n++) {
		uint8_t p[40] = { 1, 1, 5, (uint8_t)(2 + 8 * n) };
		struct tcp_opts o;

		for (unsigned b = 0; b < n; b++) {
			uint32_t s = 1000u * (b + 1), e = s + 100;
			uint8_t *q = p + 4 + 8 * b;
			q[0] = s >> 24; q[1] = s >> 16; q[2] = s >> 8; q[3] = (uint8_t)s;
			q[4] = e >> 24; q[5] = e >> 16; q[6] = e >> 8; q[7] = (uint8_t)e;
		}
		assert_int_equal(tcp_opts_parse(p, 4 + 8 * n, false, &o), 0);
		assert_int_equal(o.n_sack, n);
		assert_true(o.flags & TCP_OPT_F_SACK);
		for (unsigned b = 0; b < n; b++) {
			assert_int_equal(o.sack[b].start, 1000u * (b + 1));
			assert_int_equal(o.sack[b].end, 1000u * (b + 1) + 100);
		}
	}
}

/* RFC 7323 §3.2: TSopt on any segment; RFC 8684: kind 30 located, not
 * decoded; unknown kinds skipped. */
static void test_ts_mptcp_unknown(void **state)
{
	(void)state;
	const uint8_t p[] = {
		1, 1, 8, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1,
		30, 4, 0x20, 0x81,
		77, 3, 9,
		30, 3, 0x70,
		0,
	};
	struct tcp_opts o;

	assert_int_equal(tcp_opts_parse(p, sizeof(p), false, &o), 0);
	assert_true(o.flags & TCP_OPT_F_TS);
	assert_int_equal(o.ts_val, 0xdeadbeef);
	assert_int_equal(o.ts_ecr, 1);
	assert_int_equal(o.n_mptcp, 2);
	assert_ptr_equal(o.mptcp[0].p, p + 12);
	assert_int_equal(o.mptcp[0].len, 4);
	assert_ptr_equal(o.mptcp[1].p, p + 19);
	assert_int_equal(o.mptcp[1].len, 3);
	assert_int_equal(o.n_unknown, 1);
}

/* Writer: the Linux SYN layout (MSS, SACK_PERM+TS, NOP WS) and round trip. */
static void test_write_syn_layout(void **state)
{
	(void)state;
	struct tcp_opts o = {
		.flags = TCP_OPT_F_MSS | TCP_OPT_F_SACK_PERM | TCP_OPT_F_TS | TCP_OPT_F_WSCALE,
		.mss = 1460, .wscale = 7, .ts_val = 0x01020304, .ts_ecr = 0,
	}, back;
	uint8_t buf[40];
	const uint8_t want[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0,
				   1, 3, 3, 7 };

	assert_int_equal(tcp_opts_len(&o, 40), 20);
	assert_int_equal(tcp_opts_write(buf, sizeof(buf), &o), 20);
	assert_memory_equal(buf, want, 20);
	assert_int_equal(tcp_opts_parse(buf, 20, true, &back), 0);
	assert_int_equal(back.flags, o.flags);
	assert_int_equal(back.mss, 1460);
	assert_int_equal(back.wscale, 7);
	assert_int_equal(back.ts_val, 0x01020304);

	/* Without TS: NOP NOP SACK_PERM. */
	o.flags = TCP_OPT_F_MSS | TCP_OPT_F_SACK_PERM | TCP_OPT_F_WSCALE;
	assert_int_equal(tcp_opts_write(buf, sizeof(buf), &o), 12);
	const uint8_t want2[12] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7 };
	assert_memory_equal(buf, want2, 12);
}

/* Writer: data segments carry NOP NOP TS then NOP NOP SACK; with TS, 3
 * SACK blocks fit in 40 bytes (RFC 2018 §3), without TS 4. */
static void test_write_data_sack_budget(void **state)
{
	(void)state;
	struct tcp_opts o = { .flags = TCP_OPT_F_TS | TCP_OPT_F_SACK, .ts_val = 5, .ts_ecr = 6,
			      .n_sack = 4 }, back;
	uint8_t buf[40];
	size_t n;

	for (unsigned b = 0; b < 4; b++) {
		o.sack[b].start = 100 * b + 1;
		o.sack[b].end = 100 * b + 51;
	}
	n = tcp_opts_write(buf, 40, &o);
	assert_int_equal(n, 12 + 4 + 24);
	assert_int_equal(tcp_opts_parse(buf, n, false, &back), 0);
	assert_int_equal(back.n_sack, 3);
	assert_int_equal(back.sack[0].start, 1);     /* the first blocks are kept */
	assert_int_equal(back.sack[2].end, 251);
	assert_int_equal(back.ts_ecr, 6);

	o.flags = TCP_OPT_F_SACK;
	n = tcp_opts_write(buf, 40, &o);
	assert_int_equal(n, 36);
	assert_int_equal(tcp_opts_parse(buf, n, false, &back), 0);
	assert_int_equal(back.n_sack, 4);

	/* Budget 20 with TS: 1 block (12 + 4 + 8 = 24 > 20) -> 0 blocks. */
	o.flags = TCP_OPT_F_TS | TCP_OPT_F_SACK;
	assert_int_equal(tcp_opts_len(&o, 20), 12);
	assert_int_equal(tcp_opts_len(&o, 24), 24);
	/* A budget that is not a multiple of 4 rounds down; never over it. */
	for (size_t budget = 0; budget <= 40; budget++) {
		memset(buf, 0xee, sizeof(buf));
		n = tcp_opts_write(buf, budget, &o);
		assert_true(n <= budget);
		assert_int_equal(n % 4, 0);
		for (size_t k = n; k < sizeof(buf); k++)
			assert_int_equal(buf[k], 0xee);
	}
}

/* Writer priority when over budget: SACK blocks, then MPTCP, then
 * SACK_PERM, then WS, then TS, then MSS (options.h). */
static void test_write_priority(void **state)
{
	(void)state;
	const uint8_t mp[] = { 30, 12, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct tcp_opts o = {
		.flags = TCP_OPT_F_MSS | TCP_OPT_F_SACK_PERM | TCP_OPT_F_TS | TCP_OPT_F_WSCALE |
			 TCP_OPT_F_MPTCP,
		.mss = 1460, .wscale = 9, .n_mptcp = 1, .mptcp = { { mp, sizeof(mp) } },
	}, t;

	t = o;
	assert_int_equal(tcp_opts_fit(&t, 40), 32);
	assert_int_equal(t.flags, o.flags);
	t = o;
	assert_int_equal(tcp_opts_fit(&t, 28), 20);
	assert_int_equal(t.flags, o.flags & ~TCP_OPT_F_MPTCP);
	assert_int_equal(t.n_mptcp, 0);
	t = o;
	assert_int_equal(tcp_opts_fit(&t, 19), 16);    /* SACK_PERM dropped: TS now NOP NOP TS */
	assert_int_equal(t.flags, TCP_OPT_F_MSS | TCP_OPT_F_TS);
	t = o;
	assert_int_equal(tcp_opts_fit(&t, 12), 4);
	assert_int_equal(t.flags, TCP_OPT_F_MSS);
	t = o;
	assert_int_equal(tcp_opts_fit(&t, 3), 0);
	assert_int_equal(t.flags, 0);

	/* MPTCP options are copied and NOP-padded to 4 bytes. */
	const uint8_t mp3[] = { 30, 3, 0x70 };
	struct tcp_opts m = { .flags = TCP_OPT_F_MPTCP, .n_mptcp = 1, .mptcp = { { mp3, 3 } } }, back;
	uint8_t buf[40];
	assert_int_equal(tcp_opts_write(buf, 40, &m), 4);
	assert_memory_equal(buf, ((const uint8_t[]){ 30, 3, 0x70, 1 }), 4);
	assert_int_equal(tcp_opts_parse(buf, 4, false, &back), 0);
	assert_int_equal(back.n_mptcp, 1);
	assert_int_equal(back.mptcp[0].len, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eol_nop),
		cmocka_unit_test(test_syn_only_options_ignored_on_non_syn),
		cmocka_unit_test(test_wscale_capped),
		cmocka_unit_test(test_malformed_lengths),
		cmocka_unit_test(test_wrong_fixed_lengths),
		cmocka_unit_test(test_sack_blocks_1_to_4),
		cmocka_unit_test(test_ts_mptcp_unknown),
		cmocka_unit_test(test_write_syn_layout),
		cmocka_unit_test(test_write_data_sack_budget),
		cmocka_unit_test(test_write_priority),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
