/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_OPTIONS_H
#define MPDK_MPTCP_OPTIONS_H

/*
 * The MPTCP option codec (RFC 8684 section 3): the only code that reads or
 * writes the bytes of TCP option kind 30. One option in, one tagged struct
 * out; one struct in, one option out. Padding and alignment (NOPs) belong to
 * the TCP options layer that places the option in a header.
 *
 * Pure logic: no allocation, no global state, safe from any thread.
 * docs/mptcp-options.md lists the lengths accepted for every subtype.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPTCP_OPT_KIND 30

/* The bits of the TCP header's flags byte the parser looks at. Same values
 * as DPDK's RTE_TCP_SYN_FLAG / RTE_TCP_ACK_FLAG / RTE_TCP_RST_FLAG. */
#define MPTCP_TH_SYN 0x02
#define MPTCP_TH_RST 0x04
#define MPTCP_TH_ACK 0x10

/* The only protocol version this codec speaks (RFC 8684 = version 1). */
#define MPTCP_VERSION 1

enum mptcp_subtype {
	MPTCP_SUB_CAPABLE = 0x0,     /* MP_CAPABLE, section 3.1 */
	MPTCP_SUB_JOIN = 0x1,        /* MP_JOIN, section 3.2 */
	MPTCP_SUB_DSS = 0x2,         /* DSS, section 3.3 */
	MPTCP_SUB_ADD_ADDR = 0x3,    /* ADD_ADDR, section 3.4.1 */
	MPTCP_SUB_REMOVE_ADDR = 0x4, /* REMOVE_ADDR, section 3.4.2 */
	MPTCP_SUB_PRIO = 0x5,        /* MP_PRIO, section 3.3.8 */
	MPTCP_SUB_FAIL = 0x6,        /* MP_FAIL, section 3.7 */
	MPTCP_SUB_FASTCLOSE = 0x7,   /* MP_FASTCLOSE, section 3.5 */
	MPTCP_SUB_TCPRST = 0x8,      /* MP_TCPRST, section 3.6 */
	MPTCP_SUB_EXPERIMENTAL = 0xf,
};

/* ---- MP_CAPABLE (section 3.1) ---- */

/* Flags byte, A (leftmost) .. H (rightmost). */
#define MPTCP_CAP_A_CHECKSUM 0x80   /* checksum required */
#define MPTCP_CAP_B_EXTENSIBILITY 0x40
#define MPTCP_CAP_C_NO_NEW_SUBFLOW 0x20 /* do not join this source address */
#define MPTCP_CAP_UNASSIGNED 0x1e   /* D..G: other crypto algorithms */
#define MPTCP_CAP_H_HMAC_SHA256 0x01
/* E, one of RFC 8684's unassigned crypto-negotiation bits, taken by mpdk
 * for the EC point exchange of draft "SE-MPTCP" (the draft's suggestion;
 * docs/security.md). To an RFC 8684 parser it is just an unassigned bit. */
#define MPTCP_CAP_E_EC 0x08
/* G: application-supplied keys (docs/security.md "Application-supplied
 * keys"; seeds app-auth-handshake-slides.txt "MP_CAPABLE handshake" and
 * tls-authentication-draft.txt section 2). MP_CAPABLE carries 32-bit
 * tokens instead of keys; the keys come later from the application. */
#define MPTCP_CAP_G_APP_KEYS 0x02

/* The four placements of version 1. The form follows from the segment's
 * SYN/ACK bits and the option length. */
