/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the client and the server share: a test's control connection
 * (framing, send queue), its data streams (the zero-copy send and receive
 * paths), timing, our results for the exchange, and the linger list that
 * closes connections politely when a test is over.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <rte_mbuf.h>
#include "perf.h"

/* Smallest send attempted when the buffer is nearly full: a refused send
 * arms the writable event, so the stream wakes up when room opens. */
#define PERF_MIN_CHUNK (16u * 1024)

uint64_t perf_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------ linger */

static void linger_remove(struct perf_linger *l)
{
	struct perf_ctx *ctx = l->ctx;
	struct perf_linger **pp = &ctx->linger;
	while (*pp != NULL && *pp != l)
		pp = &(*pp)->next;
	if (*pp == l) {
		*pp = l->next;
		ctx->n_linger--;
	}
	free(l);
}

static void linger_readable(void *arg, mpdk_conn_t c)
{
	struct perf_linger *l = arg;
	struct rte_mbuf *m;
	ssize_t n;

	while ((n = mpdk_recv_mbuf(c, &m)) > 0)
		rte_pktmbuf_free(m);
	if (n == -EAGAIN)
		return;
	/* the peer's FIN (0) or a dead handle: we are done with it */
	mpdk_close(c);
	linger_remove(l);
}

static void linger_closed(void *arg, mpdk_conn_t c, int err)
{
	(void)c;
	(void)err;
	linger_remove(arg);
}

static const struct mpdk_tcp_handler linger_handler = {
	.readable = linger_readable,
	.closed = linger_closed,
};

void perf_linger(struct perf_ctx *ctx, mpdk_conn_t c, unsigned ms)
{
	struct perf_linger *l = calloc(1, sizeof(*l));
	if (l == NULL || mpdk_conn_set_handler(c, &linger_handler, l) < 0) {
		free(l);
		mpdk_close(c);
		return;
	}
	if (mpdk_shutdown(c, MPDK_SHUT_WR) < 0) {
		/* not connected yet (or gone): nothing to finish */
		mpdk_abort(c);
		free(l);
		return;
	}
	l->c = c;
	l->ctx = ctx;
	l->deadline_ns = perf_now_ns() + (uint64_t)ms * 1000000ull;
	l->next = ctx->linger;
	ctx->linger = l;
	ctx->n_linger++;
	linger_readable(l, c);
}

void perf_linger_tick(struct perf_ctx *ctx, uint64_t now)
{
	struct perf_linger *l = ctx->linger;
	while (l != NULL) {
		struct perf_linger *next = l->next;
		if (now >= l->deadline_ns) {
			/* graceful if everything was read, a reset otherwise */
			mpdk_close(l->c);
			linger_remove(l);
		}
		l = next;
	}
}

void perf_linger_drain(struct perf_ctx *ctx, unsigned ms)
{
	uint64_t start = perf_now_ns();
	uint64_t end = start + (uint64_t)ms * 1000000ull;
	/* at least a few milliseconds, for the last ACKs and FINs to leave */
	uint64_t min_end = start + 20000000ull;
	for (;;) {
		mpdk_engine_poll(ctx->e);
		uint64_t now = perf_now_ns();
		perf_linger_tick(ctx, now);
		if (now >= end || (ctx->n_linger == 0 && now >= min_end))
			break;
	}
}

/* ------------------------------------------------------------------ tests */

struct perf_test *perf_test_new(struct perf_ctx *ctx, bool server, unsigned test_no)
{
	struct perf_test *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->ctx = ctx;
	t->o = ctx->o;
	t->server = server;
	t->test_no = test_no;
	t->expect = IPERF_EXPECT_STATE;
	t->t_created_ns = perf_now_ns();
	iperf_ctrl_rx_init(&t->rx);
	report_init(t);
	return t;
}

void perf_test_free(struct perf_test *t)
{
	if (t == NULL)
		return;
	iperf_ctrl_rx_free(&t->rx);
	iperf_results_clear(&t->peer);
	json_free(t->jtop);
	free(t->txq);
	free(t->st);
	free(t);
}

