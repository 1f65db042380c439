/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs the libFuzzer target tests/fuzz/tcp_options_fuzz.c without libFuzzer:
 * a few thousand seeded pseudo-random option lists, biased towards the
 * kinds and lengths the codec knows (RFC 9293 §3.2, RFC 7323, RFC 2018,
 * RFC 8684 kind 30), so that both the malformed paths and the round trip
 * are exercised. The target abort()s on a violated property.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t rng = 0x9e3779b9u;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* A plausible option list: well-formed options, with now and then a
 * corrupted length, an unknown kind or trailing garbage. */
static size_t gen(uint8_t *p, size_t cap)
{
	static const uint8_t kinds[] = { 0, 1, 2, 3, 4, 5, 8, 30, 1, 1, 99 };
	static const uint8_t lens[] = { 0, 1, 4, 3, 2, 10, 10, 4, 1, 1, 3 };
	size_t n = 0;

	while (n < cap && next() % 8) {
		unsigned i = next() % sizeof(kinds);
		uint8_t k = kinds[i], l = lens[i];

		if (k == 5)
			l = (uint8_t)(2 + 8 * (1 + next() % 4));
		if (k == 30)
			l = (uint8_t)(3 + next() % 20);
		if (next() % 16 == 0)
			l = (uint8_t)(next() % 44);      /* corrupt the length */
		if (k <= 1) {
			p[n++] = k;
			continue;
		}
		if (n + 2 > cap) {
			p[n++] = k;
			break;
		}
		p[n] = k;
		p[n + 1] = l;
		for (size_t j = 2; j < l && n + j < cap; j++)
			p[n + j] = (uint8_t)next();
		n += l < 2 ? 2 : l;
	}
	return n < cap ? n : cap;
}

static void test_fuzz_corpus(void **state)
{
	(void)state;
	uint8_t buf[64];

	for (int i = 0; i < 4000; i++) {
		size_t n;
		uint8_t *in;

		if (i % 4 == 0) {              /* raw random bytes */
			n = next() % 48;
			for (size_t j = 0; j < n; j++)
				buf[j] = (uint8_t)next();
		} else {
			n = gen(buf, (i % 3) ? 40 : 60);
		}
		/* Exactly sized copy so that ASan catches any over-read. */
		in = malloc(n ? n : 1);
		assert_non_null(in);
		memcpy(in, buf, n);
		LLVMFuzzerTestOneInput(in, n);
		free(in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
