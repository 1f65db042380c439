/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command-line convention of every mpdk app:
 *
 *     APP [EAL options] -- [stack options] [app options]
 *
 * Stack and app options are parsed before the EAL starts, so --help and
 * usage errors are answered at once and without EAL noise. Every error is
 * one line on stderr, "APP: what is wrong", and -EINVAL (exit status 2).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "mpdk/mpdk.h"
#include "net/iface.h"

enum {
	OPT_ADDR = 256,
	OPT_GW,
	OPT_PCAP,
	OPT_STATS,
	OPT_HELP,
	OPT_ENGINES,
	OPT_KEY_MODE,
	OPT_CURVE,
	OPT_EC_VARIANT,
	OPT_NO_TSO,
	OPT_TSO_MAX,
	OPT_MTU,
	OPT_NO_GRO,
	OPT_APP_BASE = 512,   /* + index of the app option */
};

static const struct {
	const char *name;
	bool has_arg;
	int val;
	const char *arg_name;
	const char *help;
} stack_opts[] = {
	{ "addr", true, OPT_ADDR, "PORT:IPV4/PREFIX",
	  "add an IPv4 address on DPDK port PORT (repeatable; several per port allowed)" },
	{ "gw", true, OPT_GW, "IPV4",
	  "default gateway (must be inside a subnet given with --addr)" },
	{ "pcap", true, OPT_PCAP, "FILE",
	  "write every frame sent and received to FILE (pcap, readable by tshark)" },
	{ "stats", false, OPT_STATS, NULL, "print the stack's counters at exit" },
	{ "key-mode", true, OPT_KEY_MODE, "MODE",
	  "MPTCP keys: rfc8684 (default), ec-preferred, ec-required (EC point exchange, "
	  "docs/security.md) or app (keys from the application)" },
	{ "curve", true, OPT_CURVE, "NAME",
	  "EC curve of the ec-* key modes: secp160k1, secp160r1, secp160r2, secp192k1, "
	  "secp192r1, secp224k1, secp224r1 (default), secp256k1, secp256r1" },
	{ "ec-variant", true, OPT_EC_VARIANT, "VARIANT",
	  "EC MP_CAPABLE encoding: compressed (default; x + parity, 3 segments) or draft "
	  "(x and y, the draft's 4 segments)" },
	{ "engines", true, OPT_ENGINES, "N",
	  "engines (poll loops, one per lcore) serving the stack, 1..8, default 1; the EAL "
	  "needs N lcores (-l); docs/architecture.md" },
	{ "no-tso", false, OPT_NO_TSO, NULL,
	  "do not use TCP segmentation offload even where the port offers it" },
	{ "tso-max", true, OPT_TSO_MAX, "BYTES",
	  "largest TCP payload of one TSO super-segment, 2896..65455, default 65455" },
	{ "mtu", true, OPT_MTU, "BYTES",
	  "MTU of every port, 576..9600 (default: the port's current MTU); refused with an "
	  "error when the port does not accept it" },
	{ "no-gro", false, OPT_NO_GRO, NULL,
	  "do not coalesce received TCP segments (software GRO, and the port's LRO where offered)" },
	{ "help", false, OPT_HELP, NULL, "print this help and exit (short: -h)" },
};
#define N_STACK_OPTS (sizeof(stack_opts) / sizeof(stack_opts[0]))

/* Set by mpdk_app_init() when the command line has no "--": an unknown
 * option is then probably an EAL option in the wrong place. */
static bool hint_separator;

/* Most options an app may add. */
#define MAX_APP_OPTS 64

static const char *prog_name(const struct mpdk_app_desc *app, int argc, char **argv)
{
	if (app != NULL && app->name != NULL)
		return app->name;
	if (argc > 0 && argv[0] != NULL) {
		const char *s = strrchr(argv[0], '/');
		return s ? s + 1 : argv[0];
	}
	return "mpdk";
}

static unsigned app_opt_count(const struct mpdk_app_desc *app)
{
	unsigned n = 0;
	if (app == NULL || app->opts == NULL)
		return 0;
	while (app->opts[n].name != NULL || app->opts[n].short_name != 0)
		n++;
	return n;
}

