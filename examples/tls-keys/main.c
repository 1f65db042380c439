/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls-keys: TLS 1.3 over an mpdk MPTCP connection whose MPTCP keys come
 * from TLS (key mode "app", application-supplied keys; docs/security.md,
 * seeds tls-authentication-draft.txt and app-auth-handshake-slides.txt).
 *
 * Two mpdk stacks in one process, A (client) and B (server), joined by two
 * emulated links (simlink) on a real-time clock:
 *   path 1: A 10.1.0.1 <-> B 10.1.0.2     path 2: A 10.2.0.1 <-> B 10.2.0.2
 *
 *  1. A connects to B over path 1 in key mode app: MP_CAPABLE carries
 *     tokens only (flag G). The TLS 1.3 handshake (OpenSSL libssl over
 *     memory BIOs) runs over that first subflow. B's certificate is a
 *     self-signed P-256 one made at start-up (libcrypto, no files); A
 *     checks it.
 *  2. Each end exports 16 bytes (SSL_export_keying_material, label
 *     "EXPORTER-MPTCP", no context): Key-A = the 64 most significant bits,
 *     Key-B = the rest, and gives them to mpdk (mpdk_mptcp_set_keys).
 *  3. A has a `subflow` endpoint on path 2: it opens a join as soon as its
 *     own keys are set. B sets its keys --server-key-delay ms after its
 *     handshake finished, so that early join arrives before and B refuses
 *     it (counter mptcp_app_join_nokeys). With its keys set, B announces
 *     10.2.0.2 (ADD_ADDR, HMAC keyed with the TLS keys) and A joins it.
 *  4. A sends --bytes of seeded data through TLS; B decrypts and checks
 *     every byte; both subflows must have carried some of it.
 *
 * Exit status 0 = PASS. With --stats both stacks' counters are printed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "mpdk/mpdk.h"

#define MS 1000000ull
#define PORT 4433
#define CHUNK 16384
#define CERT_NAME "mpdk-tls-keys"

struct end {
	const char *name;
	mpdk_conn_t c;
	SSL *ssl;
	BIO *rbio, *wbio;          /* network -> TLS, TLS -> network */
	uint8_t out[65536];        /* TLS bytes mpdk has not taken yet */
	size_t out_n;
	bool hs_done, keys_set, closed;
	uint64_t hs_done_ns, keys_ns;
	uint8_t ekm[16];
};

struct opts {
	uint64_t bytes;
	unsigned server_key_delay_ms;
	unsigned timeout_ms;
	bool stats;
	bool no_early_join;
};

static struct mpdk_clock *g_clock;
static struct mpdk_engine *ea, *eb;
static struct end A = { .name = "A", .c = MPDK_CONN_INVALID };
static struct end B = { .name = "B", .c = MPDK_CONN_INVALID };
static mpdk_conn_t listener = MPDK_CONN_INVALID;

static uint64_t now_ns(void) { return mpdk_clock_now_ns(g_clock); }

static void on_accept(void *arg, mpdk_conn_t l)
{
	(void)arg;
	mpdk_conn_t c;
	if (B.c == MPDK_CONN_INVALID && mpdk_accept(l, &c) == 0)
		B.c = c;
}

static void on_closed(void *arg, mpdk_conn_t c, int err)
{
	struct end *x = arg;
	(void)c;
	(void)err;
	if (x != NULL)
		x->closed = true;
}

static const struct mpdk_tcp_handler srv_handler = { .accept_ready = on_accept, .closed = on_closed };
static const struct mpdk_tcp_handler conn_handler = { .closed = on_closed };

/* Move bytes between mpdk and the end's memory BIOs. */
static void pump(struct end *x)
{
	if (x->c == MPDK_CONN_INVALID)
		return;
	uint8_t buf[CHUNK];
	for (;;) {
		ssize_t r = mpdk_recv(x->c, buf, sizeof(buf));
		if (r <= 0)
			break;
		if (BIO_write(x->rbio, buf, (int)r) != (int)r) {
			fprintf(stderr, "tls-keys: BIO_write failed\n");
			exit(1);
		}
	}
	for (;;) {
		if (x->out_n == 0) {
			int n = BIO_read(x->wbio, x->out, (int)sizeof(x->out));
			if (n <= 0)
				break;
			x->out_n = (size_t)n;
		}
		ssize_t w = mpdk_send(x->c, x->out, x->out_n);
		if (w <= 0)
			break;
		memmove(x->out, x->out + w, x->out_n - (size_t)w);
		x->out_n -= (size_t)w;
	}
}

