/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The byte stream the simlink integration tests move and check: a seeded
 * pattern any offset of which can be recomputed (stream_fill), and a peer
 * that sends `total` bytes of it then shuts down, or receives, checks
 * every byte against it and closes at EOF (stream_peer_handler). Tests
 * whose peers need more (zero-copy receive, threads) keep their own
 * callbacks and use stream_fill.
 */
#ifndef MPDK_TEST_STREAM_PEER_H
#define MPDK_TEST_STREAM_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mpdk/mpdk.h"

/* The pattern's bytes [off, off + len) into buf. */
void stream_fill(uint8_t *buf, uint64_t off, size_t len);

struct stream_peer {
	mpdk_conn_t c;
	uint64_t sent, rcvd, mismatches, total;
	bool connected, eof, closed, close_called, is_sender;
	int err;
	struct mpdk_engine *accepted_on;   /* the engine an accepted conn is on */
};

/* The callbacks of a stream_peer (the callback argument). */
extern const struct mpdk_tcp_handler stream_peer_handler;

#endif
