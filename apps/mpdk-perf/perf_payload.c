/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The zero-copy send path: one buffer of random bytes, filled once, and a
 * pool of data-less mbufs that are attached to it as external buffers. A
 * send costs one mbuf allocation and an attach, whatever its size (up to
 * PERF_PAYLOAD_MAX bytes); the stack frees the mbuf when the peer has
 * acknowledged the bytes, which drops the buffer's reference count again.
 * The buffer keeps one reference of its own, so it is never "freed" by the
 * last mbuf; it is released by perf_payload_fini() after the stack.
 */
#include <errno.h>
#include <string.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>
#include "perf.h"

static void payload_unused_free(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
}

int perf_payload_init(struct perf_payload *p, unsigned n_mbufs)
{
	struct rte_mbuf_ext_shared_info *sh;
	int socket = (int)rte_socket_id();

	memset(p, 0, sizeof(*p));
	p->mp = rte_pktmbuf_pool_create("perf_payload", n_mbufs, 256, 0, 0, socket);
	p->buf = rte_malloc_socket("perf_payload", PERF_PAYLOAD_MAX, RTE_CACHE_LINE_SIZE, socket);
	sh = rte_zmalloc_socket("perf_payload_sh", sizeof(*sh), RTE_CACHE_LINE_SIZE, socket);
	if (p->mp == NULL || p->buf == NULL || sh == NULL) {
		rte_free(sh);
		perf_payload_fini(p);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < PERF_PAYLOAD_MAX; i += 8) {
		uint64_t r = rte_rand();
		memcpy(p->buf + i, &r, 8);
	}
	p->iova = rte_malloc_virt2iova(p->buf);
	sh->free_cb = payload_unused_free;
	sh->fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(sh, 1);
	p->shinfo = sh;
	return 0;
}

struct rte_mbuf *perf_payload_get(struct perf_payload *p, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(p->mp);
	if (m == NULL)
		return NULL;
	rte_pktmbuf_attach_extbuf(m, p->buf, p->iova, (uint16_t)PERF_PAYLOAD_MAX, p->shinfo);
	m->data_off = 0;
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return m;
}

void perf_payload_fini(struct perf_payload *p)
{
	rte_mempool_free(p->mp);
	rte_free(p->buf);
	rte_free(p->shinfo);
	memset(p, 0, sizeof(*p));
}
