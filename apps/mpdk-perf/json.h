/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_PERF_JSON_H
#define MPDK_PERF_JSON_H

/*
 * A small JSON (RFC 8259) tree: parse a text into values, build values and
 * print them. Enough for iperf3's control messages and for the -J report;
 * no dependency beyond libc.
 *
 * Memory: every value is malloc'ed; json_free() releases a value and all it
 * contains. Builders tolerate allocation failure: a NULL child is not
 * added, and json_print() of a tree that lost a child still prints the rest
 * (callers that care check json_oom()).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool is_int;             /* a number written as an integer that fits int64 */
	int64_t i;               /* the integer (is_int), or the double truncated */
	double d;                /* the number */
	char *s;                 /* JSON_STRING: the text, NUL-terminated */
	size_t slen;             /* its length (it may hold "\u0000") */
	char *key;               /* member name when inside an object */
	struct json *child;      /* first element or member */
	struct json *last;
	struct json *next;       /* next sibling */
	size_t n;                /* elements or members */
};

/* Deepest nesting json_parse() accepts. */
#define JSON_MAX_DEPTH 64

/*
 * Parse @len bytes of @text (no NUL needed). @return the value, or NULL with
 * *@err (if not NULL) set to a short reason and *@err_off to the byte
 * offset where parsing stopped.
 */
struct json *json_parse(const char *text, size_t len, const char **err, size_t *err_off);

void json_free(struct json *v);

/* Member @key of object @obj (the first one), or NULL. */
struct json *json_get(const struct json *obj, const char *key);
/* Element @idx of array @arr, or NULL. */
struct json *json_at(const struct json *arr, size_t idx);

/* Member @key if it has type @type (JSON_TRUE matches only true). */
struct json *json_get_type(const struct json *obj, const char *key, enum json_type type);
/* Number member as int64 / double; false when missing or not a number. */
bool json_get_int(const struct json *obj, const char *key, int64_t *out);
bool json_get_double(const struct json *obj, const char *key, double *out);

/* Builders. */
struct json *json_new(enum json_type type);
struct json *json_new_int(int64_t v);
struct json *json_new_double(double v);
struct json *json_new_string(const char *s);
struct json *json_new_bool(bool v);

/* Append @v to array @arr, or as member @key of object @obj. @return @v,
 * or NULL (and @v freed) when a container or allocation is missing. */
struct json *json_push(struct json *arr, struct json *v);
struct json *json_add(struct json *obj, const char *key, struct json *v);
/* Shorthands: add a member of each type; @return the new value or NULL. */
struct json *json_add_int(struct json *obj, const char *key, int64_t v);
struct json *json_add_double(struct json *obj, const char *key, double v);
struct json *json_add_string(struct json *obj, const char *key, const char *s);
struct json *json_add_bool(struct json *obj, const char *key, bool v);
struct json *json_add_object(struct json *obj, const char *key);
struct json *json_add_array(struct json *obj, const char *key);

/* True once any builder failed to allocate (sticky, process-wide). */
bool json_oom(void);

/*
 * Print @v: compact (@indent 0, as iperf3 sends its messages) or pretty
 * with @indent spaces per level. @return a malloc'ed NUL-terminated string
 * (*@len_out set when not NULL), or NULL when out of memory.
 */
char *json_print(const struct json *v, unsigned indent, size_t *len_out);

#endif
