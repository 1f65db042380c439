/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON parser and printer (RFC 8259), for iperf3's control messages and the
 * -J report. The parser is strict (no comments, no trailing commas, no
 * leading zeros, valid escapes and surrogate pairs, nothing after the
 * value) and bounded (JSON_MAX_DEPTH), since its input comes from the
 * network.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

static bool oom;

bool json_oom(void)
{
	return oom;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p == NULL)
		oom = true;
	return p;
}

/* ------------------------------------------------------------------ values */

struct json *json_new(enum json_type type)
{
	struct json *v = xcalloc(1, sizeof(*v));
	if (v != NULL)
		v->type = type;
	return v;
}

struct json *json_new_int(int64_t x)
{
	struct json *v = json_new(JSON_NUMBER);
	if (v != NULL) {
		v->is_int = true;
		v->i = x;
		v->d = (double)x;
	}
	return v;
}

struct json *json_new_double(double x)
{
	struct json *v = json_new(JSON_NUMBER);
	if (v != NULL) {
		v->d = x;
		v->i = (isfinite(x) && fabs(x) < 9.2e18) ? (int64_t)x : 0;
	}
	return v;
}

struct json *json_new_string(const char *s)
{
	struct json *v = json_new(JSON_STRING);
	if (v == NULL)
		return NULL;
	if (s == NULL)
		s = "";
	v->slen = strlen(s);
	v->s = malloc(v->slen + 1);
	if (v->s == NULL) {
		oom = true;
		free(v);
		return NULL;
	}
	memcpy(v->s, s, v->slen + 1);
	return v;
}

struct json *json_new_bool(bool x)
{
	return json_new(x ? JSON_TRUE : JSON_FALSE);
}

void json_free(struct json *v)
{
	while (v != NULL) {
		struct json *next = v->next;
		json_free(v->child);
		free(v->s);
		free(v->key);
		free(v);
		v = next;
	}
}

static void append(struct json *c, struct json *v)
{
	v->next = NULL;
	if (c->last != NULL)
		c->last->next = v;
	else
		c->child = v;
	c->last = v;
	c->n++;
}

struct json *json_push(struct json *arr, struct json *v)
{
	if (arr == NULL || v == NULL || arr->type != JSON_ARRAY) {
		json_free(v);
		return NULL;
	}
	append(arr, v);
	return v;
}

struct json *json_add(struct json *obj, const char *key, struct json *v)
{
	if (obj == NULL || v == NULL || key == NULL || obj->type != JSON_OBJECT) {
		json_free(v);
		return NULL;
	}
	free(v->key);
	v->key = strdup(key);
	if (v->key == NULL) {
		oom = true;
		json_free(v);
		return NULL;
	}
	append(obj, v);
	return v;
}

struct json *json_add_int(struct json *obj, const char *key, int64_t v)
{
	return json_add(obj, key, json_new_int(v));
}

struct json *json_add_double(struct json *obj, const char *key, double v)
{
	return json_add(obj, key, json_new_double(v));
}

struct json *json_add_string(struct json *obj, const char *key, const char *s)
{
	return json_add(obj, key, json_new_string(s));
}

struct json *json_add_bool(struct json *obj, const char *key, bool v)
{
	return json_add(obj, key, json_new_bool(v));
}

struct json *json_add_object(struct json *obj, const char *key)
{
	return json_add(obj, key, json_new(JSON_OBJECT));
}

struct json *json_add_array(struct json *obj, const char *key)
{
	return json_add(obj, key, json_new(JSON_ARRAY));
}

