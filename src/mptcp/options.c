/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MPTCP option codec, RFC 8684 section 3. Lengths are checked exactly: an
 * option whose length is not one this subtype (and, for MP_CAPABLE and
 * MP_JOIN, this handshake step) has is malformed, as in Linux. Whether a
 * well-formed option makes sense for the connection is the caller's call.
 */

#include "mptcp/options.h"

#include <errno.h>
#include <string.h>

/* Option lengths, kind and length bytes included. */
enum {
	LEN_CAP_SYN = 4,
	LEN_CAP_SYNACK = 12,
	LEN_CAP_ACK = 20,
	LEN_CAP_ACK_DATA = 22,
	LEN_CAP_ACK_DATA_CSUM = 24,
	LEN_JOIN_SYN = 12,
	LEN_JOIN_SYN_EC = 16,
	LEN_CAP_EC_BASE = 5,    /* kind, length, subtype|version, flags, type */
	LEN_CAP_EC_CONFIRM = 4,
	LEN_CAP_APP_SYN = 4,        /* flag G: tokens in place of keys */
	LEN_CAP_APP_SYNACK = 8,
	LEN_CAP_APP_ACK = 12,
	LEN_CAP_APP_ACK_DATA = 14,
	LEN_CAP_APP_ACK_DATA_CSUM = 16,
	LEN_JOIN_SYNACK = 16,
	LEN_JOIN_ACK = 24,
	LEN_DSS_BASE = 4,
	LEN_ADD_ADDR_BASE = 4,  /* kind, length, subtype|E, address id */
	LEN_ADD_ADDR_HMAC = 8,
	LEN_RM_ADDR_BASE = 3,
	LEN_PRIO = 3,
	LEN_PRIO_ADDR_ID = 4,
	LEN_FAIL = 12,
	LEN_FASTCLOSE = 12,
	LEN_TCPRST = 4,
};

#define ADD_ADDR_E_ECHO 0x01
#define JOIN_B_BACKUP 0x01
#define PRIO_B_BACKUP 0x01

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static inline uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint8_t *put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	return put32(p + 4, (uint32_t)v);
}

size_t mptcp_dss_len(bool has_ack, bool ack64, bool has_map, bool dsn64, bool has_csum)
{
	size_t n = LEN_DSS_BASE;

	if (has_ack)
		n += ack64 ? 8 : 4;
	if (has_map)
		n += (dsn64 ? 8 : 4) + 4 + 2 + (has_csum ? 2 : 0);
	return n;
}

static size_t add_addr_len(bool echo, uint8_t family, bool has_port)
{
	size_t n = LEN_ADD_ADDR_BASE;

	if (family == MPTCP_ADDR_IPV4)
		n += 4;
	else if (family == MPTCP_ADDR_IPV6)
		n += 16;
	else
		return 0;
	if (has_port)
		n += 2;
	if (!echo)
		n += LEN_ADD_ADDR_HMAC;
	return n;
}

/* Draft Figure 4: EC type -> curve; a coordinate is the field size. */
size_t mptcp_ec_coord_len(unsigned curve)
{
	static const uint8_t coord[MPTCP_EC_N_CURVES] = {
		20, 20, 20, /* secp160k1, secp160r1, secp160r2 */
		24, 24,     /* secp192k1, secp192r1 */
		28, 28,     /* secp224k1, secp224r1 */
		32, 32,     /* secp256k1, secp256r1 */
	};

	return curve < MPTCP_EC_N_CURVES ? coord[curve] : 0;
}

/* The EC forms a type byte may take: COMPRESSED only where a whole point
 * goes (SYN, SYN/ACK), Y_ODD only with COMPRESSED. */
static bool ec_type_ok(enum mptcp_cap_form form, uint8_t type)
{
	bool compressed = type & MPTCP_EC_TYPE_COMPRESSED;

	if ((type & MPTCP_EC_TYPE_Y_ODD) && !compressed)
		return false;
	return !(compressed && form == MPTCP_CAP_EC_ACK);
}

static bool cap_is_ec(enum mptcp_cap_form form)
{
	return form >= MPTCP_CAP_EC_SYN && form <= MPTCP_CAP_EC_ACK_CONFIRM;
}

