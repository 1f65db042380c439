/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpdk-echo's client (-c HOST): connects to HOST:PORT, sends -n BYTES of
 * seeded pseudo-random data and checks that every byte comes back in
 * order, or with --sink only sends them. At the end it reports the
 * connection and, for MPTCP, every subflow it used. Exit 0 only on
 * complete success.
 *
 * Engines (--engines N) and connections (-P M): connection i (seed S + i)
 * is opened on engine i % N, whose ephemeral port choice makes the
 * replies land on that engine; its joined subflows live there too (a
 * connection and its subflows share one home engine, docs/architecture.md
 * "Ownership"). The engines are spread over the EAL's lcores, engine k on
 * thread k % T with T = min(N, lcores): one lcore may poll several engines.
 * Each thread polls its engines and drives the connections that live on
 * them, until every connection of every thread is over (an engine that
 * receives for the others, as engine 0 does on a port without RSS, keeps
 * polling until the end).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include "mpdk/mpdk.h"
#include <openssl/evp.h>
#include "echo.h"


/* The byte stream of seed S: byte i is byte (i % 8) (little end first) of
 * splitmix64's output for counter i / 8. Random access, so the receiver can
 * check any offset without state. */
static inline uint64_t stream_word(uint64_t seed, uint64_t idx)
{
	uint64_t z = seed + (idx + 1) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void stream_fill(uint8_t *buf, uint64_t off, size_t len, uint64_t seed)
{
	size_t i = 0;
	while (i < len) {
		uint64_t w = stream_word(seed, (off + i) / 8);
		unsigned b = (unsigned)((off + i) % 8);
		for (; b < 8 && i < len; b++, i++)
			buf[i] = (uint8_t)(w >> (8 * b));
	}
}

#define CLIENT_BUF 65536
#define CLIENT_MAX_SUBFLOWS 8

/* Why the client stopped, when not with success. */
enum client_fail {
	CF_NONE = 0,
	CF_CLOSED,     /* the engine ended the connection with an error */
	CF_CALL,       /* a send/receive/shutdown call failed */
	CF_MISMATCH,   /* the echo differs from what was sent */
	CF_TOO_LONG,   /* more bytes came back than were sent */
	CF_TIMEOUT,
	CF_SIGNAL,
	CF_CONNECT,    /* mpdk_connect() refused */
};

struct client {
	mpdk_conn_t c;
	unsigned idx;            /* 0 .. -P - 1 */
	unsigned engine;         /* index of the engine it was opened on */
	struct mpdk_engine *e;
	bool counted;            /* its end was counted in clients_done */
	uint64_t n, seed;
	bool sink;
	uint64_t sent, rcvd, unexpected;
	uint8_t txbuf[CLIENT_BUF], rxbuf[CLIENT_BUF], want[CLIENT_BUF];
	uint32_t tx_off, tx_len;
	bool connected, fin_sent, eof, done, nobufs;
	enum client_fail why;
	int err;                 /* closed() error, or the failed call's */
	const char *call;        /* name of the failed call */
	uint64_t mismatch_at;
	uint8_t got_byte, want_byte;
	uint64_t t_start, t_connected, t_end;
	struct mpdk_conn_info info;
	bool have_info;
	struct mpdk_mptcp_key_info ki;   /* the keying it ended up with */
	bool have_ki;
	const struct echo_opts *o;
	int keys;                /* --app-keys: 1 set, 0 not (yet), < 0 refused */
	/* the subflows at the end (MPTCP; a plain TCP connection reports its
	 * one connection) */
	struct mpdk_mptcp_subflow_info sfs[CLIENT_MAX_SUBFLOWS];
	int n_sfs, n_sfs_total;
	EVP_MD_CTX *sha;         /* of the bytes the send buffer accepted */
};

/* Stop with @p why; reset the connection unless the engine already ended it. */
static void client_stop(struct client *cl, enum client_fail why, int err, bool from_closed)
{
	if (cl->done)
		return;
	cl->why = why;
	cl->err = err;
	cl->done = true;
	cl->t_end = mono_ns();
	if (mpdk_conn_info(cl->c, &cl->info) == 0)
		cl->have_info = true;
	if (mpdk_mptcp_key_info(cl->c, &cl->ki) == 0)
		cl->have_ki = true;
	int n = mpdk_mptcp_subflows(cl->c, cl->sfs, CLIENT_MAX_SUBFLOWS);
	if (n > 0) {
		cl->n_sfs_total = n;
		cl->n_sfs = n < CLIENT_MAX_SUBFLOWS ? n : CLIENT_MAX_SUBFLOWS;
	}
	if (!from_closed) {
		if (cl->have_info && cl->info.state == MPDK_TCP_CLOSED)
			mpdk_close(cl->c);
		else
			mpdk_abort(cl->c);
	}
}

static void client_call_failed(struct client *cl, const char *call, int err)
{
	cl->call = call;
	client_stop(cl, CF_CALL, err, false);
}

static void client_send(struct client *cl)
{
	cl->nobufs = false;
	while (!cl->done && cl->sent < cl->n) {
		if (cl->tx_off == cl->tx_len) {
			uint64_t left = cl->n - cl->sent;
			cl->tx_len = left < CLIENT_BUF ? (uint32_t)left : CLIENT_BUF;
			cl->tx_off = 0;
			stream_fill(cl->txbuf, cl->sent, cl->tx_len, cl->seed);
		}
		ssize_t k = mpdk_send(cl->c, cl->txbuf + cl->tx_off, cl->tx_len - cl->tx_off);
		if (k == -EAGAIN)
			return;  /* the writable event follows */
		if (k == -ENOBUFS) {
			cl->nobufs = true; /* no event follows: the main loop retries */
			return;
		}
		if (k < 0) {
			client_call_failed(cl, "mpdk_send", (int)k);
			return;
		}
		EVP_DigestUpdate(cl->sha, cl->txbuf + cl->tx_off, (size_t)k);
		cl->tx_off += (uint32_t)k;
		cl->sent += (uint64_t)k;
	}
	if (!cl->done && cl->sent == cl->n && !cl->fin_sent) {
		/* All queued: FIN after it. An echo server answers with the
		 * rest of the echo and its own FIN. */
		int rc = mpdk_shutdown(cl->c, MPDK_SHUT_WR);
		if (rc == 0)
			cl->fin_sent = true;
		else if (rc != -ENOTCONN) /* not connected yet: again on connected() */
			client_call_failed(cl, "mpdk_shutdown", rc);
	}
}

static void client_read(struct client *cl)
{
	while (!cl->done && !cl->eof) {
		ssize_t k = mpdk_recv(cl->c, cl->rxbuf, sizeof(cl->rxbuf));
		if (k == -EAGAIN)
			return;
		if (k == 0) {
			cl->eof = true;
			return;
		}
		if (k < 0) {
			client_call_failed(cl, "mpdk_recv", (int)k);
			return;
		}
		if (cl->sink) {
			cl->unexpected += (uint64_t)k;
			continue;
		}
		if (cl->rcvd + (uint64_t)k > cl->sent) {
			cl->rcvd += (uint64_t)k;
			client_stop(cl, CF_TOO_LONG, 0, false);
			return;
		}
		stream_fill(cl->want, cl->rcvd, (size_t)k, cl->seed);
		if (memcmp(cl->rxbuf, cl->want, (size_t)k) != 0) {
			size_t i = 0;
			while (cl->rxbuf[i] == cl->want[i])
				i++;
			cl->mismatch_at = cl->rcvd + i;
			cl->got_byte = cl->rxbuf[i];
			cl->want_byte = cl->want[i];
			cl->rcvd += i; /* the bytes that matched */
			client_stop(cl, CF_MISMATCH, 0, false);
			return;
		}
		cl->rcvd += (uint64_t)k;
	}
}

static void client_connected(void *arg, mpdk_conn_t c)
{
	struct client *cl = arg;
	(void)c;
	cl->connected = true;
	cl->t_connected = mono_ns();
	if (cl->o->have_keys && cl->keys == 0)
		cl->keys = echo_set_keys(cl->c, cl->o);
	client_send(cl);
}

static void client_readable(void *arg, mpdk_conn_t c)
{
	(void)c;
	client_read(arg);
}

static void client_writable(void *arg, mpdk_conn_t c)
{
	(void)c;
	client_send(arg);
}

/* The end: 0 when both FINs were exchanged and acknowledged. */
static void client_closed(void *arg, mpdk_conn_t c, int err)
{
	struct client *cl = arg;
	(void)c;
	client_read(cl); /* what is left in the receive buffer */
	client_stop(cl, err ? CF_CLOSED : CF_NONE, err, true);
}

static const struct mpdk_tcp_handler client_handler = {
	.connected = client_connected,
	.readable = client_readable,
	.writable = client_writable,
	.closed = client_closed,
};

/* The verdict line, after "mpdk-echo: " and @p label; @return the exit
 * status. */
static int client_verdict(const struct client *cl, const struct echo_opts *o, const char *label)
{
	const char *what = cl->sink ? "sent" : "echoed";
	printf("mpdk-echo: %s", label);
	switch (cl->why) {
	case CF_CONNECT:
		printf("FAIL: cannot connect to %s port %lu: %s\n", o->host, o->tcp_port,
		       mpdk_strerror(cl->err));
		return 1;
	case CF_MISMATCH:
		printf("FAIL: echo differs at byte %" PRIu64 ": got 0x%02x, want 0x%02x\n",
		       cl->mismatch_at, cl->got_byte, cl->want_byte);
		return 1;
	case CF_TOO_LONG:
		printf("FAIL: %" PRIu64 " bytes came back, more than the %" PRIu64
		       " sent\n", cl->rcvd, cl->sent);
		return 1;
	case CF_TIMEOUT:
		printf("FAIL: timed out after %lu s (%s)\n", o->timeout_s,
		       cl->have_info ? mpdk_tcp_state_name(cl->info.state) : "?");
		return 1;
	case CF_SIGNAL:
		printf("FAIL: %s\n", strsignal(stop_signal));
		return 1;
	case CF_CALL:
		printf("FAIL: %s: %s\n", cl->call, mpdk_strerror(cl->err));
		return 1;
	case CF_CLOSED:
		printf("FAIL: connection %s: %s\n",
		       cl->connected ? "ended" : "not established", mpdk_strerror(cl->err));
		return 1;
	case CF_NONE:
		break;
	}
	if (cl->sent != cl->n) {
		printf("FAIL: only %" PRIu64 " of %" PRIu64 " bytes sent\n", cl->sent,
		       cl->n);
		return 1;
	}
	if (!cl->sink && (cl->rcvd != cl->n || !cl->eof)) {
		printf("FAIL: %" PRIu64 " of %" PRIu64 " bytes came back\n", cl->rcvd,
		       cl->n);
		return 1;
	}
	printf("OK: %" PRIu64 " bytes %s%s, connection closed cleanly\n", cl->n, what,
	       cl->sink ? " and acknowledged" : " back identical");
	return 0;
}

/* The connection's paths: "mptcp: ..." then one line per subflow used
 * (addresses, address ids, bytes each way, smoothed RTT, retransmits). */
static void print_subflows(const struct client *cl)
{
	char la[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN];
	if (!cl->have_info || cl->n_sfs == 0)
		return;
	if (cl->info.mptcp)
		printf("mpdk-echo: mptcp: yes, DSS checksum %s, %d subflow(s) used\n",
		       cl->info.mptcp_checksum ? "on" : "off", cl->n_sfs_total);
	else if (cl->info.mptcp_fallback)
		printf("mpdk-echo: mptcp: fell back to TCP (RFC 8684 3.7), %d subflow(s) used\n",
		       cl->n_sfs_total);
	else
		printf("mpdk-echo: mptcp: no (plain TCP)\n");
	if (cl->have_ki && cl->info.mptcp) {
		/* docs/security.md: the key mode in use, its curve and variant */
		const struct mpdk_mptcp_key_info *k = &cl->ki;
		if (k->ec)
			printf("mpdk-echo: keys: %s, curve %s, %s, K %s\n", mpdk_key_mode_name(k->mode),
			       k->ec_curve_name, mpdk_ec_variant_name(k->ec_variant),
			       k->k_ready ? "ready" : "not computed");
		else if (k->mode == MPDK_KEY_APP)
			printf("mpdk-echo: keys: app, %s\n",
			       cl->keys > 0 ? "set (--app-keys)"
			       : !cl->o->have_keys ? "not set (no --app-keys): joins refused"
			       : cl->keys == 0 ? "not set (MPTCP handshake unfinished): joins refused"
					       : mpdk_strerror(cl->keys));
		else
			printf("mpdk-echo: keys: %s%s%s%s\n", mpdk_key_mode_name(k->mode),
			       k->fell_back ? " (fell back from " : "",
			       k->fell_back ? mpdk_key_mode_name(k->conf_mode) : "",
			       k->fell_back ? (k->peer_cached ? ", peer remembered)" : ")") : "");
	} else if (cl->have_ki && cl->ki.conf_mode == MPDK_KEY_APP) {
		printf("mpdk-echo: keys: none (plain TCP: the peer did not take flag G), app "
		       "configured, %s\n", cl->o->have_keys ? "--app-keys unused" : "no --app-keys");
	}
	for (int i = 0; i < cl->n_sfs; i++) {
		const struct mpdk_mptcp_subflow_info *f = &cl->sfs[i];
		inet_ntop(AF_INET, &f->local_addr, la, sizeof(la));
		inet_ntop(AF_INET, &f->remote_addr, ra, sizeof(ra));
		/* every subflow runs on the connection's home engine */
		printf("mpdk-echo: subflow %d: %s:%u -> %s:%u ids %u/%u, engine %u, bytes out %" PRIu64
		       " in %" PRIu64 ", srtt %.3f ms, retransmits %" PRIu64 "%s%s%s\n",
		       i + 1, la, ntohs(f->local_port), ra, ntohs(f->remote_port), f->local_id,
		       f->remote_id, cl->engine, f->bytes_out, f->bytes_in, f->srtt_us / 1000.0, f->retransmits,
		       f->initial ? ", initial" : "", f->backup ? ", backup" : "",
		       f->closed ? ", closed before the end" : "");
	}
}

/* The connections of all threads, and how many of them are over. */
static struct client *clients[ECHO_MAX_PARALLEL];
static unsigned n_clients;
static unsigned clients_done;   /* atomic */

/* One thread: the engines it polls and the connections on them. */
struct client_thread {
	struct mpdk_engine *eng[MPDK_MAX_ENGINES];
	unsigned n_eng;
	bool removed[MPDK_MAX_ENGINES];   /* --remove-addr-after, per engine */
	struct client *cls[ECHO_MAX_PARALLEL];
	unsigned n_cls;
	const struct echo_opts *o;
	uint64_t deadline;
};

static void client_count_end(struct client *cl)
{
	if (cl->done && !cl->counted) {
		cl->counted = true;
		__atomic_fetch_add(&clients_done, 1, __ATOMIC_RELEASE);
	}
}

static void client_open(struct client *cl)
{
	const struct echo_opts *o = cl->o;
	cl->t_start = mono_ns();
	int rc = mpdk_connect(cl->e, o->host_addr, htons((uint16_t)o->tcp_port), 0, 0,
			      &client_handler, cl, &cl->c);
	if (rc < 0) {
		cl->why = CF_CONNECT;
		cl->err = rc;
		cl->done = true;
		cl->t_end = mono_ns();
		return;
	}
	mpdk_conn_set_nodelay(cl->c, true);
}

static int client_thread_run(void *arg)
{
	struct client_thread *t = arg;
	const struct echo_opts *o = t->o;

	for (unsigned i = 0; i < t->n_cls; i++) {
		client_open(t->cls[i]);
		client_count_end(t->cls[i]);
	}
	while (__atomic_load_n(&clients_done, __ATOMIC_ACQUIRE) < n_clients) {
		uint64_t sent[MPDK_MAX_ENGINES] = { 0 };
		for (unsigned k = 0; k < t->n_eng; k++)
			mpdk_engine_poll(t->eng[k]);
		uint64_t now = mono_ns();
		for (unsigned i = 0; i < t->n_cls; i++) {
			struct client *cl = t->cls[i];
			if (!cl->done) {
				if (cl->nobufs)
					client_send(cl);
				if (o->have_keys && cl->connected && cl->keys == 0 && !cl->done)
					cl->keys = echo_set_keys(cl->c, o);
				if (stop)
					client_stop(cl, CF_SIGNAL, -EINTR, false);
				else if (now > t->deadline)
					client_stop(cl, CF_TIMEOUT, -ETIMEDOUT, false);
			}
			client_count_end(cl);
			for (unsigned k = 0; k < t->n_eng; k++)
				if (t->eng[k] == cl->e)
					sent[k] += cl->sent;
		}
		for (unsigned k = 0; k < t->n_eng; k++)
			echo_maybe_remove_addr(t->eng[k], o, sent[k], &t->removed[k]);
	}
	/* Let the last ACK (of the server's FIN), or our RST, leave. */
	for (uint64_t end = mono_ns() + 50000000ull; mono_ns() < end;)
		for (unsigned k = 0; k < t->n_eng; k++)
			mpdk_engine_poll(t->eng[k]);
	return 0;
}

/* One connection's report: the totals line, its paths, the digest. */
static void client_report(struct client *cl, bool several)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	EVP_DigestFinal_ex(cl->sha, digest, &dlen);
	for (unsigned i = 0; i < dlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	hex[2 * dlen] = '\0';

	if (several)
		printf("mpdk-echo: connection %u (engine %u, seed %" PRIu64 "): ", cl->idx + 1,
		       cl->engine, cl->seed);
	else
		printf("mpdk-echo: ");
	printf("sent %" PRIu64 " of %" PRIu64 " bytes", cl->sent, cl->n);
	if (!cl->sink)
		printf(", received %" PRIu64 " back", cl->rcvd);
	printf(" in %.3f s", (double)(cl->t_end - cl->t_start) / 1e9);
	if (cl->connected) {
		/* from the handshake's end to the last FIN's ACK */
		double s = (double)(cl->t_end - cl->t_connected) / 1e9;
		if (s > 0)
			printf(" (%.1f Mbit/s)", (double)cl->sent * 8 / s / 1e6);
		if (cl->have_info)
			printf("; retransmits %" PRIu64 ", srtt %.3f ms, cwnd %u, mss %u, sack %s, "
			       "timestamps %s, wscale %s",
			       cl->info.retransmits, cl->info.srtt_us / 1000.0, cl->info.cwnd,
			       cl->info.mss, cl->info.sack ? "on" : "off",
			       cl->info.timestamps ? "on" : "off", cl->info.wscale ? "on" : "off");
	}
	printf("\n");
	print_subflows(cl);
	printf("mpdk-echo: sha256 of the bytes sent: %s\n", hex);
	if (cl->unexpected)
		printf("mpdk-echo: the server sent %" PRIu64 " bytes (ignored)\n", cl->unexpected);
}

static void clients_free(void)
{
	for (unsigned i = 0; i < n_clients; i++) {
		if (clients[i] != NULL)
			EVP_MD_CTX_free(clients[i]->sha);
		free(clients[i]);
		clients[i] = NULL;
	}
	n_clients = 0;
}

int run_client(struct mpdk_engine *e, const struct echo_opts *o)
{
	static struct client_thread threads[MPDK_MAX_ENGINES];
	struct mpdk_stack *st = mpdk_engine_stack(e);
	unsigned n_eng = st != NULL ? mpdk_stack_n_engines(st) : 1;
	unsigned lcores[MPDK_MAX_ENGINES], n_thr = 1, lc;
	unsigned n_par = o->parallel != 0 ? (unsigned)o->parallel : 1;

	/* thread 0 is the main lcore, thread k the k-th worker */
	RTE_LCORE_FOREACH_WORKER(lc) {
		if (n_thr < n_eng)
			lcores[n_thr++] = lc;
	}
	memset(threads, 0, sizeof(threads));
	for (unsigned k = 0; k < n_eng; k++) {
		struct client_thread *t = &threads[k % n_thr];
		t->eng[t->n_eng++] = n_eng > 1 ? mpdk_stack_engine(st, k) : e;
	}
	uint64_t t0 = mono_ns();
	n_clients = n_par;
	clients_done = 0;
	for (unsigned i = 0; i < n_par; i++) {
		struct client *cl = calloc(1, sizeof(*cl));
		clients[i] = cl;
		if (cl == NULL || (cl->sha = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(cl->sha, EVP_sha256(), NULL) != 1) {
			fprintf(stderr, "mpdk-echo: out of memory\n");
			clients_free();
			return 1;
		}
		cl->idx = i;
		cl->engine = i % n_eng;
		cl->e = n_eng > 1 ? mpdk_stack_engine(st, cl->engine) : e;
		cl->n = o->bytes;
		cl->o = o;
		cl->seed = o->seed + i;
		cl->sink = o->sink;
		struct client_thread *t = &threads[cl->engine % n_thr];
		t->cls[t->n_cls++] = cl;
	}
	for (unsigned k = 0; k < n_thr; k++) {
		threads[k].o = o;
		threads[k].deadline = t0 + (uint64_t)o->timeout_s * 1000000000ull;
	}
	unsigned launched = 1;
	for (; launched < n_thr; launched++)
		if (rte_eal_remote_launch(client_thread_run, &threads[launched], lcores[launched]) != 0) {
			fprintf(stderr, "mpdk-echo: lcore %u is busy\n", lcores[launched]);
			stop = true;
			/* the connections of the threads not started are over
			 * before they began, so the others do not wait for them */
			for (unsigned k = launched; k < n_thr; k++)
				for (unsigned i = 0; i < threads[k].n_cls; i++) {
					threads[k].cls[i]->done = true;
					client_count_end(threads[k].cls[i]);
				}
			break;
		}
	client_thread_run(&threads[0]);
	rte_eal_mp_wait_lcore();
	if (launched < n_thr) {
		/* engines nobody polled: their connections never got going */
		clients_free();
		return 1;
	}

	int status = 0;
	unsigned ok = 0;
	if (n_par == 1) {
		struct client *cl = clients[0];
		if (cl->why != CF_CONNECT)
			client_report(cl, false);
		status = client_verdict(cl, o, "");
	} else {
		char label[32];
		for (unsigned i = 0; i < n_par; i++) {
			client_report(clients[i], true);
			snprintf(label, sizeof(label), "connection %u: ", i + 1);
			if (client_verdict(clients[i], o, label) == 0)
				ok++;
		}
		if (ok == n_par)
			printf("mpdk-echo: OK: all %u connections, %lu bytes each, %s on %u engine(s)\n",
			       n_par, o->bytes, o->sink ? "sent" : "echoed back identical",
			       n_par < n_eng ? n_par : n_eng);
		else
			printf("mpdk-echo: FAIL: %u of %u connections failed\n", n_par - ok, n_par);
		status = ok == n_par ? 0 : 1;
	}
	fflush(stdout);
	clients_free();
	return status;
}
