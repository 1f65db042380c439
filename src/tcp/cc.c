/* SPDX-License-Identifier: BSD-3-Clause */
/* Congestion control registry and shared helpers (see cc.h). */

#include <errno.h>
#include <string.h>
#include "cc.h"

#define TCP_CC_REG_MAX 8

static const struct tcp_cc_ops *registry[TCP_CC_REG_MAX] = {
	&tcp_cc_cubic,
	&tcp_cc_newreno,
};
static unsigned n_registered = 2;

const struct tcp_cc_ops *tcp_cc_find(const char *name)
{
	if (name == NULL || name[0] == '\0')
		return &tcp_cc_cubic;
	for (unsigned i = 0; i < n_registered; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

int tcp_cc_register(const struct tcp_cc_ops *ops)
{
	if (ops == NULL || ops->name == NULL || ops->priv_size > TCP_CC_PRIV_MAX ||
	    !ops->init || !ops->on_ack || !ops->enter_recovery || !ops->on_rto)
		return -EINVAL;
	if (tcp_cc_find(ops->name) != NULL)
		return -EEXIST;
	if (n_registered == TCP_CC_REG_MAX)
		return -ENOSPC;
	registry[n_registered++] = ops;
	return 0;
}

void tcp_cc_init(struct tcp_cc *cc, const struct tcp_cc_ops *ops, uint32_t mss, uint32_t iw)
{
	memset(cc, 0, sizeof(*cc));
	cc->ops = ops ? ops : tcp_cc_find(NULL);
	cc->c.mss = mss ? mss : 536;   /* RFC 9293 §3.7.1 default send MSS */
	cc->c.iw = iw ? iw : tcp_cc_initial_window(cc->c.mss);
	cc->c.cwnd = cc->c.iw;
	cc->c.ssthresh = UINT32_MAX;
	cc->c.cwnd_limited = true;
	cc->ops->init(cc->priv, &cc->c);
}

uint32_t tcp_cc_slow_start(struct tcp_cc_conn *c, uint32_t acked)
{
	uint32_t room, inc;

	if (c->cwnd >= c->ssthresh)
		return acked;
	room = c->ssthresh - c->cwnd;
	inc = acked < 2 * c->mss ? acked : 2 * c->mss;   /* RFC 3465 §2.2, L = 2 */
	if (inc >= room) {
		c->cwnd = c->ssthresh;
		if (c->cwnd > TCP_CC_CWND_MAX)
			c->cwnd = TCP_CC_CWND_MAX;
		return acked - room;
	}
	c->cwnd += inc;
	if (c->cwnd > TCP_CC_CWND_MAX)
		c->cwnd = TCP_CC_CWND_MAX;
	return 0;
}