struct json *json_get(const struct json *obj, const char *key)
{
	if (obj == NULL || obj->type != JSON_OBJECT || key == NULL)
		return NULL;
	for (struct json *m = obj->child; m != NULL; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

struct json *json_at(const struct json *arr, size_t idx)
{
	if (arr == NULL || arr->type != JSON_ARRAY)
		return NULL;
	struct json *e = arr->child;
	while (e != NULL && idx-- > 0)
		e = e->next;
	return e;
}

struct json *json_get_type(const struct json *obj, const char *key, enum json_type type)
{
	struct json *m = json_get(obj, key);
	return (m != NULL && m->type == type) ? m : NULL;
}

bool json_get_int(const struct json *obj, const char *key, int64_t *out)
{
	struct json *m = json_get_type(obj, key, JSON_NUMBER);
	if (m == NULL)
		return false;
	*out = m->i;
	return true;
}

bool json_get_double(const struct json *obj, const char *key, double *out)
{
	struct json *m = json_get_type(obj, key, JSON_NUMBER);
	if (m == NULL)
		return false;
	*out = m->d;
	return true;
}

/* ------------------------------------------------------------------ parser */

struct parser {
	const char *p, *end, *start;
	const char *err;
	unsigned depth;
};

static struct json *parse_value(struct parser *ps);

static bool fail(struct parser *ps, const char *why)
{
	if (ps->err == NULL)
		ps->err = why;
	return false;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "invalid literal");
	ps->p += n;
	return true;
}

static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string starting at the opening quote; *out malloc'ed. */
static bool parse_string(struct parser *ps, char **out, size_t *out_len)
{
	const char *q = ++ps->p;
	/* The decoded text is never longer than the escaped one. */
	while (q < ps->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= ps->end)
		return fail(ps, "unterminated string");
	char *s = malloc((size_t)(q - ps->p) + 1);
	if (s == NULL) {
		oom = true;
		return fail(ps, "out of memory");
	}
	size_t n = 0;
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20) {
			free(s);
			return fail(ps, "control character in string");
		}
		if (c != '\\') {
			s[n++] = (char)c;
			ps->p++;
			continue;
		}
		ps->p++;
		switch (*ps->p) {
		case '"': s[n++] = '"'; break;
		case '\\': s[n++] = '\\'; break;
		case '/': s[n++] = '/'; break;
		case 'b': s[n++] = '\b'; break;
		case 'f': s[n++] = '\f'; break;
		case 'n': s[n++] = '\n'; break;
		case 'r': s[n++] = '\r'; break;
		case 't': s[n++] = '\t'; break;
		case 'u': {
			int hi = ps->end - ps->p >= 5 ? hex4(ps->p + 1) : -1;
			if (hi < 0) {
				free(s);
				return fail(ps, "bad \\u escape");
			}
			uint32_t cp = (uint32_t)hi;
			ps->p += 4;
			if (hi >= 0xdc00 && hi <= 0xdfff) {
				free(s);
				return fail(ps, "lone low surrogate");
			}
			if (hi >= 0xd800 && hi <= 0xdbff) {
				int lo = (ps->end - ps->p >= 7 && ps->p[1] == '\\' && ps->p[2] == 'u')
						 ? hex4(ps->p + 3) : -1;
				if (lo < 0xdc00 || lo > 0xdfff) {
					free(s);
					return fail(ps, "unpaired surrogate");
				}
				cp = 0x10000 + (((uint32_t)hi - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
				ps->p += 6;
			}
			/* "\uXXXX" is 6 bytes and its UTF-8 at most 3; a pair is
			 * 12 and 4: the buffer is large enough. */
			n += utf8_put(s + n, cp);
			break;
		}
		default:
			free(s);
			return fail(ps, "bad escape");
		}
		ps->p++;
	}
	ps->p++;
	s[n] = '\0';
	*out = s;
	*out_len = n;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static struct json *parse_number(struct parser *ps)
{
	const char *s = ps->p;
	const char *q = s;
	bool integer = true;

	if (q < ps->end && *q == '-')
		q++;
	if (q >= ps->end || !is_digit(*q)) {
		fail(ps, "bad number");
		return NULL;
	}
	if (*q == '0')
		q++;
	else
		while (q < ps->end && is_digit(*q))
			q++;
	if (q < ps->end && *q == '.') {
		integer = false;
		q++;
		if (q >= ps->end || !is_digit(*q)) {
			fail(ps, "bad number");
			return NULL;
		}
		while (q < ps->end && is_digit(*q))
			q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		integer = false;
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= ps->end || !is_digit(*q)) {
			fail(ps, "bad number");
			return NULL;
		}
		while (q < ps->end && is_digit(*q))
			q++;
	}
	char buf[64];
	size_t n = (size_t)(q - s);
	if (n >= sizeof(buf)) {
		/* absurdly long: still a number, parse from a heap copy */
		char *h = malloc(n + 1);
		if (h == NULL) {
			oom = true;
			fail(ps, "out of memory");
			return NULL;
		}
		memcpy(h, s, n);
		h[n] = '\0';
		struct json *v = json_new_double(strtod(h, NULL));
		free(h);
		ps->p = q;
		return v;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	ps->p = q;
	if (integer) {
		errno = 0;
		long long ll = strtoll(buf, NULL, 10);
		if (errno == 0)
			return json_new_int(ll);
	}
	return json_new_double(strtod(buf, NULL));
}

static struct json *parse_container(struct parser *ps, bool object)
{
	struct json *c = json_new(object ? JSON_OBJECT : JSON_ARRAY);
	char close = object ? '}' : ']';

	if (c == NULL) {
		fail(ps, "out of memory");
		return NULL;
	}
	if (++ps->depth > JSON_MAX_DEPTH) {
		fail(ps, "nested too deeply");
		json_free(c);
		return NULL;
	}
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return c;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;
		skip_ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "expected a member name");
				break;
			}
			if (!parse_string(ps, &key, &klen))
				break;
			if (strlen(key) != klen) {
				/* "\u0000" in a name: not something we look up */
				free(key);
				fail(ps, "NUL in a member name");
				break;
			}
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				break;
			}
			ps->p++;
			skip_ws(ps);
		}
		struct json *v = parse_value(ps);
		if (v == NULL) {
			free(key);
			break;
		}
		v->key = key;
		append(c, v);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return c;
		}
		fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
		break;
	}
	json_free(c);
	return NULL;
}