int mpdk_parse_ipv4(const char *s, uint32_t *addr)
{
	uint32_t v = 0;

	if (s == NULL || addr == NULL)
		return -EINVAL;
	for (int octet = 0; octet < 4; octet++) {
		unsigned n = 0, digits = 0;
		if (octet > 0) {
			if (*s != '.')
				return -EINVAL;
			s++;
		}
		while (*s >= '0' && *s <= '9') {
			n = n * 10 + (unsigned)(*s - '0');
			s++;
			/* "010" would be octal to inet_aton(): refuse the ambiguity */
			if (++digits > 3 || (digits == 2 && n < 10) || n > 255)
				return -EINVAL;
		}
		if (digits == 0)
			return -EINVAL;
		v = v << 8 | n;
	}
	if (*s != '\0')
		return -EINVAL;
	*addr = htonl(v);
	return 0;
}

/* Decimal number without sign, spaces or junk, at most @max. */
static int parse_uint(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static uint32_t prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : htonl(~0u << (32 - len));
}

static const char *ip_str(uint32_t a, char *buf, size_t len)
{
	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
	return buf;
}

/* Parse and add one --addr. Returns NULL or the reason it is invalid. */
static const char *add_addr(struct mpdk_stack_conf *c, const char *arg, char *why, size_t why_len)
{
	const char *colon = strchr(arg, ':');
	const char *slash = strrchr(arg, '/');
	unsigned long port, prefix;
	uint32_t addr, h;
	char ip[64], a1[INET_ADDRSTRLEN];

	if (colon == NULL)
		return "expected PORT:IPV4/PREFIX, e.g. 0:10.0.0.2/24";
	if (parse_uint(arg, (size_t)(colon - arg), RTE_MAX_ETHPORTS - 1, &port) < 0) {
		snprintf(why, why_len, "bad port number (a DPDK port id, 0..%d)", RTE_MAX_ETHPORTS - 1);
		return why;
	}
	if (slash == NULL || slash < colon)
		return "missing /PREFIX, e.g. 0:10.0.0.2/24";
	if ((size_t)(slash - colon - 1) >= sizeof(ip))
		return "bad IPv4 address";
	memcpy(ip, colon + 1, (size_t)(slash - colon - 1));
	ip[slash - colon - 1] = '\0';
	if (mpdk_parse_ipv4(ip, &addr) < 0)
		return "bad IPv4 address";
	if (parse_uint(slash + 1, strlen(slash + 1), 32, &prefix) < 0)
		return "bad prefix length (0..32)";

	h = ntohl(addr);
	if (h == 0 || h == 0xffffffffu || (h >> 28) >= 0xe || (h >> 24) == 127)
		return "not a unicast host address";
	if (prefix <= 30) {
		uint32_t hostmask = ~ntohl(prefix_mask((uint8_t)prefix));
		if (prefix > 0 && ((h & hostmask) == 0 || (h & hostmask) == hostmask))
			return "that is the subnet's network or broadcast address";
	}
	for (uint16_t i = 0; i < c->n_addrs; i++)
		if (c->addrs[i].addr == addr) {
			snprintf(why, why_len, "duplicate address %s (already on port %u)",
				 ip_str(addr, a1, sizeof(a1)), c->addrs[i].port);
			return why;
		}
	if (c->n_addrs == MPDK_MAX_ADDRS) {
		snprintf(why, why_len, "too many addresses (at most %d)", MPDK_MAX_ADDRS);
		return why;
	}
	unsigned on_port = 0, ports = 0;
	bool port_seen = false;
	for (uint16_t i = 0; i < c->n_addrs; i++) {
		bool first = true;
		for (uint16_t j = 0; j < i; j++)
			if (c->addrs[j].port == c->addrs[i].port)
				first = false;
		ports += first;
		if (c->addrs[i].port == port) {
			on_port++;
			port_seen = true;
		}
	}
	if (on_port == IFACE_MAX_ADDRS) {
		snprintf(why, why_len, "too many addresses on port %lu (at most %d)", port, IFACE_MAX_ADDRS);
		return why;
	}
	if (!port_seen && ports == MPDK_MAX_PORTS) {
		snprintf(why, why_len, "too many ports (at most %d)", MPDK_MAX_PORTS);
		return why;
	}
	c->addrs[c->n_addrs].port = (uint16_t)port;
	c->addrs[c->n_addrs].addr = addr;
	c->addrs[c->n_addrs].prefix_len = (uint8_t)prefix;
	c->n_addrs++;
	return NULL;
}

