/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plain driver for tests/fuzz/mptcp_options_fuzz.c, so the fuzz properties
 * run in every unit test pass without clang/libFuzzer: a few thousand
 * seeded pseudo-random inputs, half mutated from valid options of every
 * subtype (RFC 8684 sections 3.1-3.7), half raw. Each input sits in an
 * exactly sized heap buffer so ASan catches any read past it.
 *
 * Usage: test_mptcp_options_fuzz [ITERATIONS [SEED]]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mptcp/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic for a seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/* Valid options of every subtype and form: [tcp flags, option bytes...]. */
static const struct {
	uint8_t len;
	uint8_t b[41];
} seeds[] = {
	{ 5, { 0x02, 30, 4, 0x01, 0x81 } },                                   /* MPC SYN */
	{ 13, { 0x12, 30, 12, 0x01, 0x01, 1, 2, 3, 4, 5, 6, 7, 8 } },          /* MPC SYN/ACK */
	{ 21, { 0x10, 30, 20, 0x01, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1 } },
	{ 25, { 0x10, 30, 24, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 1, 1 } },
	{ 13, { 0x02, 30, 12, 0x11, 3, 0xa, 0xb, 0xc, 0xd, 1, 2, 3, 4 } },     /* MPJ SYN */
	{ 17, { 0x12, 30, 16, 0x10, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9 } }, /* MPJ SYN/ACK */
	{ 25, { 0x10, 30, 24, 0x10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
		18, 19, 20 } },                                                /* MPJ ACK */
	{ 29, { 0x10, 30, 28, 0x20, 0x1f, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0,
		1, 0, 100, 0xab, 0xcd } },                                     /* DSS full */
	{ 19, { 0x10, 30, 18, 0x20, 0x05, 1, 2, 3, 4, 0, 0, 1, 0, 0, 0, 0, 1, 5, 0xb4 } },
	{ 9, { 0x10, 30, 8, 0x20, 0x01, 0, 0, 0x12, 0x34 } },                  /* DSS ack */
	{ 17, { 0x10, 30, 16, 0x30, 1, 10, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8 } },/* ADD_ADDR */
	{ 11, { 0x10, 30, 10, 0x31, 1, 10, 0, 0, 2, 0x1f, 0x90 } },            /* echo+port */
	{ 31, { 0x10, 30, 30, 0x30, 2, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		1, 0xbb, 1, 2, 3, 4, 5, 6, 7, 8 } },                            /* IPv6 + port */
	{ 7, { 0x10, 30, 6, 0x40, 1, 2, 3 } },                                 /* REMOVE_ADDR */
	{ 4, { 0x10, 30, 3, 0x51 } },                                          /* MP_PRIO */
	{ 5, { 0x10, 30, 4, 0x50, 7 } },
	{ 13, { 0x10, 30, 12, 0x60, 0, 1, 2, 3, 4, 5, 6, 7, 8 } },             /* MP_FAIL */
	{ 13, { 0x14, 30, 12, 0x70, 0, 1, 2, 3, 4, 5, 6, 7, 8 } },             /* MP_FASTCLOSE */
	{ 5, { 0x04, 30, 4, 0x81, 0x02 } },                                    /* MP_TCPRST */
};

static void run_one(const uint8_t *in, size_t len)
{
	/* Exactly sized copy: reading one byte too far trips ASan. */
	uint8_t *copy = malloc(len ? len : 1);

	if (copy == NULL)
		abort();
	memcpy(copy, in, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

int main(int argc, char **argv)
{
	unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 5000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x6d70746370ULL;
	const size_t n_seeds = sizeof(seeds) / sizeof(seeds[0]);
	unsigned long accepted = 0;

	rng_state = seed ? seed : 1;

	/* Every seed as is, and every seed truncated at every length. */
	for (size_t s = 0; s < n_seeds; s++) {
		struct mptcp_opt o;

		if (mptcp_opt_parse(seeds[s].b + 1, seeds[s].len - 1, seeds[s].b[0], &o) != 0) {
			fprintf(stderr, "seed %zu does not parse\n", s);
			return 1;
		}
		for (size_t l = 0; l <= seeds[s].len; l++)
			run_one(seeds[s].b, l);
	}

	for (unsigned long it = 0; it < iterations; it++) {
		uint8_t in[48];
		size_t len;

		if (it & 1) {
			/* Raw: random flags, kind 30 most of the time. */
			len = rnd() % sizeof(in);
			for (size_t i = 0; i < len; i++)
				in[i] = (uint8_t)rnd();
			if (len > 1 && rnd() % 4)
				in[1] = 30;
			if (len > 2 && rnd() % 2)
				in[2] = (uint8_t)(rnd() % (len + 2));
		} else {
			/* Mutated seed: flip bytes, rewrite the length byte,
			 * change the TCP flags, cut or extend the buffer. */
			size_t s = rnd() % n_seeds;
			unsigned muts = 1 + rnd() % 3;

			len = seeds[s].len;
			memcpy(in, seeds[s].b, len);
			for (unsigned m = 0; m < muts; m++) {
				switch (rnd() % 5) {
				case 0:
					if (len > 1)
						in[1 + rnd() % (len - 1)] ^= (uint8_t)(1u << (rnd() % 8));
					break;
				case 1:
					in[2] = (uint8_t)(in[2] + (int)(rnd() % 5) - 2);
					break;
				case 2:
					in[0] = (uint8_t)rnd();
					break;
				case 3:
					len = 1 + rnd() % len;
					break;
				default:
					while (len < sizeof(in) && rnd() % 2)
						in[len++] = (uint8_t)rnd();
					break;
				}
			}
		}
		{
			struct mptcp_opt o;

			if (len >= 1 && mptcp_opt_parse(in + 1, len - 1, in[0], &o) == 0)
				accepted++;
		}
		run_one(in, len);
	}
	printf("mptcp_options_fuzz: %lu inputs (seed 0x%llx), %lu parsed as valid options\n",
	       iterations, (unsigned long long)seed, accepted);
	/* The mutations must reach the accepting paths, not only the errors. */
	return accepted > iterations / 20 ? 0 : 1;
}