int perf_test_setup(struct perf_test *t, const struct iperf_params *p)
{
	t->params = *p;
	t->reverse = p->reverse;
	t->n_streams = (unsigned)p->parallel;
	t->duration = p->time > 0 ? (unsigned)p->time : 0;
	t->bytes_limit = p->num > 0 ? (uint64_t)p->num : 0;
	if (t->bytes_limit == 0 && p->blockcount > 0)
		t->bytes_limit = (uint64_t)p->blockcount * (uint64_t)(p->len > 0 ? p->len : IPERF_DEFAULT_BLKSIZE);
	/* Linux calls NewReno "reno" */
	if (strcmp(p->congestion, "reno") == 0)
		snprintf(t->cc, sizeof(t->cc), "newreno");
	else
		snprintf(t->cc, sizeof(t->cc), "%s", p->congestion);
	t->st = calloc(t->n_streams, sizeof(*t->st));
	if (t->st == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < t->n_streams; i++) {
		struct perf_stream *s = &t->st[i];
		s->t = t;
		s->id = iperf_stream_id(i);
		s->sender = t->server ? t->reverse : !t->reverse;
		s->min_rtt = UINT32_MAX;
	}
	return 0;
}

void perf_test_fail(struct perf_test *t, const char *fmt, ...)
{
	if (t->err[0] == '\0') {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(t->err, sizeof(t->err), fmt, ap);
		va_end(ap);
	}
	t->ok = false;
	t->done = true;
}

double perf_secs(const struct perf_test *t, uint64_t ns)
{
	return ns > t->t0_ns ? (double)(ns - t->t0_ns) / 1e9 : 0.0;
}

void perf_set_deadline(struct perf_test *t, const char *what)
{
	t->waiting_for = what;
	t->deadline_ns = what ? perf_now_ns() + (uint64_t)t->o->timeout_s * 1000000000ull : 0;
}

/* ------------------------------------------------------- control connection */

void perf_ctrl_flush(struct perf_test *t)
{
	t->ctrl_nobufs = false;
	while (t->txq_len > 0 && t->ctrl_open) {
		ssize_t n = mpdk_send(t->ctrl, t->txq, t->txq_len);
		if (n == -EAGAIN)
			return;
		if (n == -ENOBUFS) {
			t->ctrl_nobufs = true;
			return;
		}
		if (n < 0) {
			perf_test_fail(t, "control connection: send failed: %s", mpdk_strerror((int)n));
			return;
		}
		memmove(t->txq, t->txq + n, t->txq_len - (size_t)n);
		t->txq_len -= (size_t)n;
	}
}

int perf_ctrl_send(struct perf_test *t, const void *data, size_t len)
{
	if (!t->ctrl_open) {
		perf_test_fail(t, "control connection closed");
		return -ENOTCONN;
	}
	if (t->txq_len + len > t->txq_cap) {
		size_t cap = t->txq_cap ? t->txq_cap : 256;
		while (cap < t->txq_len + len)
			cap *= 2;
		uint8_t *q = realloc(t->txq, cap);
		if (q == NULL) {
			perf_test_fail(t, "out of memory");
			return -ENOMEM;
		}
		t->txq = q;
		t->txq_cap = cap;
	}
	memcpy(t->txq + t->txq_len, data, len);
	t->txq_len += len;
	perf_ctrl_flush(t);
	return t->done && !t->ok ? -EIO : 0;
}

int perf_ctrl_send_state(struct perf_test *t, int state)
{
	uint8_t b = (uint8_t)(int8_t)state;
	t->state = state;
	return perf_ctrl_send(t, &b, 1);
}

int perf_ctrl_send_json(struct perf_test *t, const char *text, size_t len)
{
	uint8_t hdr[4];
	iperf_json_header(hdr, (uint32_t)len);
	int rc = perf_ctrl_send(t, hdr, sizeof(hdr));
	if (rc == 0)
		rc = perf_ctrl_send(t, text, len);
	return rc;
}

bool perf_ctrl_read(struct perf_test *t)
{
	for (;;) {
		uint8_t *p = iperf_ctrl_rx_space(&t->rx, 4096);
		if (p == NULL) {
			perf_test_fail(t, "control connection: message too large (more than %u bytes)",
				       IPERF_JSON_MAX);
			return false;
		}
		ssize_t n = mpdk_recv(t->ctrl, p, 4096);
		if (n > 0) {
			iperf_ctrl_rx_commit(&t->rx, (size_t)n);
			continue;
		}
		if (n == -EAGAIN)
			return true;
		if (n == 0) {
			t->ctrl_eof = true;
			return false;
		}
		perf_test_fail(t, "control connection: receive failed: %s", mpdk_strerror((int)n));
		return false;
	}
}