void mpdk_args_usage(const struct mpdk_app_desc *app, FILE *f)
{
	const char *name = prog_name(app, 0, NULL);
	unsigned n_app = app_opt_count(app);

	fprintf(f, "Usage: %s [EAL options] -- [stack options] [%s options]\n", name, name);
	if (app != NULL && app->summary != NULL)
		fprintf(f, "\n%s\n", app->summary);
	fprintf(f, "\nStack options:\n");
	for (unsigned i = 0; i < N_STACK_OPTS; i++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", stack_opts[i].name,
			 stack_opts[i].has_arg ? " " : "",
			 stack_opts[i].has_arg ? stack_opts[i].arg_name : "");
		fprintf(f, "  %-26s %s\n", left, stack_opts[i].help);
	}
	if (n_app > 0) {
		fprintf(f, "\n%s options:\n", name);
		for (unsigned i = 0; i < n_app; i++) {
			const struct mpdk_app_option *o = &app->opts[i];
			char left[80], sh[8] = "", lo[48] = "";
			if (o->short_name)
				snprintf(sh, sizeof(sh), "-%c", o->short_name);
			if (o->name)
				snprintf(lo, sizeof(lo), "--%s", o->name);
			snprintf(left, sizeof(left), "%s%s%s%s%s", sh, sh[0] && lo[0] ? ", " : "", lo,
				 o->has_arg ? " " : "",
				 o->has_arg ? (o->arg_name ? o->arg_name : "VALUE") : "");
			fprintf(f, "  %-26s %s\n", left, o->help ? o->help : "");
		}
	}
	fprintf(f,
		"\nPORT is a DPDK port id, numbered in the order the EAL finds the ports\n"
		"(PCI devices allowed with -a, then --vdev devices), for example:\n"
		"  mpdk-echo -l 1 --vdev net_tap0 -- --addr 0:192.0.2.2/24 --stats\n"
		"\nEverything before \"--\" goes to the DPDK EAL (for example -l CORES,\n"
		"-a PCI_ADDR, --vdev DEVICE, --no-huge, -m MB, --file-prefix NAME); run\n"
		"'%s --help --' for the EAL's own list. Without \"--\" every argument is\n"
		"a stack or app option and the EAL starts with its defaults (unless the\n"
		"text above says otherwise). Long options may be abbreviated while\n"
		"unambiguous. Exit status: 0 success, 1 start-up or run-time failure,\n"
		"2 bad command line.\n",
		name);
}

/* One line on stderr, always ending with a newline. */
static int usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(const char *name, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", name, line);
	return -EINVAL;
}

/* Name of the option with getopt value @val, for messages ("--addr", "-p"). */
static void opt_display(const struct mpdk_app_desc *app, int val, char *buf, size_t len)
{
	if (val >= OPT_APP_BASE) {
		const struct mpdk_app_option *o = &app->opts[val - OPT_APP_BASE];
		if (o->name)
			snprintf(buf, len, "--%s", o->name);
		else
			snprintf(buf, len, "-%c", o->short_name);
		return;
	}
	for (unsigned i = 0; i < N_STACK_OPTS; i++)
		if (stack_opts[i].val == val) {
			snprintf(buf, len, "--%s", stack_opts[i].name);
			return;
		}
	/* a short option of the app */
	unsigned n_app = app_opt_count(app);
	for (unsigned i = 0; i < n_app; i++)
		if (app->opts[i].short_name == val) {
			opt_display(app, OPT_APP_BASE + (int)i, buf, len);
			return;
		}
	if (val == 'h') {
		snprintf(buf, len, "--help");
		return;
	}
	snprintf(buf, len, "-%c", val > 32 && val < 127 ? val : '?');
}

