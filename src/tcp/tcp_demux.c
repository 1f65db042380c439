/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-engine demux: an rte_hash from the 4-tuple to the connection, a
 * second one from (local address, local port) to the listener (address 0 =
 * every address), and ephemeral port selection (RFC 6056 algorithm 3:
 * a keyed-hash start, then linear search for an unused 4-tuple; with
 * several engines, only among ports whose replies the port's RSS sends
 * to this engine).
 * The tables belong to one engine: created without reader/writer
 * concurrency flags, touched only by the engine's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_byteorder.h>
#include "tcp/tcb.h"
#include "core/log.h"
#include "core/redirect.h"
#include "net/ipv4.h"

struct conn_key {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
} __rte_packed;

struct lst_key {
	uint32_t laddr;
	uint16_t lport;
	uint16_t pad;
} __rte_packed;

int tcp_demux_init(struct tcp_engine *te)
{
	char name[RTE_HASH_NAMESIZE];
	static unsigned seq;
	unsigned id = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);

	snprintf(name, sizeof(name), "tcpc%u", id);
	struct rte_hash_parameters p = {
		.name = name,
		.entries = te->n_tcbs < 8 ? 8 : te->n_tcbs,
		.key_len = sizeof(struct conn_key),
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
	};
	te->conn_hash = rte_hash_create(&p);
	if (te->conn_hash == NULL) {
		MPDK_LOG(ERR, "tcp: cannot create connection table of %u entries", p.entries);
		return -ENOMEM;
	}
	snprintf(name, sizeof(name), "tcpl%u", id);
	p.name = name;
	p.entries = 1024;
	p.key_len = sizeof(struct lst_key);
	te->lst_hash = rte_hash_create(&p);
	if (te->lst_hash == NULL) {
		rte_hash_free(te->conn_hash);
		te->conn_hash = NULL;
		return -ENOMEM;
	}
	return 0;
}

void tcp_demux_fini(struct tcp_engine *te)
{
	rte_hash_free(te->conn_hash);
	rte_hash_free(te->lst_hash);
	te->conn_hash = te->lst_hash = NULL;
}

static inline void conn_key_make(struct conn_key *k, uint32_t laddr, uint16_t lport,
				 uint32_t raddr, uint16_t rport)
{
	k->laddr = laddr;
	k->raddr = raddr;
	k->lport = lport;
	k->rport = rport;
}

struct tcb *tcp_demux_lookup(struct tcp_engine *te, uint32_t laddr, uint16_t lport,
			     uint32_t raddr, uint16_t rport)
{
	struct conn_key k;
	void *data;
	conn_key_make(&k, laddr, lport, raddr, rport);
	if (rte_hash_lookup_data(te->conn_hash, &k, &data) < 0)
		return NULL;
	return data;
}

int tcp_demux_insert(struct tcb *t)
{
	struct conn_key k;
	conn_key_make(&k, t->laddr, t->lport, t->raddr, t->rport);
	if (rte_hash_lookup(t->te->conn_hash, &k) >= 0)
		return -EADDRINUSE;
	int rc = rte_hash_add_key_data(t->te->conn_hash, &k, t);
	if (rc < 0)
		return -ENOMEM;
	t->flags |= TF_IN_HASH;
	return 0;
}

void tcp_demux_remove(struct tcb *t)
{
	if (!(t->flags & TF_IN_HASH))
		return;
	struct conn_key k;
	conn_key_make(&k, t->laddr, t->lport, t->raddr, t->rport);
	rte_hash_del_key(t->te->conn_hash, &k);
	t->flags &= ~TF_IN_HASH;
}

struct tcb *tcp_listener_lookup(struct tcp_engine *te, uint32_t laddr, uint16_t lport)
{
	struct lst_key k = { .laddr = laddr, .lport = lport };
	void *data;
	if (rte_hash_lookup_data(te->lst_hash, &k, &data) >= 0)
		return data;
	k.laddr = 0;
	if (rte_hash_lookup_data(te->lst_hash, &k, &data) >= 0)
		return data;
	return NULL;
}

int tcp_listener_insert(struct tcb *l)
{
	struct lst_key k = { .laddr = l->laddr, .lport = l->lport };
	if (rte_hash_lookup(l->te->lst_hash, &k) >= 0)
		return -EADDRINUSE;
	if (rte_hash_add_key_data(l->te->lst_hash, &k, l) < 0)
		return -ENOMEM;
	l->flags |= TF_IN_HASH;
	return 0;
}

void tcp_listener_remove(struct tcb *l)
{
	if (!(l->flags & TF_IN_HASH))
		return;
	struct lst_key k = { .laddr = l->laddr, .lport = l->lport };
	rte_hash_del_key(l->te->lst_hash, &k);
	l->flags &= ~TF_IN_HASH;
}

static bool port_is_listened(struct tcp_engine *te, uint32_t laddr, uint16_t port)
{
	struct lst_key k = { .laddr = laddr, .lport = port };
	if (rte_hash_lookup(te->lst_hash, &k) >= 0)
		return true;
	k.laddr = 0;
	return rte_hash_lookup(te->lst_hash, &k) >= 0;
}

uint16_t tcp_ephemeral_port(struct tcp_engine *te, uint32_t laddr, uint32_t raddr,
			    uint16_t rport)
{
	uint32_t lo = te->conf.ephemeral_lo, hi = te->conf.ephemeral_hi;
	uint32_t n = hi - lo + 1;
	/* RFC 6056 §3.3.3: F(addresses, secret) + a per-engine counter so
	 * successive connections to one peer take successive ports. */
	uint32_t off = tcp_port_offset(te, laddr, raddr, rport) + te->rand_state++;
	/* Several engines: only ports whose replies land on this engine
	 * (design.md: active opens pick source ports whose RSS hash lands on
	 * the home core), about one in n_engines. */
	const struct mpdk_stack *s = te->e->stack;
	uint16_t ifc = 0;
	bool steer = s->n_engines > 1 && ipv4_is_local(te->e, laddr, &ifc);
	for (uint32_t i = 0; i < n; i++) {
		uint16_t port = rte_cpu_to_be_16((uint16_t)(lo + (off + i) % n));
		if (steer && redirect_owner(s, ifc, laddr, port, raddr, rport) != te->e->id)
			continue;
		if (port_is_listened(te, laddr, port))
			continue;
		if (tcp_demux_lookup(te, laddr, port, raddr, rport) == NULL)
			return port;
	}
	return 0;
}