/* ------------------------------------------------------------------ streams */

static void stream_snapshot(struct perf_stream *s)
{
	struct mpdk_conn_info ci;
	if (!s->open || mpdk_conn_info(s->c, &ci) < 0)
		return;
	s->info = ci;
	s->have_info = true;
	perf_mptcp_snapshot(s);
	if (ci.cwnd > s->max_cwnd)
		s->max_cwnd = ci.cwnd;
	if (ci.srtt_us > 0) {
		if (ci.srtt_us < s->min_rtt)
			s->min_rtt = ci.srtt_us;
		if (ci.srtt_us > s->max_rtt)
			s->max_rtt = ci.srtt_us;
		s->sum_rtt += ci.srtt_us;
		s->n_rtt++;
	}
}

void perf_stream_opened(struct perf_stream *s)
{
	struct mpdk_conn_info ci;
	struct perf_test *t = s->t;

	s->open = true;
	if (mpdk_conn_info(s->c, &ci) == 0) {
		s->laddr = ci.local_addr;
		s->raddr = ci.remote_addr;
		s->lport = ntohs(ci.local_port);
		s->rport = ntohs(ci.remote_port);
		s->info = ci;
		s->have_info = true;
	}
	if (t->cc[0] != '\0' && s->sender) {
		int rc = mpdk_conn_set_cc(s->c, t->cc);
		if (rc < 0 && t->o->congestion != NULL)
			report_note(t, "stream %d: congestion control '%s': %s", s->id, t->cc,
				    mpdk_strerror(rc));
	}
}

void perf_stream_pump_send(struct perf_stream *s)
{
	struct perf_test *t = s->t;
	struct perf_ctx *ctx = t->ctx;

	s->nobufs = false;
	s->blocked = false;
	if (!s->open || !s->sender || !t->running || t->done)
		return;
	for (;;) {
		uint64_t left = UINT64_MAX;
		if (t->bytes_limit != 0) {
			if (t->sent_total >= t->bytes_limit)
				return;
			left = t->bytes_limit - t->sent_total;
		}
		struct mpdk_conn_info ci;
		if (mpdk_conn_info(s->c, &ci) < 0)
			return;
		uint32_t space = ci.snd_queued < ctx->sndbuf ? ctx->sndbuf - ci.snd_queued : 0;
		uint32_t len = space < PERF_PAYLOAD_MAX ? space : PERF_PAYLOAD_MAX;
		if (len < PERF_MIN_CHUNK)
			len = PERF_MIN_CHUNK;
		if (len > left)
			len = (uint32_t)left;
		if (t->o->copy) {
			/* --copy: the stack copies from the payload buffer */
			ssize_t n = mpdk_send(s->c, ctx->pl.buf, len);
			if (n < 0) {
				if (n == -EAGAIN)
					s->blocked = true;
				else if (n == -ENOBUFS)
					s->nobufs = true;
				else
					perf_test_fail(t, "stream %d: send failed: %s", s->id,
						       mpdk_strerror((int)n));
				return;
			}
			s->bytes += (uint64_t)n;
			t->sent_total += (uint64_t)n;
			if ((uint32_t)n < len) {
				s->blocked = true;
				return;
			}
			continue;
		}
		struct rte_mbuf *m = perf_payload_get(&ctx->pl, len);
		if (m == NULL) {
			s->nobufs = true;
			return;
		}
		int rc = mpdk_send_mbuf(s->c, m);
		if (rc < 0) {
			rte_pktmbuf_free(m);
			if (rc == -EAGAIN) {
				s->blocked = true;
			} else if (rc == -ENOBUFS) {
				s->nobufs = true;
			} else {
				perf_test_fail(t, "stream %d: send failed: %s", s->id, mpdk_strerror(rc));
			}
			return;
		}
		s->bytes += len;
		t->sent_total += len;
	}
}