/* ---- parsing ---- */

/*
 * The EC forms (docs/security.md): reached when E is set and the length is
 * not RFC 8684's for this segment. Non-SYN, length 4: the compressed
 * variant's confirmation. Otherwise a type byte and one coordinate whose
 * size the curve fixes, exactly.
 */
static int parse_capable_ec(const uint8_t *p, uint8_t optlen, bool pure_syn, bool syn,
			    struct mptcp_opt_capable *c)
{
	size_t coord;

	if (!syn && optlen == LEN_CAP_EC_CONFIRM) {
		c->form = MPTCP_CAP_EC_ACK_CONFIRM;
	} else {
		if (optlen < LEN_CAP_EC_BASE)
			return -EBADMSG;
		c->ec_type = p[4];
		c->form = pure_syn ? MPTCP_CAP_EC_SYN : syn ? MPTCP_CAP_EC_SYNACK : MPTCP_CAP_EC_ACK;
		if (!ec_type_ok(c->form, c->ec_type))
			return -EBADMSG;
		coord = mptcp_ec_coord_len(c->ec_type & MPTCP_EC_TYPE_CURVE);
		if (coord == 0)
			return -ENOTSUP; /* a reserved curve: not ours */
		if (optlen != LEN_CAP_EC_BASE + coord)
			return -EBADMSG;
		memcpy(c->ec_coord, p + LEN_CAP_EC_BASE, coord);
	}
	/* B: an extension we do not know, as for the RFC 8684 forms. */
	if (c->flags & MPTCP_CAP_B_EXTENSIBILITY)
		return -ENOTSUP;
	return 0;
}

static bool cap_is_app(enum mptcp_cap_form form)
{
	return form >= MPTCP_CAP_APP_SYN && form <= MPTCP_CAP_APP_ACK_DATA;
}

/*
 * Application-supplied keys (flag G; docs/security.md): the token forms.
 * Returns 1 when the option is not one of them (G with RFC 8684's length
 * for the segment, or a SYN that also offers H): the caller parses it as
 * RFC 8684's.
 */
static int parse_capable_app(const uint8_t *p, uint8_t optlen, bool pure_syn, bool syn,
			     struct mptcp_opt_capable *c)
{
	if (pure_syn) {
		if (optlen != LEN_CAP_APP_SYN || (c->flags & MPTCP_CAP_H_HMAC_SHA256))
			return 1;
		c->form = MPTCP_CAP_APP_SYN;
	} else if (syn) {
		if (optlen != LEN_CAP_APP_SYNACK)
			return 1;
		c->form = MPTCP_CAP_APP_SYNACK;
		c->snd_token = get32(p + 4);
	} else if (optlen == LEN_CAP_APP_ACK || optlen == LEN_CAP_APP_ACK_DATA ||
		   optlen == LEN_CAP_APP_ACK_DATA_CSUM) {
		c->form = optlen == LEN_CAP_APP_ACK ? MPTCP_CAP_APP_ACK : MPTCP_CAP_APP_ACK_DATA;
		c->snd_token = get32(p + 4);
		c->rcv_token = get32(p + 8);
		if (optlen >= LEN_CAP_APP_ACK_DATA)
			c->data_len = get16(p + 12);
		if (optlen == LEN_CAP_APP_ACK_DATA_CSUM) {
			c->has_csum = true;
			c->csum = get16(p + 14);
		}
	} else {
		return 1;
	}
	if (c->flags & MPTCP_CAP_B_EXTENSIBILITY)
		return -ENOTSUP;
	return 0;
}

/*
 * Section 3.1. The form is fixed by the segment: SYN -> 4, SYN/ACK -> 12,
 * otherwise the third ACK (20) or the first data (22, 24 with checksum).
 * A SYN may offer a version above 1 (the responder answers with the one it
 * speaks), so it is returned, not refused; v0 and, after the SYN, anything
 * but v1 are refused with -ENOTSUP, which the caller turns into a fallback.
 */
static int parse_capable(const uint8_t *p, uint8_t optlen, uint8_t tcp_flags,
			 struct mptcp_opt_capable *c)
{
	bool syn = tcp_flags & MPTCP_TH_SYN;
	bool pure_syn = syn && !(tcp_flags & MPTCP_TH_ACK);