enum mptcp_cap_form {
	MPTCP_CAP_SYN,      /* SYN: no key, length 4 */
	MPTCP_CAP_SYNACK,   /* SYN/ACK: Key-B, length 12 */
	MPTCP_CAP_ACK,      /* third ACK: Key-A, Key-B, length 20 */
	MPTCP_CAP_ACK_DATA, /* first data: both keys + Data-Level Length,
			     * length 22, or 24 with a DSS checksum */
	/*
	 * EC key exchange (flag E; docs/security.md "Wire format"). An option
	 * with E whose length is not the RFC 8684 one for its segment is
	 * one of these; a 4-byte SYN with E stays MPTCP_CAP_SYN. Layout:
	 * kind, length, subtype|version, flags, EC type byte, coordinate
	 * (mptcp_ec_coord_len() big-endian bytes): length 5 + coordinate.
	 * The EC forms start at 8, clear of the RFC 8684 ones.
	 */
	MPTCP_CAP_EC_SYN = 8, /* SYN: A's x (draft) or A's x + y parity */
	MPTCP_CAP_EC_SYNACK, /* SYN/ACK: B's y (draft) or B's x + y parity */
	MPTCP_CAP_EC_ACK,    /* no SYN, a coordinate (draft variant only):
			      * B's x (2nd segment) or A's y (4th) */
	MPTCP_CAP_EC_ACK_CONFIRM, /* no SYN, length 4, no type byte: the
				   * compressed variant's third ACK */
	/*
	 * Application-supplied keys (flag G, E clear; docs/security.md).
	 * Tokens, 4 big-endian bytes each, where RFC 8684 puts keys. A
	 * 4-byte SYN with G and H offers both and stays MPTCP_CAP_SYN; with G
	 * alone it is MPTCP_CAP_APP_SYN. Forms start at 16, clear of the
	 * others.
	 */
	MPTCP_CAP_APP_SYN = 16, /* SYN, G without H: length 4 */
	MPTCP_CAP_APP_SYNACK,   /* SYN/ACK: Token-B (snd_token), length 8 */
	MPTCP_CAP_APP_ACK,      /* third ACK: Token-A, Token-B, length 12 */
	MPTCP_CAP_APP_ACK_DATA, /* first data: both tokens + Data-Level
				 * Length, length 14, or 16 with a checksum */
};

/*
 * The EC type byte: curve id in the low 6 bits (draft Figure 4: 0
 * secp160k1 .. 8 secp256r1, the rest reserved), then two bits mpdk adds
 * for the compressed variant, laid out like the SEC 1 prefix (0x02/0x03)
 * shifted up: COMPRESSED = the coordinate is x and the receiver recovers
 * y, Y_ODD = y is odd. Y_ODD without COMPRESSED is malformed.
 */
#define MPTCP_EC_TYPE_CURVE 0x3f
#define MPTCP_EC_TYPE_COMPRESSED 0x80
#define MPTCP_EC_TYPE_Y_ODD 0x40
#define MPTCP_EC_N_CURVES 9   /* draft Figure 4 */
#define MPTCP_EC_COORD_MAX 32 /* 256-bit curves */

struct mptcp_opt_capable {
	enum mptcp_cap_form form;
	uint8_t version;  /* 1; a SYN may carry a higher one (section 3.1) */
	uint8_t flags;    /* the whole flags byte, MPTCP_CAP_* */
	uint64_t snd_key; /* SYNACK: Key-B; ACK forms: Key-A */
	uint64_t rcv_key; /* ACK forms: Key-B */
	uint32_t snd_token; /* APP forms: APP_SYNACK Token-B, APP_ACK* Token-A */
	uint32_t rcv_token; /* APP_ACK, APP_ACK_DATA: Token-B */
	uint16_t data_len; /* ACK_DATA, APP_ACK_DATA only */
	bool has_csum;    /* ACK_DATA (length 24), APP_ACK_DATA (16) only */
	uint16_t csum;    /* host order of the wire field */
	/* EC forms except ACK_CONFIRM: the type byte and the coordinate,
	 * mptcp_ec_coord_len(ec_type & MPTCP_EC_TYPE_CURVE) bytes used. */
	uint8_t ec_type;
	uint8_t ec_coord[MPTCP_EC_COORD_MAX];
};

/* Bytes of one coordinate of EC curve @curve (draft Figure 4 id), or 0 for
 * a reserved id. */
size_t mptcp_ec_coord_len(unsigned curve);

/* ---- MP_JOIN (section 3.2) ---- */

#define MPTCP_JOIN_ACK_HMAC_LEN 20 /* 160 bits in the third ACK */

enum mptcp_join_form {
	MPTCP_JOIN_SYN,    /* B, address id, token, nonce: length 12 */
	MPTCP_JOIN_SYNACK, /* B, address id, truncated HMAC, nonce: 16 */
	MPTCP_JOIN_ACK,    /* 160-bit HMAC: 24 */
	/* EC mode's SYN (draft section 4.2): flag MPTCP_JOIN_EC, B, address
	 * id, Token_B, HMAC_Token, R_A: length 16. EC mode's SYN/ACK (Auth_B,
	 * R_B) and ACK (Auth_A) use the SYNACK and ACK forms unchanged.
	 * 8, clear of the RFC 8684 forms. */
	MPTCP_JOIN_SYN_EC = 8,
};

