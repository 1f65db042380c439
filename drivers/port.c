/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Calls that work on every kind of port, through its ops.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "drivers/port.h"

const char *mpdk_port_name(const struct mpdk_port *p)
{
	return p != NULL ? p->name : "(null)";
}

bool mpdk_port_link_up(const struct mpdk_port *p)
{
	if (p == NULL || p->ops == NULL || p->ops->link_up == NULL)
		return false;
	return p->ops->link_up(p);
}

void mpdk_port_close(struct mpdk_port *p)
{
	if (p == NULL || p->ops == NULL || p->ops->close == NULL)
		return;
	p->ops->close(p);
}

int mpdk_port_mac(const struct mpdk_port *p, uint8_t mac[6])
{
	if (p == NULL || mac == NULL)
		return -EINVAL;
	memcpy(mac, p->mac.addr_bytes, 6);
	return 0;
}

int mpdk_port_ethdev_id(const struct mpdk_port *p)
{
	if (p == NULL || p->ops == NULL || strcmp(p->ops->kind, "ethdev") != 0)
		return -EINVAL;
	return p->ethdev_id;
}