void perf_streams_pump(struct perf_test *t)
{
	for (unsigned i = 0; i < t->n_streams && !t->done; i++)
		if (t->st[i].sender && t->st[i].open)
			perf_stream_pump_send(&t->st[i]);
}

void perf_stream_pump_recv(struct perf_stream *s)
{
	struct perf_test *t = s->t;
	for (;;) {
		/* --copy: into this buffer (its content is not looked at) */
		static uint8_t sink[PERF_PAYLOAD_MAX];
		struct rte_mbuf *m = NULL;
		ssize_t n = t->o->copy ? mpdk_recv(s->c, sink, sizeof(sink)) : mpdk_recv_mbuf(s->c, &m);
		if (n > 0) {
			if (m != NULL)
				rte_pktmbuf_free(m);
			/* The receiver counts until its numbers are final: the
			 * server until TEST_END, the client until it sends its
			 * results (it drains what was in flight, as iperf3). */
			if (t->counting && !s->sender) {
				s->bytes += (uint64_t)n;
				t->recv_total += (uint64_t)n;
			}
			continue;
		}
		if (n == -EAGAIN || n == 0)
			return;  /* EOF: the stream handler's closed() follows our close */
		if (t->running)
			perf_test_fail(t, "stream %d: receive failed: %s", s->id, mpdk_strerror((int)n));
		return;
	}
}

static void stream_readable(void *arg, mpdk_conn_t c)
{
	struct perf_stream *s = arg;
	(void)c;
	perf_stream_pump_recv(s);
}

static void stream_writable(void *arg, mpdk_conn_t c)
{
	(void)c;
	perf_stream_pump_send(arg);
}

static void stream_connected(void *arg, mpdk_conn_t c)
{
	struct perf_stream *s = arg;
	(void)c;
	s->established = true;
	struct mpdk_conn_info ci;
	if (mpdk_conn_info(s->c, &ci) == 0) {
		s->laddr = ci.local_addr;
		s->lport = ntohs(ci.local_port);
		s->info = ci;
		s->have_info = true;
	}
}

static void stream_closed(void *arg, mpdk_conn_t c, int err)
{
	struct perf_stream *s = arg;
	struct perf_test *t = s->t;
	(void)c;

	perf_stream_pump_recv(s);   /* what is left in the buffer */
	stream_snapshot(s);
	s->open = false;
	s->closed = true;
	s->close_err = err;
	/* After TEST_END the peer may reset streams it stopped reading;
	 * before it, losing a stream ends the test. */
	if (!t->ended && !t->done) {
		if (err != 0)
			perf_test_fail(t, "stream %d: %s", s->id, mpdk_strerror(err));
		else if (t->running)
			perf_test_fail(t, "stream %d: closed by the peer during the test", s->id);
	}
}

const struct mpdk_tcp_handler perf_stream_handler = {
	.connected = stream_connected,
	.readable = stream_readable,
	.writable = stream_writable,
	.closed = stream_closed,
};

/* ------------------------------------------------------------------ timing */

static void cpu_now(struct rusage *ru)
{
	if (getrusage(RUSAGE_SELF, ru) < 0)
		memset(ru, 0, sizeof(*ru));
}

static double tv_secs(const struct timeval *a, const struct timeval *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_usec - a->tv_usec) / 1e6;
}

void perf_test_start_running(struct perf_test *t, uint64_t now)
{
	t->running = true;
	t->counting = true;
	t->t0_ns = now;
	t->iv_start_ns = now;
	t->next_iv_ns = now + (uint64_t)(t->o->interval * 1e9);
	t->last_progress_ns = now;
	cpu_now(&t->ru0);
	t->cpu_t0_ns = now;
	for (unsigned i = 0; i < t->n_streams; i++) {
		struct perf_stream *s = &t->st[i];
		stream_snapshot(s);
		s->retrans_base = s->have_info ? s->info.retransmits : 0;
		s->iv_retrans = 0;
		s->iv_bytes = s->bytes;
		perf_mptcp_interval_done(s);
	}
	perf_streams_pump(t);
}