	if (optlen < LEN_CAP_SYN)
		return -EBADMSG;
	c->version = p[2] & 0x0f;
	c->flags = p[3];
	if (c->version < MPTCP_VERSION ||
	    (c->version > MPTCP_VERSION && !(pure_syn && optlen == LEN_CAP_SYN)))
		return -ENOTSUP;

	/* G (and not E): the token forms, when the length is theirs. */
	if ((c->flags & MPTCP_CAP_G_APP_KEYS) && !(c->flags & MPTCP_CAP_E_EC)) {
		int rc = parse_capable_app(p, optlen, pure_syn, syn, c);

		if (rc <= 0) {
			if (rc < 0)
				c->form = 0;
			return rc;
		}
		c->form = 0;
		c->snd_token = c->rcv_token = 0;
		c->data_len = 0;
		c->has_csum = false;
		c->csum = 0;
	}

	/* E with RFC 8684's length for this segment is an RFC 8684 option
	 * that happens to offer E too; any other length is an EC form. */
	if (c->flags & MPTCP_CAP_E_EC) {
		bool rfc_len;

		if (pure_syn)
			rfc_len = optlen == LEN_CAP_SYN;
		else if (syn)
			rfc_len = optlen == LEN_CAP_SYNACK;
		else
			rfc_len = optlen == LEN_CAP_ACK || optlen == LEN_CAP_ACK_DATA ||
				  optlen == LEN_CAP_ACK_DATA_CSUM;
		if (!rfc_len)
			return parse_capable_ec(p, optlen, pure_syn, syn, c);
	}

	if (pure_syn) {
		if (optlen != LEN_CAP_SYN)
			return -EBADMSG;
		c->form = MPTCP_CAP_SYN;
	} else if (syn) {
		if (optlen != LEN_CAP_SYNACK)
			return -EBADMSG;
		c->form = MPTCP_CAP_SYNACK;
	} else if (optlen == LEN_CAP_ACK) {
		c->form = MPTCP_CAP_ACK;
	} else if (optlen == LEN_CAP_ACK_DATA || optlen == LEN_CAP_ACK_DATA_CSUM) {
		c->form = MPTCP_CAP_ACK_DATA;
	} else {
		return -EBADMSG;
	}

	/* "B" asks for an extension we do not know, and without "H" no
	 * algorithm we implement is on offer: ignore the option, section 3.1. */
	if ((c->flags & MPTCP_CAP_B_EXTENSIBILITY) || !(c->flags & MPTCP_CAP_H_HMAC_SHA256))
		return -ENOTSUP;

	if (optlen >= LEN_CAP_SYNACK)
		c->snd_key = get64(p + 4);
	if (optlen >= LEN_CAP_ACK)
		c->rcv_key = get64(p + 12);
	if (optlen >= LEN_CAP_ACK_DATA)
		c->data_len = get16(p + 20);
	if (optlen == LEN_CAP_ACK_DATA_CSUM) {
		c->has_csum = true;
		c->csum = get16(p + 22);
	}
	return 0;
}

/* Section 3.2: SYN -> 12, SYN/ACK -> 16, otherwise the third ACK -> 24.
 * EC mode's SYN: 16 with flag MPTCP_JOIN_EC (draft section 4.2). */
static int parse_join(const uint8_t *p, uint8_t optlen, uint8_t tcp_flags,
		      struct mptcp_opt_join *j)
{
	if (tcp_flags & MPTCP_TH_SYN) {
		bool synack = tcp_flags & MPTCP_TH_ACK;

		if (!synack && optlen == LEN_JOIN_SYN_EC && (p[2] & MPTCP_JOIN_EC)) {
			j->form = MPTCP_JOIN_SYN_EC;
			j->backup = p[2] & JOIN_B_BACKUP;
			j->addr_id = p[3];
			j->token = get32(p + 4);
			j->hmac_token = get32(p + 8);
			j->nonce = get32(p + 12);
			return 0;
		}
		if (optlen != (synack ? LEN_JOIN_SYNACK : LEN_JOIN_SYN))
			return -EBADMSG;
		j->backup = p[2] & JOIN_B_BACKUP;
		j->addr_id = p[3];
		if (synack) {
			j->form = MPTCP_JOIN_SYNACK;
			j->thmac = get64(p + 4);
			j->nonce = get32(p + 12);
		} else {
			j->form = MPTCP_JOIN_SYN;
			j->token = get32(p + 4);
			j->nonce = get32(p + 8);
		}
		return 0;
	}
	if (optlen != LEN_JOIN_ACK)
		return -EBADMSG;
	j->form = MPTCP_JOIN_ACK;
	memcpy(j->hmac, p + 4, MPTCP_JOIN_ACK_HMAC_LEN);
	return 0;
}