/* A reserved bit of MP_JOIN's subtype byte, set in MPTCP_JOIN_SYN_EC only:
 * a 16-byte SYN without it is malformed, as in RFC 8684. */
#define MPTCP_JOIN_EC 0x08

struct mptcp_opt_join {
	enum mptcp_join_form form;
	bool backup;      /* SYN, SYNACK */
	uint8_t addr_id;  /* SYN, SYNACK */
	uint32_t token;   /* SYN, SYN_EC: the receiver's token */
	uint32_t nonce;   /* SYN, SYN_EC, SYNACK: the sender's random number */
	uint32_t hmac_token; /* SYN_EC: HMAC_Token (draft Figure 2) */
	uint64_t thmac;   /* SYNACK: leftmost 64 bits of the HMAC, as a number */
	uint8_t hmac[MPTCP_JOIN_ACK_HMAC_LEN]; /* ACK */
};

/* ---- DSS (section 3.3) ---- */

/* Flags byte, rightmost bits. */
#define MPTCP_DSS_A_DATA_ACK 0x01
#define MPTCP_DSS_a_ACK64 0x02
#define MPTCP_DSS_M_MAP 0x04
#define MPTCP_DSS_m_DSN64 0x08
#define MPTCP_DSS_F_DATA_FIN 0x10

struct mptcp_opt_dss {
	bool has_ack;   /* A */
	bool ack64;     /* a: meaningful only with has_ack */
	bool has_map;   /* M */
	bool dsn64;     /* m: meaningful only with has_map */
	bool data_fin;  /* F */
	bool has_csum;  /* the mapping carries a checksum (needs has_map) */
	uint64_t data_ack; /* the low 32 bits only unless ack64 */
	uint64_t dsn;      /* the low 32 bits only unless dsn64 */
	uint32_t ssn;      /* relative subflow sequence number */
	uint16_t data_len; /* 0 with a mapping = infinite mapping (3.7) */
	uint16_t csum;     /* host order of the wire field */
};

/* ---- ADD_ADDR (section 3.4.1) ---- */

#define MPTCP_ADDR_IPV4 4
#define MPTCP_ADDR_IPV6 6

struct mptcp_opt_add_addr {
	bool echo;        /* E: an echo carries no HMAC */
	uint8_t addr_id;
	uint8_t family;   /* MPTCP_ADDR_IPV4 or MPTCP_ADDR_IPV6 */
	bool has_port;
	uint16_t port;    /* host order */
	union {
		uint32_t v4;  /* network byte order */
		uint8_t v6[16];
	} addr;
	uint64_t hmac;    /* !echo: rightmost 64 bits of the HMAC, a number */
};

/* ---- REMOVE_ADDR (section 3.4.2) ---- */

/* 40 bytes of TCP options minus the 3-byte header. */
#define MPTCP_RM_IDS_MAX 37

struct mptcp_opt_remove_addr {
	uint8_t n_ids; /* 1..MPTCP_RM_IDS_MAX */
	uint8_t ids[MPTCP_RM_IDS_MAX];
};

/* ---- MP_PRIO (section 3.3.8) ---- */

struct mptcp_opt_prio {
	bool backup;
	/* RFC 6824's 4-byte form names an address; RFC 8684 dropped it
	 * (length 3). It is accepted and written back if present. */
	bool has_addr_id;
	uint8_t addr_id;
};

/* ---- MP_FAIL (3.7), MP_FASTCLOSE (3.5), MP_TCPRST (3.6) ---- */

struct mptcp_opt_fail {
	uint64_t dsn;
};

struct mptcp_opt_fastclose {
	uint64_t rcv_key; /* the receiver's key */
};

#define MPTCP_RST_T_TRANSIENT 0x01 /* flags U V W T: only T is assigned */