static struct json *parse_value(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "unexpected end of text");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
		return parse_container(ps, true);
	case '[':
		return parse_container(ps, false);
	case '"': {
		char *s;
		size_t n;
		if (!parse_string(ps, &s, &n))
			return NULL;
		struct json *v = json_new(JSON_STRING);
		if (v == NULL) {
			free(s);
			fail(ps, "out of memory");
			return NULL;
		}
		v->s = s;
		v->slen = n;
		return v;
	}
	case 't':
		return literal(ps, "true") ? json_new(JSON_TRUE) : NULL;
	case 'f':
		return literal(ps, "false") ? json_new(JSON_FALSE) : NULL;
	case 'n':
		return literal(ps, "null") ? json_new(JSON_NULL) : NULL;
	default:
		return parse_number(ps);
	}
}

struct json *json_parse(const char *text, size_t len, const char **err, size_t *err_off)
{
	struct parser ps = { .p = text, .end = text + len, .start = text };
	struct json *v = NULL;

	if (text == NULL) {
		ps.err = "no text";
	} else {
		v = parse_value(&ps);
		if (v != NULL) {
			skip_ws(&ps);
			if (ps.p != ps.end) {
				fail(&ps, "text after the value");
				json_free(v);
				v = NULL;
			}
		} else if (ps.err == NULL) {
			ps.err = "out of memory";
		}
	}
	if (v == NULL) {
		if (err != NULL)
			*err = ps.err;
		if (err_off != NULL)
			*err_off = text ? (size_t)(ps.p - text) : 0;
	}
	return v;
}

/* ------------------------------------------------------------------ printer */

struct sbuf {
	char *b;
	size_t len, cap;
	bool failed;
};