/* The long options that start with @word: for "ambiguous" messages. */
static void ambiguous_candidates(const struct option *lo, const char *word, size_t wlen,
				 char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (const struct option *o = lo; o->name != NULL; o++)
		if (strncmp(o->name, word, wlen) == 0 && off < len) {
			int k = snprintf(buf + off, len - off, "%s--%s", off ? ", " : "", o->name);
			if (k > 0)
				off += (size_t)k;
		}
}

static int check_gateway(const char *name, const struct mpdk_stack_conf *c)
{
	char a[INET_ADDRSTRLEN];

	if (c->gateway == 0)
		return 0;
	for (uint16_t i = 0; i < c->n_addrs; i++) {
		uint32_t m = prefix_mask(c->addrs[i].prefix_len);
		if (c->addrs[i].addr == c->gateway)
			return usage_error(name, "invalid --gw '%s': that is one of our own addresses",
					   ip_str(c->gateway, a, sizeof(a)));
		if (c->addrs[i].prefix_len > 0 && ((c->addrs[i].addr ^ c->gateway) & m) == 0)
			return 0;
	}
	return usage_error(name, "invalid --gw '%s': not inside any subnet given with --addr",
			   ip_str(c->gateway, a, sizeof(a)));
}

/* --key-mode, --curve, --ec-variant: TCP settings of the stack, handed to
 * the app's configure() (which copies conf.tcp) and then to the stack. */
static struct mpdk_tcp_conf key_tc;
static bool key_opts_given;
/* --no-tso, --tso-max: applied to every ethdev port mpdk_app_init opens. */
static bool port_no_tso;
static uint32_t port_tso_max;
/* --mtu: likewise (0: the port's own) */
static uint16_t port_mtu;

static struct mpdk_tcp_conf *key_conf(struct mpdk_args *out)
{
	key_opts_given = true;
	if (out->conf.tcp != &key_tc) {
		mpdk_tcp_conf_defaults(&key_tc);
		out->conf.tcp = &key_tc;
	}
	return &key_tc;
}

int mpdk_args_parse(int argc, char **argv, const struct mpdk_app_desc *app,
		    struct mpdk_args *out)
{
	bool curve_seen = false, variant_seen = false;
	key_opts_given = false;
	port_no_tso = false;
	port_tso_max = 0;
	port_mtu = 0;
	const char *name = prog_name(app, argc, argv);
	unsigned n_app = app_opt_count(app);
	struct option lo[N_STACK_OPTS + MAX_APP_OPTS + 1];
	char shorts[3 + 3 * MAX_APP_OPTS + 3];
	size_t ns = 0;
	char why[160], disp[64];
	bool gw_seen = false, pcap_seen = false;
	int rc = 0;

