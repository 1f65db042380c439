/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the TCP options codec (src/tcp/options.c).
 *
 * Input: the option bytes of a TCP header (any length; real headers have at
 * most 40). Properties checked on every input, abort() on violation:
 *  - the parser returns 0 or -EBADMSG for both SYN and non-SYN and reads
 *    only @size bytes (ASan: the input buffer is exactly sized);
 *  - an accepted list has sane fields (wscale <= 14, n_sack <= 4, MPTCP
 *    pointers inside the input, MSS/WS/SACK_PERM only on SYN);
 *  - the writer keeps to every budget 0..40 with a multiple of 4, writes
 *    what tcp_opts_len() predicts, and parse(write(x)) gives back what
 *    tcp_opts_fit() kept, field by field.
 * The same file is linked into the unit test tcp_options_fuzz, whose main()
 * feeds it seeded pseudo-random inputs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/options.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* The options of @kept must come back from parsing @buf. */
static void check_round_trip(const uint8_t *buf, size_t n, bool syn, const struct tcp_opts *kept)
{
	struct tcp_opts back;

	CHECK(tcp_opts_parse(buf, n, syn, &back) == 0);
	CHECK(back.flags == kept->flags);
	CHECK(back.n_bad_len == 0 && back.n_unknown == 0 && back.n_ignored == 0);
	if (kept->flags & TCP_OPT_F_MSS)
		CHECK(back.mss == kept->mss);
	if (kept->flags & TCP_OPT_F_WSCALE)
		CHECK(back.wscale == kept->wscale);
	if (kept->flags & TCP_OPT_F_TS)
		CHECK(back.ts_val == kept->ts_val && back.ts_ecr == kept->ts_ecr);
	CHECK(back.n_sack == kept->n_sack);
	for (unsigned i = 0; i < kept->n_sack; i++)
		CHECK(back.sack[i].start == kept->sack[i].start &&
		      back.sack[i].end == kept->sack[i].end);
	CHECK(back.n_mptcp == kept->n_mptcp);
	for (unsigned i = 0; i < kept->n_mptcp; i++)
		CHECK(back.mptcp[i].len == kept->mptcp[i].len &&
		      !memcmp(back.mptcp[i].p, kept->mptcp[i].p, kept->mptcp[i].len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int syn = 0; syn <= 1; syn++) {
		struct tcp_opts o;
		int rc = tcp_opts_parse(data, size, syn, &o);

		CHECK(rc == 0 || rc == -EBADMSG);
		if (rc)
			continue;
		CHECK(o.wscale <= TCP_WSCALE_MAX);
		CHECK(o.n_sack <= TCP_OPTS_MAX_SACK);
		CHECK(!!(o.flags & TCP_OPT_F_SACK) == (o.n_sack > 0));
		CHECK(o.n_mptcp <= TCP_OPTS_MAX_MPTCP);
		CHECK(!!(o.flags & TCP_OPT_F_MPTCP) == (o.n_mptcp > 0));
		if (!syn)
			CHECK(!(o.flags & (TCP_OPT_F_MSS | TCP_OPT_F_WSCALE | TCP_OPT_F_SACK_PERM)));
		for (unsigned i = 0; i < o.n_mptcp; i++) {
			CHECK(o.mptcp[i].p >= data && o.mptcp[i].len >= 3);
			CHECK((size_t)(o.mptcp[i].p - data) + o.mptcp[i].len <= size);
			CHECK(o.mptcp[i].p[0] == TCPOPT_MPTCP && o.mptcp[i].p[1] == o.mptcp[i].len);
		}

		for (size_t budget = 0; budget <= TCP_OPTS_MAX_LEN; budget++) {
			uint8_t buf[TCP_OPTS_MAX_LEN + 8];
			struct tcp_opts kept = o;
			size_t fit = tcp_opts_fit(&kept, budget);
			size_t n;

			memset(buf, 0xa5, sizeof(buf));
			n = tcp_opts_write(buf, budget, &o);
			CHECK(n <= budget && n % 4 == 0 && n == fit);
			CHECK(n == tcp_opts_len(&o, budget));
			for (size_t k = n; k < sizeof(buf); k++)
				CHECK(buf[k] == 0xa5);
			check_round_trip(buf, n, syn, &kept);
		}
	}
	return 0;
}