/* Section 3.3: the flags say which fields follow, and the length must be
 * exactly theirs; the only freedom is the mapping's 2-byte checksum. */
static int parse_dss(const uint8_t *p, uint8_t optlen, struct mptcp_opt_dss *d)
{
	uint8_t flags;
	size_t want;

	if (optlen < LEN_DSS_BASE)
		return -EBADMSG;
	flags = p[3];
	d->has_ack = flags & MPTCP_DSS_A_DATA_ACK;
	d->ack64 = d->has_ack && (flags & MPTCP_DSS_a_ACK64);
	d->has_map = flags & MPTCP_DSS_M_MAP;
	d->dsn64 = d->has_map && (flags & MPTCP_DSS_m_DSN64);
	d->data_fin = flags & MPTCP_DSS_F_DATA_FIN;

	want = mptcp_dss_len(d->has_ack, d->ack64, d->has_map, d->dsn64, false);
	if (d->has_map && optlen == want + 2)
		d->has_csum = true;
	else if (optlen != want)
		return -EBADMSG;

	p += LEN_DSS_BASE;
	if (d->has_ack) {
		d->data_ack = d->ack64 ? get64(p) : get32(p);
		p += d->ack64 ? 8 : 4;
	}
	if (d->has_map) {
		d->dsn = d->dsn64 ? get64(p) : get32(p);
		p += d->dsn64 ? 8 : 4;
		d->ssn = get32(p);
		d->data_len = get16(p + 4);
		if (d->has_csum)
			d->csum = get16(p + 6);
	}
	return 0;
}

/* Section 3.4.1: the family, the port and the HMAC are told apart by the
 * length alone (E says whether the HMAC is there). */
static int parse_add_addr(const uint8_t *p, uint8_t optlen, struct mptcp_opt_add_addr *a)
{
	static const uint8_t families[] = { MPTCP_ADDR_IPV4, MPTCP_ADDR_IPV6 };
	const uint8_t *q;

	a->echo = p[2] & ADD_ADDR_E_ECHO;
	a->family = 0;
	for (unsigned i = 0; i < sizeof(families) && !a->family; i++) {
		for (int port = 0; port <= 1; port++) {
			if (optlen == add_addr_len(a->echo, families[i], port)) {
				a->family = families[i];
				a->has_port = port;
				break;
			}
		}
	}
	if (!a->family)
		return -EBADMSG;

	a->addr_id = p[3];
	q = p + LEN_ADD_ADDR_BASE;
	if (a->family == MPTCP_ADDR_IPV4) {
		memcpy(&a->addr.v4, q, 4);
		q += 4;
	} else {
		memcpy(a->addr.v6, q, 16);
		q += 16;
	}
	if (a->has_port) {
		a->port = get16(q);
		q += 2;
	}
	if (!a->echo)
		a->hmac = get64(q);
	return 0;
}

