/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CORE_PCAP_H
#define MPDK_CORE_PCAP_H

/* A classic pcap (libpcap format, nanosecond timestamps, LINKTYPE_ETHERNET)
 * writer for --pcap. Debug feature: buffered stdio, serialised by a spinlock
 * so several engines may share one file. */

#include <stdint.h>
#include <rte_mbuf.h>

struct pcap_writer;

struct pcap_writer *pcap_writer_open(const char *path, uint32_t snaplen);
/* Append one frame (all segments) with timestamp @ts_ns. Returns 0 or -EIO. */
int pcap_writer_write(struct pcap_writer *w, const struct rte_mbuf *m, uint64_t ts_ns);
void pcap_writer_close(struct pcap_writer *w);

#endif
