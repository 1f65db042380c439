/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crr_linux: the Linux side of the short-connection benchmark
 * (tests/bench/run.sh), the same exchange as `mpdk-perf --crr`: connect,
 * 64-byte request, 64-byte response, close (the client closes first), over
 * the kernel's TCP or MPTCP (IPPROTO_MPTCP) sockets.
 *
 *   crr_linux -s [-m] [-p PORT]                 server, until SIGINT/SIGTERM
 *   crr_linux -c HOST [-m] [-p PORT] [-t SECS]  client: one connection at a time
 *
 * The client prints one line like mpdk-perf's:
 *   crr role=client transactions=N seconds=S per_second=R mean_us=U failed=F mptcp=M
 * where mptcp counts connections that were MPTCP after connect()
 * (getsockopt SOL_MPTCP MPTCP_INFO succeeds only on an MPTCP connection
 * that did not fall back; without it, -m only says what was asked for).
 * Exit status 0 when at least one transaction completed, 1 otherwise, 2
 * for a bad command line.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif
#ifndef MPTCP_INFO
#define MPTCP_INFO 1
#endif

#define CRR_SIZE 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int xfer(int fd, char *buf, int len, int sending)
{
	int done = 0;
	while (done < len) {
		ssize_t n = sending ? send(fd, buf + done, (size_t)(len - done), MSG_NOSIGNAL)
				    : recv(fd, buf + done, (size_t)(len - done), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (int)n;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: crr_linux -s [-m] [-p PORT] | -c HOST [-m] [-p PORT] [-t SECS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	int server = 0, mptcp = 0, port = 5201, secs = 5, opt;
	const char *host = NULL;
	char buf[CRR_SIZE];

	while ((opt = getopt(argc, argv, "sc:mp:t:")) != -1) {
		switch (opt) {
		case 's': server = 1; break;
		case 'c': host = optarg; break;
		case 'm': mptcp = 1; break;
		case 'p': port = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		default: return usage();
		}
	}
	if (server == (host != NULL) || port < 1 || port > 65535 || secs < 1 || secs > 3600)
		return usage();
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int proto = mptcp ? IPPROTO_MPTCP : IPPROTO_TCP;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	memset(buf, 'r', sizeof(buf));

	if (server) {
		int l = socket(AF_INET, SOCK_STREAM, proto), one = 1;
		if (l < 0) {
			perror("crr_linux: socket");
			return 1;
		}
		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(l, 4096) < 0) {
			perror("crr_linux: bind/listen");
			return 1;
		}
		long done = 0, failed = 0;
		while (!stop) {
			int c = accept(l, NULL, NULL);
			if (c < 0)
				continue;
			setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			if (xfer(c, buf, CRR_SIZE, 0) == 0 && xfer(c, buf, CRR_SIZE, 1) == 0 &&
			    recv(c, buf, 1, 0) == 0)
				done++;
			else
				failed++;
			close(c);
		}
		printf("crr role=server transactions=%ld failed=%ld\n", done, failed);
		return 0;
	}

	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return usage();
	long done = 0, failed = 0, n_mptcp = 0;
	double t0 = now_s(), end = t0 + secs, t = t0, lat = 0;
	while (!stop && (t = now_s()) < end) {
		int one = 1;
		int c = socket(AF_INET, SOCK_STREAM, proto);
		if (c < 0) {
			perror("crr_linux: socket");
			return 1;
		}
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(c, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			failed++;
			close(c);
			if (failed > 1000 && done == 0)
				break;
			continue;
		}
		if (mptcp) {
			char info[256];
			socklen_t len = sizeof(info);
			if (getsockopt(c, SOL_MPTCP, MPTCP_INFO, info, &len) == 0)
				n_mptcp++;
		}
		if (xfer(c, buf, CRR_SIZE, 1) == 0 && xfer(c, buf, CRR_SIZE, 0) == 0) {
			done++;
			lat += now_s() - t;
		} else {
			failed++;
		}
		close(c);
	}
	double el = now_s() - t0;
	printf("crr role=client transactions=%ld seconds=%.3f per_second=%.0f mean_us=%.1f "
	       "failed=%ld mptcp=%ld parallel=1 size=%d\n",
	       done, el, done / el, done ? lat / done * 1e6 : 0, failed, n_mptcp, CRR_SIZE);
	return done > 0 ? 0 : 1;
}