enum mptcp_rst_reason {
	MPTCP_RST_UNSPEC = 0x00,
	MPTCP_RST_EMPTCP = 0x01,     /* MPTCP-specific error */
	MPTCP_RST_ERESOURCE = 0x02,  /* lack of resources */
	MPTCP_RST_EPROHIBIT = 0x03,  /* administratively prohibited */
	MPTCP_RST_EWQ2BIG = 0x04,    /* too much outstanding data */
	MPTCP_RST_EBADPERF = 0x05,   /* unacceptable performance */
	MPTCP_RST_EMIDDLEBOX = 0x06, /* middlebox interference */
};

struct mptcp_opt_tcprst {
	uint8_t flags;  /* low nibble, MPTCP_RST_T_TRANSIENT */
	uint8_t reason; /* enum mptcp_rst_reason, others passed through */
};

/* One parsed MPTCP option: @subtype says which member of the union holds
 * it. */
struct mptcp_opt {
	enum mptcp_subtype subtype;
	union {
		struct mptcp_opt_capable mpc;
		struct mptcp_opt_join mpj;
		struct mptcp_opt_dss dss;
		struct mptcp_opt_add_addr add_addr;
		struct mptcp_opt_remove_addr rm_addr;
		struct mptcp_opt_prio prio;
		struct mptcp_opt_fail fail;
		struct mptcp_opt_fastclose fastclose;
		struct mptcp_opt_tcprst tcprst;
	};
};

/*
 * Parse one MPTCP option.
 *
 * @p points at the kind byte (30); @len is the number of bytes readable from
 * @p. The option's own length byte p[1] must be <= @len; bytes after it are
 * not looked at, so @len may be the rest of the options area.
 * @tcp_flags: the segment's TCP flags byte; SYN and ACK pick the form of
 * MP_CAPABLE and MP_JOIN (no SYN: the ACK forms).
 *
 * Returns 0 and fills @out (every byte of it: unused fields are zero), or
 *   -EBADMSG: malformed: not kind 30, truncated, length byte beyond @len, or
 *             a length this subtype/form does not have;
 *   -ENOTSUP: well formed but not ours: a subtype this codec does not know
 *             (out->subtype holds it), an MP_CAPABLE of another version, or
 *             one whose flags ask for what we cannot do (B set, H clear;
 *             an EC form needs E instead of H), or an EC form naming a
 *             reserved curve (out->mpc.ec_type holds it).
 *             Section 3.1: such an MP_CAPABLE is ignored, i.e. the caller
 *             falls back to plain TCP. out->subtype and, for MP_CAPABLE,
 *             out->mpc.version/flags are filled for logging.
 * What is checked is the wire format only; whether an option is acceptable
 * in the connection's state (e.g. a checksum that was not negotiated,
 * MP_TCPRST on a segment without RST) is for the caller.
 */
int mptcp_opt_parse(const uint8_t *p, size_t len, uint8_t tcp_flags, struct mptcp_opt *out);

/*
 * Bytes that mptcp_opt_write() writes for @o, or 0 if @o cannot be encoded
 * (unknown subtype or form, unknown address family, REMOVE_ADDR with 0 or
 * more than MPTCP_RM_IDS_MAX ids, a DSS checksum without a mapping, an EC
 * MP_CAPABLE form without flag E, with a reserved curve or with a type byte
 * its form does not allow: Y_ODD without COMPRESSED, COMPRESSED in
 * MPTCP_CAP_EC_ACK).
 */
size_t mptcp_opt_len(const struct mptcp_opt *o);

/*
 * Write @o as one option (kind, length, ...) into @buf.
 * Returns the bytes written, or 0 (nothing written) if @o cannot be encoded
 * or does not fit in @budget. Never writes past @budget.
 * Fields that a form does not carry are ignored; 32-bit DSS fields write the
 * low 32 bits of the value.
 */
size_t mptcp_opt_write(uint8_t *buf, size_t budget, const struct mptcp_opt *o);

/* Length of a DSS option with these parts (RFC 8684 section 3.3): the
 * budget to reserve before the mapping is known. */
size_t mptcp_dss_len(bool has_ack, bool ack64, bool has_map, bool dsn64, bool has_csum);

/* Short name of a subtype ("MP_CAPABLE", "DSS", ...; "unknown"). */
const char *mptcp_subtype_name(unsigned subtype);

#endif
