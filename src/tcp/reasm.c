/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receiver out-of-order reassembly and SACK block generation. See reasm.h
 * for the overlap policy and the limits.
 */

#include <string.h>
#include "seq.h"
#include "reasm.h"

/* nb_segs is 16 bits: keep every chain well below that. */
#define REASM_SEGS_CAP 60000u

static struct rte_mbuf *mb_last(struct rte_mbuf *m)
{
	while (m->next)
		m = m->next;
	return m;
}

/* Remove @n bytes from the front of chain @m (0 < n < m->pkt_len); returns
 * the new head. Fully consumed leading mbufs are freed. */
static struct rte_mbuf *mb_adj(struct rte_mbuf *m, uint32_t n)
{
	uint32_t pkt_len = m->pkt_len;
	uint16_t nb = m->nb_segs;

	while (n >= m->data_len && m->next) {
		struct rte_mbuf *next = m->next;

		n -= m->data_len;
		pkt_len -= m->data_len;
		nb--;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	m->data_off += n;
	m->data_len -= n;
	m->pkt_len = pkt_len - n;
	m->nb_segs = nb;
	return m;
}

/* Keep the first @keep bytes of chain @m (0 < keep < m->pkt_len). */
static void mb_trim(struct rte_mbuf *m, uint32_t keep)
{
	struct rte_mbuf *seg = m, *rest;
	uint32_t rem = keep;
	uint16_t nb = 1;

	while (rem > seg->data_len) {
		rem -= seg->data_len;
		seg = seg->next;
		nb++;
	}
	seg->data_len = rem;
	rest = seg->next;
	seg->next = NULL;
	m->pkt_len = keep;
	m->nb_segs = nb;
	if (rest)
		rte_pktmbuf_free(rest);
}

/* Append the chain of run @b to run @a (a->end == b->seq). */
static void run_join(struct tcp_reasm_run *a, const struct tcp_reasm_run *b)
{
	a->tail->next = b->head;
	a->head->nb_segs += b->head->nb_segs;
	a->head->pkt_len += b->head->pkt_len;
	a->tail = b->tail;
	a->len += b->len;
}

static void run_remove(struct tcp_reasm *r, unsigned i, unsigned cnt)
{
	memmove(r->run + i, r->run + i + cnt, (r->n - i - cnt) * sizeof(r->run[0]));
	r->n -= cnt;
}

void tcp_reasm_init(struct tcp_reasm *r, uint32_t max_bytes, uint32_t max_segs)
{
	memset(r, 0, sizeof(*r));
	r->max_bytes = max_bytes ? max_bytes : UINT32_MAX;
	r->max_segs = max_segs && max_segs < REASM_SEGS_CAP ? max_segs : REASM_SEGS_CAP;
}

void tcp_reasm_clear(struct tcp_reasm *r)
{
	for (unsigned i = 0; i < r->n; i++)
		rte_pktmbuf_free(r->run[i].head);
	r->n = 0;
	r->bytes = 0;
	r->segs = 0;
	r->has_fin = false;
}

/* Give the runs fresh stamps 1..n in their current age order before the
 * counter wraps. */
static void restamp(struct tcp_reasm *r)
{
	struct tcp_sack_block tmp[TCP_REASM_MAX_RUNS];
	unsigned n = tcp_reasm_sack_blocks(r, tmp, TCP_REASM_MAX_RUNS);

	for (unsigned a = 0; a < n; a++)
		for (unsigned b = 0; b < r->n; b++)
			if (r->run[b].seq == tmp[a].start)
				r->run[b].stamp = n - a;
	r->stamp = n;
}

int tcp_reasm_insert(struct tcp_reasm *r, uint32_t rcv_nxt, uint32_t seq,
		     struct rte_mbuf *m, bool fin)
{
	uint32_t len = m->pkt_len, end = seq + len, covered_bytes = 0, covered_segs = 0;
	unsigned i, j, k, n_after;
	bool join_left, join_right;
	struct tcp_reasm_run nr;

	if (r->stamp >= UINT32_MAX - 1)
		restamp(r);
	if (fin && !r->has_fin && SEQ_GEQ(end, rcv_nxt)) {
		r->has_fin = true;
		r->fin_seq = end;
	}
	if (len == 0 || SEQ_LEQ(end, rcv_nxt)) {
		rte_pktmbuf_free(m);
		return TCP_REASM_DUP;
	}
	if (SEQ_LT(seq, rcv_nxt)) {
		m = mb_adj(m, rcv_nxt - seq);
		seq = rcv_nxt;
	}

