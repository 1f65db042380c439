/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The smallest appliance built on libmpdk: it includes only <mpdk/mpdk.h>,
 * links with `pkg-config --cflags --libs libmpdk`, brings up the ports named
 * by --addr and answers ARP and ping until SIGINT or --seconds elapse.
 *
 *   minimal-appliance [EAL options] -- --addr 0:10.0.0.2/24 [--seconds N]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <mpdk/mpdk.h>

static volatile bool stop;
static long seconds;

enum { OPT_SECONDS = 1 };

static int handle(void *ctx, int key, const char *arg)
{
	(void)ctx;
	if (key == OPT_SECONDS) {
		char *end;
		seconds = strtol(arg, &end, 10);
		return (*end != '\0' || seconds < 0) ? -EINVAL : 0;
	}
	return -EINVAL;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = true;
}

int main(int argc, char **argv)
{
	static const struct mpdk_app_option opts[] = {
		{"seconds", 0, true, OPT_SECONDS, "N", "stop after N seconds (default: run until SIGINT)"},
		{0},
	};
	const struct mpdk_app_desc app = {
		.name = "minimal-appliance",
		.summary = "Answers ARP and ping on every --addr.",
		.opts = opts,
		.handle = handle,
	};
	struct mpdk_args args;
	struct mpdk_stack *stack;
	int rc = mpdk_app_init(argc, argv, &app, &args, &stack);
	if (rc == 1)
		return 0;
	if (rc == -EINVAL)
		return 2;
	if (rc < 0)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	struct mpdk_engine *e = mpdk_stack_engine(stack, 0);
	time_t end = seconds ? time(NULL) + seconds : 0;
	while (!stop && (end == 0 || time(NULL) < end))
		for (int i = 0; i < 4096; i++)
			mpdk_engine_poll(e);
	if (args.stats)
		mpdk_stats_print(stack, stdout, false);
	mpdk_stack_free(stack);
	return 0;
}