static void poll_all(void)
{
	mpdk_engine_poll(ea);
	mpdk_engine_poll(eb);
	pump(&A);
	pump(&B);
}

static bool step_handshake(struct end *x)
{
	if (x->hs_done || x->ssl == NULL)
		return x->hs_done;
	int rc = SSL_do_handshake(x->ssl);
	if (rc == 1) {
		x->hs_done = true;
		x->hs_done_ns = now_ns();
		return true;
	}
	int e = SSL_get_error(x->ssl, rc);
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
		fprintf(stderr, "tls-keys: %s: TLS handshake failed:\n", x->name);
		ERR_print_errors_fp(stderr);
		exit(1);
	}
	return false;
}

/* RFC 5705 / RFC 8446 §7.5 exporter, as tls-authentication-draft section
 * 2 asks: label "EXPORTER-MPTCP", length 16, no context; Key-A = the 64
 * most significant bits, Key-B = the 64 remaining ones. */
static int export_and_set(struct end *x)
{
	static const char label[] = "EXPORTER-MPTCP";
	if (SSL_export_keying_material(x->ssl, x->ekm, sizeof(x->ekm), label, sizeof(label) - 1,
				       NULL, 0, 0) != 1) {
		fprintf(stderr, "tls-keys: %s: SSL_export_keying_material failed\n", x->name);
		return -EIO;
	}
	uint64_t ka = 0, kb = 0;
	for (int i = 0; i < 8; i++) {
		ka = ka << 8 | x->ekm[i];
		kb = kb << 8 | x->ekm[8 + i];
	}
	int rc = mpdk_mptcp_set_keys(x->c, ka, kb);
	if (rc < 0) {
		fprintf(stderr, "tls-keys: %s: mpdk_mptcp_set_keys: %s\n", x->name, mpdk_strerror(rc));
		return rc;
	}
	x->keys_set = true;
	x->keys_ns = now_ns();
	return 0;
}

/* A self-signed P-256 certificate for B, made now (no files). */
static int make_cert(EVP_PKEY **pkey, X509 **cert)
{
	*pkey = EVP_EC_gen("P-256");
	*cert = X509_new();
	if (*pkey == NULL || *cert == NULL)
		return -1;
	X509_set_version(*cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(*cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(*cert), -60);
	X509_gmtime_adj(X509_getm_notAfter(*cert), 3600);
	X509_set_pubkey(*cert, *pkey);
	X509_NAME *n = X509_get_subject_name(*cert);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)CERT_NAME, -1, -1, 0);
	X509_set_issuer_name(*cert, n);
	return X509_sign(*cert, *pkey, EVP_sha256()) > 0 ? 0 : -1;
}

static int tls_setup(SSL_CTX **cctx, SSL_CTX **sctx)
{
	EVP_PKEY *pkey;
	X509 *cert;
	if (make_cert(&pkey, &cert) < 0)
		return -1;
	*sctx = SSL_CTX_new(TLS_server_method());
	*cctx = SSL_CTX_new(TLS_client_method());
	if (*sctx == NULL || *cctx == NULL)
		return -1;
	SSL_CTX_set_min_proto_version(*sctx, TLS1_3_VERSION);
	SSL_CTX_set_min_proto_version(*cctx, TLS1_3_VERSION);
	if (SSL_CTX_use_certificate(*sctx, cert) != 1 || SSL_CTX_use_PrivateKey(*sctx, pkey) != 1)
		return -1;
	/* A trusts exactly B's certificate and checks its name */
	if (X509_STORE_add_cert(SSL_CTX_get_cert_store(*cctx), cert) != 1)
		return -1;
	SSL_CTX_set_verify(*cctx, SSL_VERIFY_PEER, NULL);
	X509_free(cert);
	EVP_PKEY_free(pkey);
	return 0;
}

static int end_ssl(struct end *x, SSL_CTX *ctx, bool client)
{
	x->ssl = SSL_new(ctx);
	x->rbio = BIO_new(BIO_s_mem());
	x->wbio = BIO_new(BIO_s_mem());
	if (x->ssl == NULL || x->rbio == NULL || x->wbio == NULL)
		return -1;
	SSL_set_bio(x->ssl, x->rbio, x->wbio);
	if (client) {
		SSL_set_connect_state(x->ssl);
		if (SSL_set1_host(x->ssl, CERT_NAME) != 1)
			return -1;
	} else {
		SSL_set_accept_state(x->ssl);
	}
	return 0;
}