int mptcp_opt_parse(const uint8_t *p, size_t len, uint8_t tcp_flags, struct mptcp_opt *out)
{
	uint8_t optlen;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len < 3 || p[0] != MPTCP_OPT_KIND)
		return -EBADMSG;
	optlen = p[1];
	if (optlen < 3 || optlen > len)
		return -EBADMSG;

	out->subtype = (enum mptcp_subtype)(p[2] >> 4);
	switch (out->subtype) {
	case MPTCP_SUB_CAPABLE:
		return parse_capable(p, optlen, tcp_flags, &out->mpc);
	case MPTCP_SUB_JOIN:
		return parse_join(p, optlen, tcp_flags, &out->mpj);
	case MPTCP_SUB_DSS:
		return parse_dss(p, optlen, &out->dss);
	case MPTCP_SUB_ADD_ADDR:
		return parse_add_addr(p, optlen, &out->add_addr);
	case MPTCP_SUB_REMOVE_ADDR:
		if (optlen < LEN_RM_ADDR_BASE + 1 || optlen > LEN_RM_ADDR_BASE + MPTCP_RM_IDS_MAX)
			return -EBADMSG;
		out->rm_addr.n_ids = (uint8_t)(optlen - LEN_RM_ADDR_BASE);
		memcpy(out->rm_addr.ids, p + LEN_RM_ADDR_BASE, out->rm_addr.n_ids);
		return 0;
	case MPTCP_SUB_PRIO:
		if (optlen != LEN_PRIO && optlen != LEN_PRIO_ADDR_ID)
			return -EBADMSG;
		out->prio.backup = p[2] & PRIO_B_BACKUP;
		if (optlen == LEN_PRIO_ADDR_ID) {
			out->prio.has_addr_id = true;
			out->prio.addr_id = p[3];
		}
		return 0;
	case MPTCP_SUB_FAIL:
		if (optlen != LEN_FAIL)
			return -EBADMSG;
		out->fail.dsn = get64(p + 4);
		return 0;
	case MPTCP_SUB_FASTCLOSE:
		if (optlen != LEN_FASTCLOSE)
			return -EBADMSG;
		out->fastclose.rcv_key = get64(p + 4);
		return 0;
	case MPTCP_SUB_TCPRST:
		if (optlen != LEN_TCPRST)
			return -EBADMSG;
		out->tcprst.flags = p[2] & 0x0f;
		out->tcprst.reason = p[3];
		return 0;
	default:
		return -ENOTSUP;
	}
}

/* ---- writing ---- */

size_t mptcp_opt_len(const struct mptcp_opt *o)
{
	switch (o->subtype) {
	case MPTCP_SUB_CAPABLE:
		switch (o->mpc.form) {
		case MPTCP_CAP_SYN:
			return LEN_CAP_SYN;
		case MPTCP_CAP_SYNACK:
			return LEN_CAP_SYNACK;
		case MPTCP_CAP_ACK:
			return LEN_CAP_ACK;
		case MPTCP_CAP_ACK_DATA:
			return o->mpc.has_csum ? LEN_CAP_ACK_DATA_CSUM : LEN_CAP_ACK_DATA;
		case MPTCP_CAP_EC_SYN:
		case MPTCP_CAP_EC_SYNACK:
		case MPTCP_CAP_EC_ACK: {
			size_t coord = mptcp_ec_coord_len(o->mpc.ec_type & MPTCP_EC_TYPE_CURVE);

			if (!(o->mpc.flags & MPTCP_CAP_E_EC) || coord == 0 ||
			    !ec_type_ok(o->mpc.form, o->mpc.ec_type))
				return 0;
			return LEN_CAP_EC_BASE + coord;
		}
		case MPTCP_CAP_EC_ACK_CONFIRM:
			return (o->mpc.flags & MPTCP_CAP_E_EC) ? LEN_CAP_EC_CONFIRM : 0;
		case MPTCP_CAP_APP_SYN:
		case MPTCP_CAP_APP_SYNACK:
		case MPTCP_CAP_APP_ACK:
		case MPTCP_CAP_APP_ACK_DATA:
			/* G set, E clear (or the receiver would parse an EC form),
			 * and APP_SYN without H (or it reads as MPTCP_CAP_SYN) */
			if ((o->mpc.flags & (MPTCP_CAP_G_APP_KEYS | MPTCP_CAP_E_EC)) != MPTCP_CAP_G_APP_KEYS)
				return 0;
			if (o->mpc.form == MPTCP_CAP_APP_SYN)
				return (o->mpc.flags & MPTCP_CAP_H_HMAC_SHA256) ? 0 : LEN_CAP_APP_SYN;
			if (o->mpc.form == MPTCP_CAP_APP_SYNACK)
				return LEN_CAP_APP_SYNACK;
			if (o->mpc.form == MPTCP_CAP_APP_ACK)
				return LEN_CAP_APP_ACK;
			return o->mpc.has_csum ? LEN_CAP_APP_ACK_DATA_CSUM : LEN_CAP_APP_ACK_DATA;
		}
		return 0;
	case MPTCP_SUB_JOIN:
		switch (o->mpj.form) {
		case MPTCP_JOIN_SYN:
			return LEN_JOIN_SYN;
		case MPTCP_JOIN_SYNACK:
			return LEN_JOIN_SYNACK;
		case MPTCP_JOIN_ACK:
			return LEN_JOIN_ACK;
		case MPTCP_JOIN_SYN_EC:
			return LEN_JOIN_SYN_EC;
		}
		return 0;
	case MPTCP_SUB_DSS:
		if (o->dss.has_csum && !o->dss.has_map)
			return 0;
		return mptcp_dss_len(o->dss.has_ack, o->dss.ack64, o->dss.has_map, o->dss.dsn64,
				     o->dss.has_csum);
	case MPTCP_SUB_ADD_ADDR:
		return add_addr_len(o->add_addr.echo, o->add_addr.family, o->add_addr.has_port);
	case MPTCP_SUB_REMOVE_ADDR:
		if (o->rm_addr.n_ids == 0 || o->rm_addr.n_ids > MPTCP_RM_IDS_MAX)
			return 0;
		return LEN_RM_ADDR_BASE + o->rm_addr.n_ids;
	case MPTCP_SUB_PRIO:
		return o->prio.has_addr_id ? LEN_PRIO_ADDR_ID : LEN_PRIO;
	case MPTCP_SUB_FAIL:
		return LEN_FAIL;
	case MPTCP_SUB_FASTCLOSE:
		return LEN_FASTCLOSE;
	case MPTCP_SUB_TCPRST:
		return LEN_TCPRST;
	default:
		return 0;
	}
}

