/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_ARGS_H
#define MPDK_ARGS_H

/**
 * @file
 * The command-line convention shared by every mpdk app:
 *
 *     APP [EAL options] -- [stack options] [app options]
 *
 * Stack options: --addr PORT:IPV4/PREFIX (repeatable, several per port),
 * --gw IPV4, --pcap FILE, --stats, --help. Apps add their own options.
 * Unknown or malformed options produce one clear line on stderr and the
 * caller exits with status 2.
 */

#include <stdbool.h>
#include "mpdk_stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An application option. @p key is passed back to the handler. */
struct mpdk_app_option {
	const char *name;      /**< long name without dashes, e.g. "port" */
	char short_name;       /**< e.g. 'p', or 0 */
	bool has_arg;
	int key;
	const char *arg_name;  /**< for --help, e.g. "PORT" */
	const char *help;
};

struct mpdk_args;

/** An application's description of its options. */
struct mpdk_app_desc {
	const char *name;      /**< program name for messages */
	const char *summary;   /**< one paragraph for --help */
	const struct mpdk_app_option *opts; /**< terminated by a zeroed entry */
	/** Called per app option; return 0, or a negative code after
	 *  printing nothing (the parser prints "APP: invalid value for --NAME"). */
	int (*handle)(void *ctx, int key, const char *arg);
	/** Called by mpdk_app_init() after the command line was parsed and
	 *  the ports opened, just before the stack is created: the app may
	 *  adjust @p conf (TCP and MPTCP settings through conf->tcp, pool
	 *  size, ...), which stays valid until mpdk_app_init() returns. Return
	 *  0, or a negative code after printing one line on stderr (-EINVAL
	 *  makes the app exit 2, like a bad option). May be NULL. */
	int (*configure)(void *ctx, struct mpdk_stack_conf *conf);
	/** Called by mpdk_app_init() once the command line parsed (not for
	 *  --help), before the EAL starts: reject options that are valid alone
	 *  but not together. Return 0, or -EINVAL after printing one line on
	 *  stderr (the app exits 2). May be NULL. */
	int (*check)(void *ctx, const struct mpdk_args *args);
	void *ctx;
};

/** Result of parsing stack options. */
struct mpdk_args {
	struct mpdk_stack_conf conf; /**< addrs, gateway, pcap_path filled in;
				      *  conf.addrs[i].port is the DPDK port id */
	bool stats;                  /**< --stats */
	bool help;                   /**< --help was given (usage printed) */
};

/**
 * Parse the part of the command line after "--" (argv[0] is the program
 * name). Prints usage on --help, and one line on stderr on any error.
 * @return 0, or -EINVAL (the caller should exit with status 2).
 */
int mpdk_args_parse(int argc, char **argv, const struct mpdk_app_desc *app,
		    struct mpdk_args *out);

/** Print the usage text of the stack and the app's options. */
void mpdk_args_usage(const struct mpdk_app_desc *app, FILE *f);

/**
 * Everything an app needs to start: EAL init with the arguments before "--",
 * mpdk_args_parse() on the rest, then open every DPDK port named by an
 * --addr (with default mpdk_ethdev_conf) and create the stack.
 * @return 0 with *stack set; 1 if --help was printed (exit 0); -EINVAL for
 * bad options (exit 2); another negative code for start-up failures
 * (already reported on stderr, exit 1).
 */
int mpdk_app_init(int argc, char **argv, const struct mpdk_app_desc *app,
		  struct mpdk_args *args, struct mpdk_stack **stack);

/**
 * Undo mpdk_app_init(): free the stack, close the ports and the pool it
 * opened, and release the EAL. @p stack may be NULL.
 */
void mpdk_app_fini(struct mpdk_args *args, struct mpdk_stack *stack);

/** Parse "a.b.c.d" into network byte order. @return 0 or -EINVAL. */
int mpdk_parse_ipv4(const char *s, uint32_t *addr);

#ifdef __cplusplus
}
#endif
#endif
