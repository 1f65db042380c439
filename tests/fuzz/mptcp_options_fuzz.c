/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the MPTCP option parser (src/mptcp/options.c).
 *
 * Input: byte 0 is the segment's TCP flags, the rest is the option (kind
 * byte first). Properties checked on every input, abort() on violation:
 *  - the parser returns 0, -EBADMSG or -ENOTSUP and reads only @len bytes
 *    (ASan, the input is exactly sized);
 *  - an accepted option re-encodes to the length its length byte said, the
 *    writer keeps to its budget, and parse(write(x)) == x field by field
 *    (and writing that again gives the same bytes).
 * The same file is linked into the unit test test_mptcp_options_fuzz, whose
 * main() feeds it seeded pseudo-random inputs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mptcp/options.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static bool same_opt(const struct mptcp_opt *a, const struct mptcp_opt *b)
{
	if (a->subtype != b->subtype)
		return false;
	switch (a->subtype) {
	case MPTCP_SUB_CAPABLE:
		return a->mpc.form == b->mpc.form && a->mpc.version == b->mpc.version &&
		       a->mpc.flags == b->mpc.flags && a->mpc.snd_key == b->mpc.snd_key &&
		       a->mpc.rcv_key == b->mpc.rcv_key && a->mpc.data_len == b->mpc.data_len &&
		       a->mpc.has_csum == b->mpc.has_csum && a->mpc.csum == b->mpc.csum;
	case MPTCP_SUB_JOIN:
		return a->mpj.form == b->mpj.form && a->mpj.backup == b->mpj.backup &&
		       a->mpj.addr_id == b->mpj.addr_id && a->mpj.token == b->mpj.token &&
		       a->mpj.nonce == b->mpj.nonce && a->mpj.thmac == b->mpj.thmac &&
		       !memcmp(a->mpj.hmac, b->mpj.hmac, sizeof(a->mpj.hmac));
	case MPTCP_SUB_DSS:
		return a->dss.has_ack == b->dss.has_ack && a->dss.ack64 == b->dss.ack64 &&
		       a->dss.has_map == b->dss.has_map && a->dss.dsn64 == b->dss.dsn64 &&
		       a->dss.data_fin == b->dss.data_fin && a->dss.has_csum == b->dss.has_csum &&
		       a->dss.data_ack == b->dss.data_ack && a->dss.dsn == b->dss.dsn &&
		       a->dss.ssn == b->dss.ssn && a->dss.data_len == b->dss.data_len &&
		       a->dss.csum == b->dss.csum;
	case MPTCP_SUB_ADD_ADDR:
		return a->add_addr.echo == b->add_addr.echo &&
		       a->add_addr.addr_id == b->add_addr.addr_id &&
		       a->add_addr.family == b->add_addr.family &&
		       a->add_addr.has_port == b->add_addr.has_port &&
		       a->add_addr.port == b->add_addr.port &&
		       !memcmp(a->add_addr.addr.v6, b->add_addr.addr.v6,
			       a->add_addr.family == MPTCP_ADDR_IPV6 ? 16 : 4) &&
		       a->add_addr.hmac == b->add_addr.hmac;
	case MPTCP_SUB_REMOVE_ADDR:
		return a->rm_addr.n_ids == b->rm_addr.n_ids &&
		       !memcmp(a->rm_addr.ids, b->rm_addr.ids, a->rm_addr.n_ids);
	case MPTCP_SUB_PRIO:
		return a->prio.backup == b->prio.backup &&
		       a->prio.has_addr_id == b->prio.has_addr_id &&
		       a->prio.addr_id == b->prio.addr_id;
	case MPTCP_SUB_FAIL:
		return a->fail.dsn == b->fail.dsn;
	case MPTCP_SUB_FASTCLOSE:
		return a->fastclose.rcv_key == b->fastclose.rcv_key;
	case MPTCP_SUB_TCPRST:
		return a->tcprst.flags == b->tcprst.flags && a->tcprst.reason == b->tcprst.reason;
	default:
		return false;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mptcp_opt o, back;
	uint8_t buf[64], again[64];
	uint8_t tcp_flags;
	size_t n;
	int rc;

	if (size < 1)
		return 0;
	tcp_flags = data[0];
	data++;
	size--;

	rc = mptcp_opt_parse(data, size, tcp_flags, &o);
	CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOTSUP);
	CHECK(mptcp_subtype_name(o.subtype) != NULL);
	if (rc == -ENOTSUP)
		CHECK(size >= 3 && o.subtype == (data[2] >> 4));
	if (rc != 0)
		return 0;

	CHECK(size >= 3 && data[0] == MPTCP_OPT_KIND);
	n = mptcp_opt_len(&o);
	CHECK(n == data[1] && n <= size && n <= 40);

	memset(buf, 0xa5, sizeof(buf));
	CHECK(mptcp_opt_write(buf, n - 1, &o) == 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK(buf[i] == 0xa5);
	CHECK(mptcp_opt_write(buf, n, &o) == n);
	for (size_t i = n; i < sizeof(buf); i++)
		CHECK(buf[i] == 0xa5);

	CHECK(mptcp_opt_parse(buf, n, tcp_flags, &back) == 0);
	CHECK(same_opt(&o, &back));
	CHECK(mptcp_opt_write(again, sizeof(again), &back) == n);
	CHECK(memcmp(buf, again, n) == 0);
	return 0;
}