static void pattern(uint8_t *b, size_t n, uint64_t off)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t k = off + i;
		b[i] = (uint8_t)((k * 2654435761u) >> 13 ^ k >> 7);
	}
}

static uint64_t ctr(const struct mpdk_stack *s, const char *name)
{
	uint64_t v = 0;
	mpdk_stat_get(s, name, &v);
	return v;
}

/* The EAL's runtime directory of this run (its prefix is ours alone). */
static void remove_runtime_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	if (dp == NULL)
		return;
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(dp), de->d_name, 0);
	closedir(dp);
	rmdir(dir);
}

static void usage(const char *p)
{
	printf("usage: %s [--bytes N] [--server-key-delay MS] [--no-early-join] [--timeout MS] "
	       "[--stats]\n", p);
}

int main(int argc, char **argv)
{
	struct opts o = { .bytes = 4000000, .server_key_delay_ms = 200, .timeout_ms = 20000 };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--bytes") && i + 1 < argc)
			o.bytes = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--server-key-delay") && i + 1 < argc)
			o.server_key_delay_ms = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			o.timeout_ms = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--no-early-join"))
			o.no_early_join = true;
		else if (!strcmp(argv[i], "--stats"))
			o.stats = true;
		else {
			usage(argv[0]);
			return !strcmp(argv[i], "--help") ? 0 : 2;
		}
	}

	char prefix[64];
	snprintf(prefix, sizeof(prefix), "mpdk-tls-keys-%d", (int)getpid());
	char *eal[] = { argv[0], "--no-huge", "--no-pci", "-m", "256", "--file-prefix", prefix,
			"-l", "0", "--log-level", "lib.eal:warning", "--no-telemetry", NULL };
	if (mpdk_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		return 1;

	g_clock = mpdk_clock_create_tsc();
	struct rte_mempool *pool = rte_pktmbuf_pool_create("tls_keys_mbufs", 16383, 256, 0,
							   RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (g_clock == NULL || pool == NULL) {
		fprintf(stderr, "tls-keys: clock or mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	uint32_t ip_a[2], ip_b[2];
	struct mpdk_port *pa[2], *pb[2];
	static struct mpdk_tcp_conf ta, tb;
	mpdk_tcp_conf_defaults(&ta);
	mpdk_tcp_conf_defaults(&tb);
	ta.sndbuf = ta.rcvbuf = tb.sndbuf = tb.rcvbuf = 1 << 20;
	ta.mptcp.key_mode = tb.mptcp.key_mode = MPDK_KEY_APP;
	ta.mptcp.max_subflows = tb.mptcp.max_subflows = 4;
	struct mpdk_stack_conf ca = { .name = "A", .clock = g_clock, .pool = pool, .tcp = &ta };
	struct mpdk_stack_conf cb = { .name = "B", .clock = g_clock, .pool = pool, .tcp = &tb };
	for (unsigned k = 0; k < 2; k++) {
		ip_a[k] = htonl(0x0a000001u | (k + 1) << 16);
		ip_b[k] = htonl(0x0a000002u | (k + 1) << 16);
		/* both paths rate-limited, so the scheduler needs both */
		struct mpdk_simlink_dir d = { .delay_ns = (k ? 8 : 4) * MS, .rate_bps = 40000000 };
		struct mpdk_simlink_conf lc = { .a_to_b = d, .b_to_a = d, .seed = 7 + k,
						.clock = g_clock, .pool = pool,
						.name = k ? "path2" : "path1" };
		int rc = mpdk_simlink_create(&lc, &pa[k], &pb[k]);
		if (rc < 0) {
			fprintf(stderr, "tls-keys: simlink: %s\n", mpdk_strerror(rc));
			return 1;
		}
		ca.ports[k] = pa[k];
		cb.ports[k] = pb[k];
		ca.addrs[k] = (struct mpdk_addr_conf){ (uint16_t)k, ip_a[k], 24 };
		cb.addrs[k] = (struct mpdk_addr_conf){ (uint16_t)k, ip_b[k], 24 };
	}
	ca.n_ports = cb.n_ports = ca.n_addrs = cb.n_addrs = 2;
	/* B announces path 2 (ADD_ADDR) once its keys are set */
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip_b[1],
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	/* A joins from path 2 as soon as its own keys are set: early for B */
	if (!o.no_early_join) {
		ta.mptcp.n_endpoints = 1;
		ta.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip_a[1],
								       .flags = MPDK_MPTCP_EP_SUBFLOW };
	}
	struct mpdk_stack *sa, *sb;
	if (mpdk_stack_create(&ca, &sa) < 0 || mpdk_stack_create(&cb, &sb) < 0) {
		fprintf(stderr, "tls-keys: cannot create the stacks\n");
		return 1;
	}
	ea = mpdk_stack_engine(sa, 0);
	eb = mpdk_stack_engine(sb, 0);

	SSL_CTX *cctx, *sctx;
	if (tls_setup(&cctx, &sctx) < 0 || end_ssl(&A, cctx, true) < 0 || end_ssl(&B, sctx, false) < 0) {
		fprintf(stderr, "tls-keys: TLS set-up failed\n");
		ERR_print_errors_fp(stderr);
		return 1;
	}

	printf("tls-keys: TLS 1.3 over MPTCP with application-supplied keys (key mode app)\n"
	       "  path 1: A 10.1.0.1 <-> B 10.1.0.2, 4 ms one way; path 2: A 10.2.0.1 <-> B 10.2.0.2, 8 ms\n");
	int rc = mpdk_listen(eb, ip_b[0], htons(PORT), 4, &srv_handler, &B, &listener);
	if (rc == 0)
		rc = mpdk_connect(ea, ip_b[0], htons(PORT), ip_a[0], 0, &conn_handler, &A, &A.c);
	if (rc < 0) {
		fprintf(stderr, "tls-keys: listen/connect: %s\n", mpdk_strerror(rc));
		return 1;
	}
	uint64_t t0 = now_ns(), deadline = t0 + o.timeout_ms * MS;
	bool fail = false;
	char why[200] = "";

	/* 1-2: TLS handshake over the first subflow, then the keys */
	int early_rc = 1;
	while (!(A.keys_set && B.keys_set) && now_ns() < deadline && !A.closed && !B.closed) {
		poll_all();
		if (B.c != MPDK_CONN_INVALID && B.ssl != NULL && !B.hs_done)
			step_handshake(&B);
		step_handshake(&A);
		if (early_rc == 1 && !A.hs_done)
			early_rc = mpdk_mptcp_set_keys(A.c, 1, 2);   /* before TLS: refused */
		if (A.hs_done && !A.keys_set && export_and_set(&A) < 0)
			return 1;
		if (B.hs_done && !B.keys_set && now_ns() >= B.hs_done_ns + o.server_key_delay_ms * MS &&
		    export_and_set(&B) < 0)
			return 1;
	}
	if (!(A.keys_set && B.keys_set)) {
		fprintf(stderr, "tls-keys: FAIL: TLS handshake or keys did not complete\n");
		return 1;
	}
	printf("[1] TLS 1.3 handshake over the MP_CAPABLE subflow (tokens only on the wire): "
	       "A done at %.1f ms, B at %.1f ms (%s)\n", (A.hs_done_ns - t0) / 1e6,
	       (B.hs_done_ns - t0) / 1e6, SSL_get_cipher(A.ssl));
	printf("    set_keys before the handshake completed: %s\n",
	       early_rc == 1 ? "(not tried)" : mpdk_strerror(early_rc));
	printf("[2] exporter \"EXPORTER-MPTCP\", 16 bytes (Key-A || Key-B, not shown): A and B %s; "
	       "set at %.1f ms (A) and %.1f ms (B, %u ms after its handshake)\n",
	       memcmp(A.ekm, B.ekm, 16) ? "DIFFER" : "agree", (A.keys_ns - t0) / 1e6,
	       (B.keys_ns - t0) / 1e6, o.server_key_delay_ms);
	if (memcmp(A.ekm, B.ekm, 16) != 0) {
		fail = true;
		snprintf(why, sizeof(why), "the two exports differ");
	}

	/* 3: joins */
	struct mpdk_mptcp_subflow_info sfi[8];
	int nsf = 0;
	uint64_t tj = now_ns();
	while (now_ns() < deadline && now_ns() < tj + 5000 * MS) {
		poll_all();
		nsf = mpdk_mptcp_subflows(A.c, sfi, 8);
		int alive = 0;
		for (int k = 0; k < nsf && k < 8; k++)
			alive += !sfi[k].closed && sfi[k].state == MPDK_TCP_ESTABLISHED;
		if (alive >= 2)
			break;
	}
	printf("[3] B refused %" PRIu64 " join(s) that came before its keys (mptcp_app_join_nokeys); "
	       "then B announced 10.2.0.2 and A joined it: %d subflow(s) at %.1f ms\n",
	       ctr(sb, "mptcp_app_join_nokeys"), nsf, (now_ns() - t0) / 1e6);

	/* 4: data through TLS over both subflows */
	uint64_t sent = 0, got = 0, bad = 0, tx0 = now_ns();
	uint8_t buf[CHUNK], chk[CHUNK];
	while (got < o.bytes && now_ns() < deadline && !A.closed && !B.closed) {
		poll_all();
		while (sent < o.bytes && A.out_n == 0 && BIO_ctrl_pending(A.wbio) < 4 * CHUNK) {
			size_t n = o.bytes - sent < CHUNK ? (size_t)(o.bytes - sent) : CHUNK;
			pattern(buf, n, sent);
			int w = SSL_write(A.ssl, buf, (int)n);
			if (w <= 0)
				break;
			sent += (uint64_t)w;
			pump(&A);
		}
		for (;;) {
			int r = SSL_read(B.ssl, buf, sizeof(buf));
			if (r <= 0)
				break;
			pattern(chk, (size_t)r, got);
			if (memcmp(buf, chk, (size_t)r) != 0)
				bad++;
			got += (uint64_t)r;
		}
	}
	double secs = (now_ns() - tx0) / 1e9;
	nsf = mpdk_mptcp_subflows(A.c, sfi, 8);
	unsigned used = 0;
	printf("[4] A sent %" PRIu64 " bytes through TLS; B decrypted %" PRIu64 " and checked every "
	       "byte: %s (%.2f s)\n", sent, got, bad ? "MISMATCH" : "identical", secs);
	for (int k = 0; k < nsf && k < 8; k++) {
		char l[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &sfi[k].local_addr, l, sizeof(l));
		inet_ntop(AF_INET, &sfi[k].remote_addr, r, sizeof(r));
		printf("    subflow %s -> %s%s: %" PRIu64 " bytes acked%s\n", l, r,
		       sfi[k].initial ? " (initial)" : "", sfi[k].bytes_out,
		       sfi[k].closed ? " (closed)" : "");
		used += sfi[k].bytes_out > 0 && !sfi[k].closed;
	}

	printf("    joins B accepted with a valid HMAC-A: %" PRIu64 "; joins A accepted with a valid "
	       "HMAC-B: %" PRIu64 "\n", ctr(sb, "mptcp_join_ack_rx"), ctr(sa, "mptcp_join_synack_rx"));
	uint64_t bad_opts = ctr(sa, "mptcp_opt_bad") + ctr(sb, "mptcp_opt_bad");
	if (!fail && (ctr(sa, "mptcp_app_established") != 1 || ctr(sb, "mptcp_app_established") != 1))
		fail = true, snprintf(why, sizeof(why), "the connection did not use application keys");
	else if (!fail && early_rc != -ENOTCONN && early_rc != 1)
		fail = true, snprintf(why, sizeof(why), "set_keys before TLS returned %d", early_rc);
	else if (!fail && !o.no_early_join && ctr(sb, "mptcp_app_join_nokeys") < 1)
		fail = true, snprintf(why, sizeof(why), "no join was refused before B's keys");
	else if (!fail && ctr(sb, "mptcp_join_ack_rx") < 1)
		fail = true, snprintf(why, sizeof(why), "no join succeeded after the keys were set");
	else if (!fail && (got != o.bytes || bad))
		fail = true, snprintf(why, sizeof(why), "data: %" PRIu64 " of %" PRIu64 " bytes, %" PRIu64
				       " bad chunks", got, o.bytes, bad);
	else if (!fail && used < 2)
		fail = true, snprintf(why, sizeof(why), "data crossed %u subflow(s), not 2", used);
	else if (!fail && bad_opts)
		fail = true, snprintf(why, sizeof(why), "%" PRIu64 " malformed MPTCP options", bad_opts);
	if (o.stats) {
		printf("\nCounters of stack A:\n");
		mpdk_stats_print(sa, stdout, false);
		printf("\nCounters of stack B:\n");
		mpdk_stats_print(sb, stdout, false);
	}
	if (fail)
		printf("\nFAIL: %s\n", why);
	else
		printf("\nPASS: TLS keys became the MPTCP keys; a join before B's keys was refused, "
		       "joins after them succeeded, and the data arrived intact over both subflows\n");
	fflush(stdout);

	SSL_free(A.ssl);
	SSL_free(B.ssl);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	mpdk_stack_free(sa);
	mpdk_stack_free(sb);
	for (unsigned k = 0; k < 2; k++) {
		mpdk_port_close(pa[k]);
		mpdk_port_close(pb[k]);
	}
	rte_mempool_free(pool);
	mpdk_clock_free(g_clock);
	char rundir[PATH_MAX];
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(rundir);
	return fail ? 1 : 0;
}