void perf_test_stop_running(struct perf_test *t, uint64_t now)
{
	if (!t->running)
		return;
	/* what already arrived still counts */
	for (unsigned i = 0; i < t->n_streams; i++)
		if (t->st[i].open && !t->st[i].sender)
			perf_stream_pump_recv(&t->st[i]);
	t->running = false;
	t->ended = true;
	t->t_end_ns = now;
	if (t->server)
		t->counting = false;
	for (unsigned i = 0; i < t->n_streams; i++)
		stream_snapshot(&t->st[i]);
	struct rusage ru;
	cpu_now(&ru);
	double wall = (double)(now - t->cpu_t0_ns) / 1e9;
	if (wall > 0) {
		double user = tv_secs(&t->ru0.ru_utime, &ru.ru_utime);
		double sys = tv_secs(&t->ru0.ru_stime, &ru.ru_stime);
		t->cpu[1] = 100.0 * user / wall;
		t->cpu[2] = 100.0 * sys / wall;
		t->cpu[0] = t->cpu[1] + t->cpu[2];
	}
}

void perf_test_tick(struct perf_test *t, uint64_t now)
{
	if (t->ctrl_nobufs)
		perf_ctrl_flush(t);
	bool moved = false;
	for (unsigned i = 0; i < t->n_streams; i++) {
		struct perf_stream *s = &t->st[i];
		if (s->nobufs)
			perf_stream_pump_send(s);
		perf_mptcp_app_keys(s);
	}
	uint64_t total = t->sent_total + t->recv_total;
	if (total != t->last_total) {
		t->last_total = total;
		moved = true;
	}
	if (moved)
		t->last_progress_ns = now;
	if (t->running && t->o->interval > 0 && now >= t->next_iv_ns) {
		report_interval(t, t->iv_start_ns, now);
		t->iv_start_ns = now;
		t->next_iv_ns += (uint64_t)(t->o->interval * 1e9);
		if (t->next_iv_ns <= now)
			t->next_iv_ns = now + (uint64_t)(t->o->interval * 1e9);
	}
	if (t->done)
		return;
	if (t->deadline_ns != 0 && now > t->deadline_ns) {
		perf_test_fail(t, "timed out after %u s waiting for %s", t->o->timeout_s,
			       t->waiting_for ? t->waiting_for : "the peer");
		return;
	}
	if (t->running && now - t->last_progress_ns > (uint64_t)t->o->timeout_s * 1000000000ull)
		perf_test_fail(t, "no data moved for %u s", t->o->timeout_s);
}

void perf_stream_snapshot_all(struct perf_test *t)
{
	for (unsigned i = 0; i < t->n_streams; i++)
		stream_snapshot(&t->st[i]);
}

/* ------------------------------------------------------------------ results */

char *perf_results_encode(struct perf_test *t, size_t *len)
{
	struct iperf_results *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	bool sending = t->server ? t->reverse : !t->reverse;
	r->cpu_total = t->cpu[0];
	r->cpu_user = t->cpu[1];
	r->cpu_system = t->cpu[2];
	r->sender_has_retransmits = sending ? 1 : -1;
	double end = perf_secs(t, t->t_end_ns ? t->t_end_ns : perf_now_ns());
	for (unsigned i = 0; i < t->n_streams && i < IPERF_MAX_STREAMS; i++) {
		const struct perf_stream *s = &t->st[i];
		struct iperf_stream_result *o = &r->streams[r->n_streams++];
		o->id = s->id;
		o->bytes = (int64_t)s->bytes;
		o->retransmits = sending && s->have_info ? (int64_t)(s->info.retransmits - s->retrans_base) : -1;
		o->start_time = 0;
		o->end_time = end;
		o->has_times = true;
		if (r->congestion_used[0] == '\0' && s->have_info && s->info.cc != NULL)
			snprintf(r->congestion_used, sizeof(r->congestion_used), "%s", s->info.cc);
	}
	char *text = iperf_results_encode(r, len);
	free(r);
	return text;
}

/* ------------------------------------------------------------------ release */

void perf_test_release(struct perf_test *t, unsigned linger_ms)
{
	for (unsigned i = 0; i < t->n_streams; i++) {
		struct perf_stream *s = &t->st[i];
		if (s->open) {
			stream_snapshot(s);
			s->open = false;
			perf_linger(t->ctx, s->c, linger_ms);
		}
	}
	if (t->ctrl_open) {
		perf_ctrl_flush(t);
		t->ctrl_open = false;
		perf_linger(t->ctx, t->ctrl, linger_ms);
	}
}
