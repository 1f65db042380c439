/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Calls that work on every kind of port, through its ops.
 */

#include <stddef.h>
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