	if (out == NULL || argc < 1 || argv == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->conf.name = name;
	if (n_app > MAX_APP_OPTS)
		return usage_error(name, "internal error: more than %d app options", MAX_APP_OPTS);

	/* "+": stop at the first non-option; ":": report missing arguments. */
	shorts[ns++] = '+';
	shorts[ns++] = ':';
	shorts[ns++] = 'h';
	unsigned nl = 0;
	for (unsigned i = 0; i < N_STACK_OPTS; i++)
		lo[nl++] = (struct option){ stack_opts[i].name,
					    stack_opts[i].has_arg ? required_argument : no_argument,
					    NULL, stack_opts[i].val };
	for (unsigned i = 0; i < n_app; i++) {
		const struct mpdk_app_option *o = &app->opts[i];
		for (unsigned j = 0; j < nl && o->name; j++)
			if (strcmp(lo[j].name, o->name) == 0)
				return usage_error(name, "internal error: option --%s defined twice", o->name);
		if (o->short_name) {
			if (o->short_name == 'h' || o->short_name == ':' || o->short_name == '+' ||
			    o->short_name == '-' || memchr(shorts, o->short_name, ns) != NULL)
				return usage_error(name, "internal error: option -%c defined twice",
						   o->short_name);
			shorts[ns++] = o->short_name;
			if (o->has_arg)
				shorts[ns++] = ':';
		}
		if (o->name)
			lo[nl++] = (struct option){ o->name, o->has_arg ? required_argument : no_argument,
						    NULL, OPT_APP_BASE + (int)i };
	}
	shorts[ns] = '\0';
	lo[nl] = (struct option){ NULL, 0, NULL, 0 };

	/* optind = 0 makes glibc forget any earlier scan (the EAL's, say). */
	int saved_opterr = opterr;
	opterr = 0;
	optind = 0;
	for (;;) {
		int prev = optind ? optind : 1;
		int c = getopt_long(argc, argv, shorts, lo, NULL);
		if (c == -1)
			break;
		if (c == '?') {
			const char *bad = argv[prev < argc ? prev : argc - 1];
			if (optopt != 0 && optopt < OPT_ADDR && strncmp(bad, "--", 2) != 0) {
				rc = usage_error(name, "unknown option '-%c' (%s)", optopt,
						 hint_separator ? "EAL options go before \"--\"; see --help"
								: "see --help");
			} else if (optopt != 0) {
				opt_display(app, optopt, disp, sizeof(disp));
				rc = usage_error(name, "option '%s' takes no argument (see --help)", disp);
			} else {
				size_t wlen = strcspn(bad + 2, "=");
				char cand[256];
				ambiguous_candidates(lo, bad + 2, wlen, cand, sizeof(cand));
				if (strchr(cand, ','))
					rc = usage_error(name, "ambiguous option '%.*s' (could be %s)",
							 (int)wlen + 2, bad, cand);
				else
					rc = usage_error(name, "unknown option '%.*s' (%s)",
							 (int)wlen + 2, bad,
							 hint_separator ? "EAL options go before \"--\"; see --help"
									: "see --help");
			}
			break;
		}
		if (c == ':') {
			opt_display(app, optopt, disp, sizeof(disp));
			rc = usage_error(name, "option '%s' requires an argument (see --help)", disp);
			break;
		}
		if (c == 'h' || c == OPT_HELP) {
			out->help = true;
			continue;
		}
		switch (c) {
		case OPT_ADDR: {
			const char *err = add_addr(&out->conf, optarg, why, sizeof(why));
			if (err)
				rc = usage_error(name, "invalid --addr '%s': %s", optarg, err);
			break;
		}
		case OPT_GW:
			if (gw_seen)
				rc = usage_error(name, "--gw given twice");
			else if (mpdk_parse_ipv4(optarg, &out->conf.gateway) < 0)
				rc = usage_error(name, "invalid --gw '%s': bad IPv4 address", optarg);
			gw_seen = true;
			break;
		case OPT_PCAP:
			if (pcap_seen)
				rc = usage_error(name, "--pcap given twice");
			else if (optarg[0] == '\0')
				rc = usage_error(name, "invalid --pcap '': empty file name");
			out->conf.pcap_path = optarg;
			pcap_seen = true;
			break;
		case OPT_STATS:
			out->stats = true;
			break;
		case OPT_NO_TSO:
			port_no_tso = true;
			break;
		case OPT_NO_GRO:
			out->conf.no_gro = true;
			break;
		case OPT_MTU: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || n < 576 || n > 9600)
				rc = usage_error(name, "invalid --mtu '%s': bytes from 576 to 9600",
						 optarg);
			else
				port_mtu = (uint16_t)n;
			break;
		}
		case OPT_TSO_MAX: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || n < 2896 ||
			    n > 65455)
				rc = usage_error(name, "invalid --tso-max '%s': bytes from 2896 to 65455",
						 optarg);
			else
				port_tso_max = (uint32_t)n;
			break;
		}
		case OPT_ENGINES: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || n < 1 ||
			    n > MPDK_MAX_ENGINES)
				rc = usage_error(name, "invalid --engines '%s': a number from 1 to %d",
						 optarg, MPDK_MAX_ENGINES);
			else
				out->conf.n_engines = (uint16_t)n;
			break;
		}
		case OPT_KEY_MODE: {
			int m = mpdk_key_mode_parse(optarg);
			if (m < 0)
				rc = usage_error(name, "invalid --key-mode '%s': one of rfc8684, "
						 "ec-preferred, ec-required, app", optarg);
			else
				key_conf(out)->mptcp.key_mode = (uint8_t)m;
			break;
		}
		case OPT_CURVE: {
			int cv = mpdk_ec_curve_parse(optarg);
			if (cv < 0)
				rc = usage_error(name, "invalid --curve '%s': one of secp160k1, "
						 "secp160r1, secp160r2, secp192k1, secp192r1, "
						 "secp224k1, secp224r1, secp256k1, secp256r1", optarg);
			else
				key_conf(out)->mptcp.ec_curve = mpdk_ec_curve_name((unsigned)cv);
			curve_seen = true;
			break;
		}
		case OPT_EC_VARIANT: {
			int v = mpdk_ec_variant_parse(optarg);
			if (v < 0)
				rc = usage_error(name, "invalid --ec-variant '%s': compressed or draft",
						 optarg);
			else
				key_conf(out)->mptcp.ec_variant = (uint8_t)v;
			variant_seen = true;
			break;
		}
		default: {
			int idx = -1;
			if (c >= OPT_APP_BASE)
				idx = c - OPT_APP_BASE;
			else
				for (unsigned i = 0; i < n_app; i++)
					if (app->opts[i].short_name == c)
						idx = (int)i;
			if (idx < 0 || app->handle == NULL) {
				rc = usage_error(name, "internal error: unhandled option %d", c);
				break;
			}
			const struct mpdk_app_option *o = &app->opts[idx];
			if (app->handle(app->ctx, o->key, o->has_arg ? optarg : NULL) < 0) {
				opt_display(app, OPT_APP_BASE + idx, disp, sizeof(disp));
				if (o->has_arg)
					rc = usage_error(name, "invalid value for %s: '%s'", disp, optarg);
				else
					rc = usage_error(name, "option %s cannot be used here", disp);
			}
			break;
		}
		}
		if (rc < 0)
			break;
	}
	if (rc == 0 && optind < argc)
		rc = usage_error(name, "unexpected argument '%s' (see --help)", argv[optind]);
	if (rc == 0 && (curve_seen || variant_seen)) {
		unsigned km = out->conf.tcp ? out->conf.tcp->mptcp.key_mode : MPDK_KEY_RFC8684;
		if (km != MPDK_KEY_EC_PREFERRED && km != MPDK_KEY_EC_REQUIRED)
			rc = usage_error(name, "%s needs --key-mode ec-preferred or ec-required",
					 curve_seen ? "--curve" : "--ec-variant");
	}
	opterr = saved_opterr;
	optind = 0;
	if (rc < 0)
		return rc;
	if (out->help) {
		mpdk_args_usage(app, stdout);
		return 0;
	}
	return check_gateway(name, &out->conf);
}