static void sb_put(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->failed)
		return;
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 256;
		while (sb->len + n + 1 > cap)
			cap *= 2;
		char *b = realloc(sb->b, cap);
		if (b == NULL) {
			oom = true;
			sb->failed = true;
			return;
		}
		sb->b = b;
		sb->cap = cap;
	}
	memcpy(sb->b + sb->len, s, n);
	sb->len += n;
	sb->b[sb->len] = '\0';
}

static void sb_str(struct sbuf *sb, const char *s)
{
	sb_put(sb, s, strlen(s));
}

static void print_string(struct sbuf *sb, const char *s, size_t n)
{
	sb_put(sb, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[8];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c < 0x20) {
				snprintf(u, sizeof(u), "\\u%04x", c);
				esc = u;
			}
		}
		if (esc == NULL) {
			run++;
			continue;
		}
		sb_put(sb, s + i - run, run);
		run = 0;
		sb_str(sb, esc);
	}
	sb_put(sb, s + n - run, run);
	sb_put(sb, "\"", 1);
}

static void print_number(struct sbuf *sb, const struct json *v)
{
	char buf[40];
	if (v->is_int) {
		snprintf(buf, sizeof(buf), "%" PRId64, v->i);
	} else if (!isfinite(v->d)) {
		/* JSON has no NaN or infinity */
		snprintf(buf, sizeof(buf), "null");
	} else if (v->d == floor(v->d) && fabs(v->d) < 1e15) {
		snprintf(buf, sizeof(buf), "%.0f", v->d);
		if (strcmp(buf, "-0") == 0)
			snprintf(buf, sizeof(buf), "0");
	} else {
		/* the shortest of 15 or 17 digits that reads back the same */
		snprintf(buf, sizeof(buf), "%.15g", v->d);
		if (strtod(buf, NULL) != v->d)
			snprintf(buf, sizeof(buf), "%.17g", v->d);
	}
	sb_str(sb, buf);
}

static void newline(struct sbuf *sb, unsigned indent, unsigned level)
{
	if (indent == 0)
		return;
	sb_put(sb, "\n", 1);
	for (unsigned i = 0; i < indent * level; i++)
		sb_put(sb, " ", 1);
}

static void print_value(struct sbuf *sb, const struct json *v, unsigned indent, unsigned level)
{
	switch (v->type) {
	case JSON_NULL: sb_str(sb, "null"); return;
	case JSON_FALSE: sb_str(sb, "false"); return;
	case JSON_TRUE: sb_str(sb, "true"); return;
	case JSON_NUMBER: print_number(sb, v); return;
	case JSON_STRING: print_string(sb, v->s ? v->s : "", v->s ? v->slen : 0); return;
	case JSON_ARRAY:
	case JSON_OBJECT: {
		bool obj = v->type == JSON_OBJECT;
		sb_put(sb, obj ? "{" : "[", 1);
		if (v->child == NULL) {
			sb_put(sb, obj ? "}" : "]", 1);
			return;
		}
		for (const struct json *c = v->child; c != NULL; c = c->next) {
			newline(sb, indent, level + 1);
			if (obj) {
				print_string(sb, c->key ? c->key : "", c->key ? strlen(c->key) : 0);
				sb_str(sb, indent ? ": " : ":");
			}
			print_value(sb, c, indent, level + 1);
			if (c->next != NULL)
				sb_put(sb, ",", 1);
		}
		newline(sb, indent, level);
		sb_put(sb, obj ? "}" : "]", 1);
		return;
	}
	}
}

char *json_print(const struct json *v, unsigned indent, size_t *len_out)
{
	struct sbuf sb = { 0 };
	if (v == NULL)
		return NULL;
	print_value(&sb, v, indent, 0);
	if (sb.failed || sb.b == NULL) {
		free(sb.b);
		return NULL;
	}
	if (len_out != NULL)
		*len_out = sb.len;
	return sb.b;
}