static void write_dss(uint8_t *p, const struct mptcp_opt_dss *d)
{
	uint8_t flags = 0;

	if (d->has_ack)
		flags |= MPTCP_DSS_A_DATA_ACK | (d->ack64 ? MPTCP_DSS_a_ACK64 : 0);
	if (d->has_map)
		flags |= MPTCP_DSS_M_MAP | (d->dsn64 ? MPTCP_DSS_m_DSN64 : 0);
	if (d->data_fin)
		flags |= MPTCP_DSS_F_DATA_FIN;
	p[3] = flags;
	p += LEN_DSS_BASE;
	if (d->has_ack)
		p = d->ack64 ? put64(p, d->data_ack) : put32(p, (uint32_t)d->data_ack);
	if (d->has_map) {
		p = d->dsn64 ? put64(p, d->dsn) : put32(p, (uint32_t)d->dsn);
		p = put32(p, d->ssn);
		p = put16(p, d->data_len);
		if (d->has_csum)
			put16(p, d->csum);
	}
}

static void write_add_addr(uint8_t *p, const struct mptcp_opt_add_addr *a)
{
	p[2] |= a->echo ? ADD_ADDR_E_ECHO : 0;
	p[3] = a->addr_id;
	p += LEN_ADD_ADDR_BASE;
	if (a->family == MPTCP_ADDR_IPV4) {
		memcpy(p, &a->addr.v4, 4);
		p += 4;
	} else {
		memcpy(p, a->addr.v6, 16);
		p += 16;
	}
	if (a->has_port)
		p = put16(p, a->port);
	if (!a->echo)
		put64(p, a->hmac);
}

