/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "stream_peer.h"

static inline uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void stream_fill(uint8_t *buf, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t p = off + i;
		buf[i] = (uint8_t)(splitmix(p >> 3) >> (8 * (p & 7)));
	}
}

static void send_more(struct stream_peer *p)
{
	uint8_t buf[16384];
	while (p->sent < p->total) {
		size_t n = p->total - p->sent < sizeof(buf) ? p->total - p->sent : sizeof(buf);
		stream_fill(buf, p->sent, n);
		ssize_t k = mpdk_send(p->c, buf, n);
		if (k <= 0) {
			assert_true(k == -EAGAIN || k == -ENOBUFS);
			return;
		}
		p->sent += (uint64_t)k;
	}
	if (!p->close_called) {
		p->close_called = true;
		assert_int_equal(mpdk_shutdown(p->c, MPDK_SHUT_WR), 0);
	}
}

static void on_readable(void *arg, mpdk_conn_t c)
{
	struct stream_peer *p = arg;
	for (;;) {
		uint8_t buf[8192], exp[8192];
		ssize_t n = mpdk_recv(c, buf, sizeof(buf));
		if (n > 0) {
			stream_fill(exp, p->rcvd, (size_t)n);
			if (memcmp(exp, buf, (size_t)n) != 0)
				p->mismatches++;
			p->rcvd += (uint64_t)n;
			continue;
		}
		if (n == 0)
			p->eof = true;
		else
			assert_int_equal(n, -EAGAIN);
		break;
	}
	if (p->eof && !p->is_sender && !p->close_called) {
		p->close_called = true;
		assert_int_equal(mpdk_close(c), 0);
	}
}

static void on_writable(void *arg, mpdk_conn_t c)
{
	struct stream_peer *p = arg;
	(void)c;
	if (p->is_sender)
		send_more(p);
}

static void on_connected(void *arg, mpdk_conn_t c)
{
	struct stream_peer *p = arg;
	(void)c;
	p->connected = true;
	if (p->is_sender)
		send_more(p);
}

static void on_closed(void *arg, mpdk_conn_t c, int err)
{
	struct stream_peer *p = arg;
	(void)c;
	p->closed = true;
	p->err = err;
}

static void on_accept(void *arg, mpdk_conn_t l)
{
	struct stream_peer *p = arg;
	mpdk_conn_t c;
	assert_int_equal(mpdk_accept(l, &c), 0);
	p->c = c;
	p->connected = true;
	p->accepted_on = mpdk_conn_engine(c);
	if (p->is_sender)
		send_more(p);
}

const struct mpdk_tcp_handler stream_peer_handler = {
	.accept_ready = on_accept,
	.connected = on_connected,
	.readable = on_readable,
	.writable = on_writable,
	.closed = on_closed,
};