/* "0 (net_tap0), 1 (0000:01:00.0)" or "none". */
static void list_ports(char *buf, size_t len)
{
	uint16_t id;
	size_t off = 0;

	buf[0] = '\0';
	RTE_ETH_FOREACH_DEV(id) {
		char dn[RTE_ETH_NAME_MAX_LEN] = "?";
		rte_eth_dev_get_name_by_port(id, dn);
		int k = snprintf(buf + off, len - off, "%s%u (%s)", off ? ", " : "", id, dn);
		if (k < 0 || (size_t)k >= len - off)
			break;
		off += (size_t)k;
	}
	if (off == 0)
		snprintf(buf, len, "none (add a device with -a PCI_ADDR or --vdev, before \"--\")");
}

static bool is_help_word(const char *s)
{
	return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}

int mpdk_app_init(int argc, char **argv, const struct mpdk_app_desc *app,
		  struct mpdk_args *args, struct mpdk_stack **stack)
{
	const char *name = prog_name(app, argc, argv);
	int dd = -1, rc;
	char **eal_argv = NULL, **app_argv = NULL;
	int eal_argc, app_argc;
	uint16_t dpdk_ids[MPDK_MAX_PORTS];
	struct rte_mempool *pool = NULL;
	struct mpdk_stack_conf *c = &args->conf;
	bool started = false;