size_t mptcp_opt_write(uint8_t *buf, size_t budget, const struct mptcp_opt *o)
{
	size_t n = mptcp_opt_len(o);
	uint8_t *p = buf;

	if (n == 0 || n > budget)
		return 0;
	p[0] = MPTCP_OPT_KIND;
	p[1] = (uint8_t)n;
	p[2] = (uint8_t)(o->subtype << 4);

	switch (o->subtype) {
	case MPTCP_SUB_CAPABLE:
		p[2] |= o->mpc.version & 0x0f;
		p[3] = o->mpc.flags;
		if (cap_is_ec(o->mpc.form)) {
			if (n > LEN_CAP_EC_CONFIRM) {
				p[4] = o->mpc.ec_type;
				memcpy(p + LEN_CAP_EC_BASE, o->mpc.ec_coord, n - LEN_CAP_EC_BASE);
			}
			break;
		}
		if (cap_is_app(o->mpc.form)) {
			if (n >= LEN_CAP_APP_SYNACK)
				put32(p + 4, o->mpc.snd_token);
			if (n >= LEN_CAP_APP_ACK)
				put32(p + 8, o->mpc.rcv_token);
			if (n >= LEN_CAP_APP_ACK_DATA)
				put16(p + 12, o->mpc.data_len);
			if (n == LEN_CAP_APP_ACK_DATA_CSUM)
				put16(p + 14, o->mpc.csum);
			break;
		}
		if (n >= LEN_CAP_SYNACK)
			put64(p + 4, o->mpc.snd_key);
		if (n >= LEN_CAP_ACK)
			put64(p + 12, o->mpc.rcv_key);
		if (n >= LEN_CAP_ACK_DATA)
			put16(p + 20, o->mpc.data_len);
		if (n == LEN_CAP_ACK_DATA_CSUM)
			put16(p + 22, o->mpc.csum);
		break;
	case MPTCP_SUB_JOIN:
		if (o->mpj.form == MPTCP_JOIN_ACK) {
			p[3] = 0;
			memcpy(p + 4, o->mpj.hmac, MPTCP_JOIN_ACK_HMAC_LEN);
			break;
		}
		p[2] |= o->mpj.backup ? JOIN_B_BACKUP : 0;
		p[3] = o->mpj.addr_id;
		if (o->mpj.form == MPTCP_JOIN_SYN_EC) {
			p[2] |= MPTCP_JOIN_EC;
			put32(p + 4, o->mpj.token);
			put32(p + 8, o->mpj.hmac_token);
			put32(p + 12, o->mpj.nonce);
		} else if (o->mpj.form == MPTCP_JOIN_SYN) {
			put32(p + 4, o->mpj.token);
			put32(p + 8, o->mpj.nonce);
		} else {
			put64(p + 4, o->mpj.thmac);
			put32(p + 12, o->mpj.nonce);
		}
		break;
	case MPTCP_SUB_DSS:
		write_dss(p, &o->dss);
		break;
	case MPTCP_SUB_ADD_ADDR:
		write_add_addr(p, &o->add_addr);
		break;
	case MPTCP_SUB_REMOVE_ADDR:
		memcpy(p + LEN_RM_ADDR_BASE, o->rm_addr.ids, o->rm_addr.n_ids);
		break;
	case MPTCP_SUB_PRIO:
		p[2] |= o->prio.backup ? PRIO_B_BACKUP : 0;
		if (o->prio.has_addr_id)
			p[3] = o->prio.addr_id;
		break;
	case MPTCP_SUB_FAIL:
		p[3] = 0;
		put64(p + 4, o->fail.dsn);
		break;
	case MPTCP_SUB_FASTCLOSE:
		p[3] = 0;
		put64(p + 4, o->fastclose.rcv_key);
		break;
	case MPTCP_SUB_TCPRST:
		p[2] |= o->tcprst.flags & 0x0f;
		p[3] = o->tcprst.reason;
		break;
	default:
		return 0;
	}
	return n;
}

const char *mptcp_subtype_name(unsigned subtype)
{
	static const char *const names[] = {
		[MPTCP_SUB_CAPABLE] = "MP_CAPABLE",
		[MPTCP_SUB_JOIN] = "MP_JOIN",
		[MPTCP_SUB_DSS] = "DSS",
		[MPTCP_SUB_ADD_ADDR] = "ADD_ADDR",
		[MPTCP_SUB_REMOVE_ADDR] = "REMOVE_ADDR",
		[MPTCP_SUB_PRIO] = "MP_PRIO",
		[MPTCP_SUB_FAIL] = "MP_FAIL",
		[MPTCP_SUB_FASTCLOSE] = "MP_FASTCLOSE",
		[MPTCP_SUB_TCPRST] = "MP_TCPRST",
		[MPTCP_SUB_EXPERIMENTAL] = "MP_EXPERIMENTAL",
	};

	if (subtype < sizeof(names) / sizeof(names[0]) && names[subtype])
		return names[subtype];
	return "unknown";
}
