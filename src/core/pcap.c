/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <rte_spinlock.h>
#include "core/pcap.h"

#define PCAP_MAGIC_NS 0xa1b23c4du
#define LINKTYPE_ETHERNET 1

struct pcap_writer {
	FILE *f;
	uint32_t snaplen;
	rte_spinlock_t lock;
};

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t ts_sec, ts_nsec, incl_len, orig_len;
};

struct pcap_writer *pcap_writer_open(const char *path, uint32_t snaplen)
{
	struct pcap_writer *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->f = fopen(path, "wb");
	if (w->f == NULL) {
		free(w);
		return NULL;
	}
	w->snaplen = snaplen ? snaplen : 65535;
	rte_spinlock_init(&w->lock);
	struct pcap_file_hdr h = {
		.magic = PCAP_MAGIC_NS, .major = 2, .minor = 4,
		.snaplen = w->snaplen, .linktype = LINKTYPE_ETHERNET,
	};
	if (fwrite(&h, sizeof(h), 1, w->f) != 1) {
		fclose(w->f);
		free(w);
		return NULL;
	}
	return w;
}

int pcap_writer_write(struct pcap_writer *w, const struct rte_mbuf *m, uint64_t ts_ns)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);
	uint32_t incl = len < w->snaplen ? len : w->snaplen;
	struct pcap_rec_hdr r = {
		.ts_sec = (uint32_t)(ts_ns / 1000000000ull),
		.ts_nsec = (uint32_t)(ts_ns % 1000000000ull),
		.incl_len = incl, .orig_len = len,
	};
	int rc = 0;
	rte_spinlock_lock(&w->lock);
	if (fwrite(&r, sizeof(r), 1, w->f) != 1)
		rc = -EIO;
	for (const struct rte_mbuf *s = m; s != NULL && incl > 0 && rc == 0; s = s->next) {
		uint32_t n = s->data_len < incl ? s->data_len : incl;
		if (fwrite(rte_pktmbuf_mtod(s, const void *), 1, n, w->f) != n)
			rc = -EIO;
		incl -= n;
	}
	rte_spinlock_unlock(&w->lock);
	return rc;
}

void pcap_writer_close(struct pcap_writer *w)
{
	if (w == NULL)
		return;
	fclose(w->f);
	free(w);
}
