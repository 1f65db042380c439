/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MPTCP option parser's fuzz properties (tests/fuzz/mptcp_options_fuzz.c:
 * return codes, no read past the input, parse/write/parse stable) driven
 * with seeded mutations of the EC forms: MP_CAPABLE with flag E for every
 * curve and step of both variants (draft "SE-MPTCP" Figure 3, mpdk's
 * compressed variant) and the EC MP_JOIN SYN (section 4.2).
 *
 * Usage: test_secure_ec_options_fuzz [ITERATIONS [SEED]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mptcp/options.h"
#include "secure/ec.h"
#include "secure/ec_mpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

#define MAX_SEEDS 64

static struct {
	uint8_t len;
	uint8_t b[41]; /* tcp flags, then the option */
} seeds[MAX_SEEDS];
static size_t n_seeds;

static void add_seed(uint8_t tcp_flags, const struct mptcp_opt *o)
{
	size_t n;

	if (n_seeds == MAX_SEEDS)
		abort();
	seeds[n_seeds].b[0] = tcp_flags;
	n = mptcp_opt_write(seeds[n_seeds].b + 1, 40, o);
	if (n == 0)
		abort();
	seeds[n_seeds].len = (uint8_t)(n + 1);
	n_seeds++;
}

static void run_one(const uint8_t *in, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (copy == NULL)
		abort();
	memcpy(copy, in, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

int main(int argc, char **argv)
{
	unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x65636d7063ULL;
	unsigned long accepted = 0;

	rng_state = seed ? seed : 1;
	/* Key pairs need no crypto here: any bytes make a well-formed option. */
	for (unsigned c = 0; c < EC_CURVE_COUNT; c += 2) {
		struct ec_keypair kp;

		memset(&kp, 0, sizeof(kp));
		kp.curve = (uint8_t)c;
		for (size_t i = 0; i < sizeof(kp.x); i++) {
			kp.x[i] = (uint8_t)rnd();
			kp.y[i] = (uint8_t)rnd();
		}
		for (unsigned v = 0; v < EC_VARIANT_COUNT; v++)
			for (unsigned s = 0; s < EC_MPC_STEP_COUNT; s++) {
				struct mptcp_opt o;

				if (ec_mpc_build(v, s, &kp, MPTCP_CAP_E_EC | MPTCP_CAP_H_HMAC_SHA256, &o) == 0)
					add_seed(ec_mpc_step_tcp_flags(s), &o);
			}
	}
	{
		struct mptcp_opt j = { .subtype = MPTCP_SUB_JOIN,
				       .mpj = { .form = MPTCP_JOIN_SYN_EC, .addr_id = 3, .token = 0xa1b2c3d4,
						.hmac_token = 0x01020304, .nonce = 0xdeadbeef } };

		add_seed(MPTCP_TH_SYN, &j);
	}

	for (size_t i = 0; i < n_seeds; i++)
		run_one(seeds[i].b, seeds[i].len);
	for (unsigned long it = 0; it < iterations; it++) {
		uint8_t buf[48];
		size_t len;
		uint64_t r = rnd();

		if (r & 1) {
			/* mutate a seed: flip bytes, maybe change the length */
			size_t s = (size_t)(rnd() % n_seeds);

			len = seeds[s].len;
			memcpy(buf, seeds[s].b, len);
			for (int k = (int)(rnd() % 3); k >= 0; k--)
				buf[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
			if ((r >> 1) % 4 == 0) {
				/* the length byte and the buffer disagree or agree */
				buf[2] = (uint8_t)(rnd() % 42);
				len = 1 + (size_t)(rnd() % 41);
			}
		} else {
			len = 1 + (size_t)(rnd() % 41);
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)rnd();
			if (len > 3) {
				buf[1] = MPTCP_OPT_KIND;
				buf[3] = (uint8_t)(buf[3] & 0x1f); /* MP_CAPABLE or MP_JOIN */
				buf[4] |= MPTCP_CAP_E_EC;
			}
		}
		{
			struct mptcp_opt o;

			if (len > 1 && mptcp_opt_parse(buf + 1, len - 1, buf[0], &o) == 0)
				accepted++;
		}
		run_one(buf, len);
	}
	printf("%lu inputs, %zu seeds, %lu accepted\n", iterations, n_seeds, accepted);
	return accepted > 0 ? 0 : 1;
}