	if (argc < 1 || argv == NULL || args == NULL || stack == NULL)
		return -EINVAL;
	*stack = NULL;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dd = i;
			break;
		}

	/* Copies: rte_eal_init() and getopt permute the arrays they are given. */
	eal_argv = calloc((size_t)argc + 1, sizeof(char *));
	app_argv = calloc((size_t)argc + 1, sizeof(char *));
	if (eal_argv == NULL || app_argv == NULL) {
		rc = -ENOMEM;
		fprintf(stderr, "%s: out of memory\n", name);
		goto out;
	}
	eal_argv[0] = app_argv[0] = argv[0];
	if (dd < 0) {
		eal_argc = 1;
		app_argc = argc;
		for (int i = 1; i < argc; i++)
			app_argv[i] = argv[i];
	} else {
		eal_argc = dd;
		for (int i = 1; i < dd; i++)
			eal_argv[i] = argv[i];
		app_argc = 1 + argc - dd - 1;
		for (int i = dd + 1; i < argc; i++)
			app_argv[i - dd] = argv[i];
	}

	/* "APP --help --": the EAL prints its own usage and exits. */
	for (int i = 1; i < eal_argc; i++)
		if (is_help_word(eal_argv[i])) {
			mpdk_eal_init(eal_argc, eal_argv);
			rc = 1;
			goto out;
		}

	hint_separator = dd < 0;
	rc = mpdk_args_parse(app_argc, app_argv, app, args);
	hint_separator = false;
	if (rc < 0)
		goto out;
	if (args->help) {
		rc = 1;
		goto out;
	}
	if (app != NULL && app->check != NULL) {
		rc = app->check(app->ctx, args);
		if (rc < 0)
			goto out;
	}
	if (c->n_addrs == 0) {
		rc = usage_error(name, "no --addr given: nothing to serve (see --help)");
		goto out;
	}

	started = true;
	rc = mpdk_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		/* The EAL has said what it disliked; EINVAL is its answer to a
		 * bad option, which is a command-line error like ours. */
		bool bad_args = rte_errno == EINVAL;
		fprintf(stderr, "%s: %s; the EAL options before \"--\" were: ", name,
			bad_args ? "invalid EAL options" : "the DPDK EAL did not start");
		for (int i = 1; i < eal_argc; i++)
			fprintf(stderr, "%s%s", i > 1 ? " " : "", eal_argv[i]);
		fprintf(stderr, "%s\n", eal_argc > 1 ? "" : "(none)");
		if (bad_args) {
			rc = -EINVAL;
			started = false;
		}
		goto out;
	}

	/* DPDK port ids in order of first appearance; stack port i = dpdk_ids[i]. */
	uint16_t n_ports = 0;
	for (uint16_t i = 0; i < c->n_addrs; i++) {
		uint16_t j;
		for (j = 0; j < n_ports; j++)
			if (dpdk_ids[j] == c->addrs[i].port)
				break;
		if (j == n_ports) {
			if (!rte_eth_dev_is_valid_port(c->addrs[i].port)) {
				char list[512];
				list_ports(list, sizeof(list));
				fprintf(stderr, "%s: no DPDK port %u; ports: %s\n", name,
					c->addrs[i].port, list);
				rc = -ENODEV;
				goto out;
			}
			dpdk_ids[n_ports++] = c->addrs[i].port;
		}
		c->addrs[i].port = j;
	}

	/* Enough mbufs for every port's rx and tx rings plus traffic in flight. */
	uint32_t n_mbufs = c->n_mbufs ? c->n_mbufs : 8191;
	uint16_t n_eng = c->n_engines ? c->n_engines : 1;
	uint32_t need = (uint32_t)n_ports * n_eng * (1024 + 1024) + 4096;
	while (n_mbufs < need)
		n_mbufs = n_mbufs * 2 + 1;
	c->n_mbufs = n_mbufs;
	/* On the first port's NUMA node: the NIC DMAs into these buffers. */
	int socket = rte_eth_dev_socket_id(dpdk_ids[0]);
	/* --mtu above what a default mbuf holds: one frame per mbuf, so that
	 * ports that cannot scatter still take it */
	uint32_t room = RTE_MBUF_DEFAULT_BUF_SIZE;
	uint32_t frame = (uint32_t)port_mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;
	if (port_mtu != 0 && RTE_PKTMBUF_HEADROOM + frame > room)
		room = RTE_ALIGN_CEIL(RTE_PKTMBUF_HEADROOM + frame, 1024);
	pool = rte_pktmbuf_pool_create("mpdk_app_mbufs", n_mbufs, 256, 0, (uint16_t)room,
				       socket >= 0 ? socket : SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "%s: cannot create a pool of %u mbufs: %s (more memory: EAL -m MB)\n",
			name, n_mbufs, rte_strerror(rte_errno));
		rc = -ENOMEM;
		goto out;
	}
	c->pool = pool;

	for (uint16_t i = 0; i < n_ports; i++) {
		struct mpdk_ethdev_conf ec = { 0 };
		ec.no_tso = port_no_tso;
		ec.tso_max = port_tso_max;
		ec.mtu = port_mtu;
		ec.no_lro = c->no_gro;
		char dn[RTE_ETH_NAME_MAX_LEN] = "?";
		rte_eth_dev_get_name_by_port(dpdk_ids[i], dn);
		if (n_eng > 1) {
			/* One queue pair per engine where the port can spread TCP
			 * flows with a key we set; otherwise one rx queue, which
			 * engine 0 receives and steers (docs/architecture.md). */
			struct rte_eth_dev_info info;
			if (rte_eth_dev_info_get(dpdk_ids[i], &info) == 0) {
				bool rss = info.max_rx_queues >= n_eng && info.hash_key_size > 0 &&
					   (info.flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_TCP);
				ec.n_rx_queues = rss ? n_eng : 1;
				ec.n_tx_queues = info.max_tx_queues < n_eng ? info.max_tx_queues : n_eng;
				/* net_memif pairs each tx queue with a ring the peer
				 * receives on and refuses more than the peer has rx
				 * queues ("Invalid ring index"): one, like its rx;
				 * the other engines send through engine 0. */
				if (!rss && info.driver_name != NULL &&
				    strcmp(info.driver_name, "net_memif") == 0)
					ec.n_tx_queues = 1;
			}
		}
		rc = mpdk_ethdev_port_open(dpdk_ids[i], &ec, pool, &c->ports[i]);
		if (rc < 0) {
			fprintf(stderr, "%s: cannot start DPDK port %u (%s): %s\n", name,
				dpdk_ids[i], dn, mpdk_strerror(rc));
			goto out;
		}
		c->n_ports = (uint16_t)(i + 1);
	}

	if (app != NULL && app->configure != NULL) {
		rc = app->configure(app->ctx, c);
		if (rc < 0)
			goto out;
	}
	if (key_opts_given && c->tcp != NULL && c->tcp != &key_tc) {
		/* the app made its own TCP settings: the key options still hold */
		static struct mpdk_tcp_conf merged;
		merged = *c->tcp;
		merged.mptcp.key_mode = key_tc.mptcp.key_mode;
		merged.mptcp.ec_curve = key_tc.mptcp.ec_curve;
		merged.mptcp.ec_variant = key_tc.mptcp.ec_variant;
		c->tcp = &merged;
	}
	rc = mpdk_stack_create(c, stack);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot create the stack: %s\n", name, mpdk_strerror(rc));
		goto out;
	}
	rc = 0;
out:
	if (rc < 0 && started) {
		/* start-up failure after the command line was accepted */
		for (uint16_t i = 0; i < c->n_ports; i++) {
			mpdk_port_close(c->ports[i]);
			c->ports[i] = NULL;
		}
		c->n_ports = 0;
		if (pool != NULL)
			rte_mempool_free(pool);
		c->pool = NULL;
		if (rc == -EINVAL)
			rc = -EIO;
	}
	free(eal_argv);
	free(app_argv);
	return rc;
}

void mpdk_app_fini(struct mpdk_args *args, struct mpdk_stack *stack)
{
	mpdk_stack_free(stack);
	if (args != NULL) {
		for (uint16_t p = 0; p < args->conf.n_ports; p++)
			mpdk_port_close(args->conf.ports[p]);
		args->conf.n_ports = 0;
		rte_mempool_free(args->conf.pool);
		args->conf.pool = NULL;
	}
	rte_eal_cleanup();
}