	/* First run that ends after seq. */
	for (i = 0; i < r->n && SEQ_LEQ(r->run[i].seq + r->run[i].len, seq); i++)
		;
	/* Overlap at the left: keep the queued bytes. */
	if (i < r->n && SEQ_LEQ(r->run[i].seq, seq)) {
		uint32_t rend = r->run[i].seq + r->run[i].len;

		if (SEQ_GEQ(rend, end)) {
			r->run[i].stamp = ++r->stamp;   /* RFC 2018 §4: report it first */
			rte_pktmbuf_free(m);
			return TCP_REASM_DUP;
		}
		m = mb_adj(m, rend - seq);
		seq = rend;
		i++;
	}
	/* Runs wholly covered by [seq, end) are replaced. */
	for (j = i; j < r->n && SEQ_LEQ(r->run[j].seq + r->run[j].len, end); j++) {
		covered_bytes += r->run[j].len;
		covered_segs += r->run[j].head->nb_segs;
	}
	/* Overlap at the right: keep the queued bytes. */
	if (j < r->n && SEQ_LT(r->run[j].seq, end)) {
		mb_trim(m, r->run[j].seq - seq);
		end = r->run[j].seq;
	}
	len = end - seq;

	if ((uint64_t)r->bytes - covered_bytes + len > r->max_bytes ||
	    (uint64_t)r->segs - covered_segs + m->nb_segs > r->max_segs) {
		rte_pktmbuf_free(m);
		return TCP_REASM_E_BYTES;
	}
	join_left = i > 0 && r->run[i - 1].seq + r->run[i - 1].len == seq;
	join_right = j < r->n && r->run[j].seq == end;
	n_after = r->n - (j - i) + 1 - join_left - join_right;
	if (n_after > TCP_REASM_MAX_RUNS) {
		rte_pktmbuf_free(m);
		return TCP_REASM_E_RUNS;
	}

	for (k = i; k < j; k++)
		rte_pktmbuf_free(r->run[k].head);
	r->bytes = r->bytes - covered_bytes + len;
	r->segs = r->segs - covered_segs + m->nb_segs;
	run_remove(r, i, j - i);
	j = i;   /* the run after the new data is now at index i */

	nr = (struct tcp_reasm_run){ .seq = seq, .len = len, .head = m, .tail = mb_last(m) };
	if (join_right) {
		run_join(&nr, &r->run[i]);
		run_remove(r, i, 1);
	}
	if (join_left) {
		run_join(&r->run[i - 1], &nr);
		r->run[i - 1].stamp = ++r->stamp;
	} else {
		memmove(r->run + i + 1, r->run + i, (r->n - i) * sizeof(r->run[0]));
		nr.stamp = ++r->stamp;
		r->run[i] = nr;
		r->n++;
	}
	return (int)(len - covered_bytes);
}

struct rte_mbuf *tcp_reasm_pop(struct tcp_reasm *r, uint32_t rcv_nxt, uint32_t *len, bool *fin)
{
	struct rte_mbuf *out = NULL;

	*len = 0;
	*fin = false;
	while (r->n && SEQ_LEQ(r->run[0].seq + r->run[0].len, rcv_nxt)) {
		r->bytes -= r->run[0].len;
		r->segs -= r->run[0].head->nb_segs;
		rte_pktmbuf_free(r->run[0].head);
		run_remove(r, 0, 1);
	}
	if (r->n && SEQ_LEQ(r->run[0].seq, rcv_nxt)) {
		struct tcp_reasm_run *run = &r->run[0];
		uint16_t nb = run->head->nb_segs;

		r->bytes -= run->len;
		if (run->seq != rcv_nxt)
			out = mb_adj(run->head, rcv_nxt - run->seq);
		else
			out = run->head;
		r->segs -= nb;
		*len = out->pkt_len;
		run_remove(r, 0, 1);
	}
	if (r->has_fin) {
		uint32_t at = rcv_nxt + *len;

		if (r->fin_seq == at) {
			*fin = true;
			r->has_fin = false;
		} else if (SEQ_LT(r->fin_seq, at)) {
			r->has_fin = false;   /* data past the FIN: the FIN was bogus */
		}
	}
	return out;
}

unsigned tcp_reasm_sack_blocks(const struct tcp_reasm *r, struct tcp_sack_block *out, unsigned max)
{
	const struct tcp_reasm_run *by_age[TCP_REASM_MAX_RUNS];
	unsigned n = 0;

	/* Insertion sort by stamp, newest first (at most 16 runs). */
	for (unsigned i = 0; i < r->n; i++) {
		unsigned k = n++;

		while (k > 0 && by_age[k - 1]->stamp < r->run[i].stamp) {
			by_age[k] = by_age[k - 1];
			k--;
		}
		by_age[k] = &r->run[i];
	}
	if (n > max)
		n = max;
	for (unsigned i = 0; i < n; i++) {
		out[i].start = by_age[i]->seq;
		out[i].end = by_age[i]->seq + by_age[i]->len;
	}
	return n;
}
