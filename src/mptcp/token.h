/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_TOKEN_H
#define MPDK_MPTCP_TOKEN_H

/*
 * The MPTCP token table (RFC 8684 section 3.1, ../../docs/token-table.md):
 * 32-bit token -> { home engine, connection, generation }, one table per
 * stack, shared by all of the stack's engines.
 *
 * Thread safety
 * - Readers (token_table_lookup) never lock and never write shared memory.
 *   A reader must be a registered, online reader of the table
 *   (token_table_reader_register) and must report a quiescent state from
 *   its poll loop (token_table_quiescent), or go offline before it blocks
 *   or stops polling. A lookup copies the entry out, so a reader holds no
 *   reference into the table once the call returns; removed entries are
 *   recycled only after every online reader has reported a quiescent state
 *   (DPDK RCU QSBR, integrated in rte_hash).
 * - Writers (alloc, insert, remove, stats) may run on any lcore or thread
 *   and are serialised by a spinlock: they run once per connection, on the
 *   slow path. A writer need not be a registered reader.
 * - create and free are control-plane calls: free only once no reader
 *   uses the table any more.
 *
 * Errors are negative errno values, as everywhere in mpdk.
 */

#include <stdint.h>

struct token_table;

/* What a lookup returns: a copy, valid after the entry is removed. */
struct token_entry {
	void *conn;          /* the connection; dereference only on its home engine */
	uint32_t token;      /* the key of the entry */
	uint32_t home;       /* id of the engine that owns conn */
	uint32_t generation; /* table-wide insert counter: tells apart two
	                      * entries of the same token and conn over time */
};

struct token_table_stats {
	uint32_t capacity;       /* live entries the table holds at most */
	uint32_t size;           /* live entries */
	uint32_t pending;        /* removed entries waiting for readers' grace period */
	uint64_t inserts;        /* entries added (alloc and insert) */
	uint64_t removes;        /* entries removed */
	uint64_t collisions;     /* alloc: generated tokens already taken, retried */
	uint64_t full;           /* alloc/insert refused with -ENOSPC */
	uint64_t exists;         /* insert refused with -EEXIST */
	uint64_t refused;        /* remove refused with -EPERM (not the owner) */
};

/*
 * Create a table of @capacity live entries (at least 8) whose readers are
 * numbered 0 .. @max_readers - 1 (engine ids; one more for a control thread
 * that looks up). Allocated from the EAL heap: call after rte_eal_init.
 * Returns NULL with rte_errno set (EINVAL, ENOMEM) on failure.
 */
struct token_table *token_table_create(uint32_t capacity, uint32_t max_readers);
/* Free the table. No reader may use it any more; registered readers are
 * unregistered. NULL is a no-op. */
void token_table_free(struct token_table *t);

/*
 * Readers. register makes @reader (< max_readers) a reader and puts it
 * online: from then on, removed entries wait for its quiescent reports.
 * unregister takes it out again. offline/online bracket a time when the
 * reader neither looks up nor reports (a blocking call, a paused engine).
 * register returns 0, -EINVAL (reader out of range) or -EEXIST.
 */
int token_table_reader_register(struct token_table *t, unsigned int reader);
void token_table_reader_unregister(struct token_table *t, unsigned int reader);
void token_table_reader_offline(struct token_table *t, unsigned int reader);
void token_table_reader_online(struct token_table *t, unsigned int reader);
/* The reader holds nothing it looked up in the table: called by each
 * engine once per poll-loop iteration. Cheap: one load and one store. */
void token_table_quiescent(struct token_table *t, unsigned int reader);

/*
 * Look up @token. Lock-free, wait-free for practical purposes.
 * Returns 0 and copies the entry to @out, or -ENOENT.
 */
int token_table_lookup(const struct token_table *t, uint32_t token, struct token_entry *out);

/*
 * A new local key whose token no entry of the table holds (section 3.1:
 * tokens are unique per host), inserted for (@home, @conn) in the same
 * step. Keys are drawn (mptcp_key_generate) until the token is free.
 * Returns 0 with *key and *token written, or
 *   -ENOSPC  the table is full (answer with MP_TCPRST "lack of resources"
 *            and count CTR_INC(e, mptcp_token_full)),
 *   -EBUSY   no free token in TOKEN_ALLOC_TRIES draws (a broken generator),
 *   -EIO     the random generator failed,
 *   -EINVAL  conn is NULL.
 */
#define TOKEN_ALLOC_TRIES 16
int token_table_alloc(struct token_table *t, unsigned int home, void *conn, uint64_t *key,
		      uint32_t *token);

/*
 * Insert a given @token (derived from a key the application supplied, or
 * received from elsewhere). Returns 0, -EEXIST if the token is taken,
 * -ENOSPC if the table is full, -EINVAL if conn is NULL.
 */
int token_table_insert(struct token_table *t, uint32_t token, unsigned int home, void *conn);

/*
 * Remove @token if its entry still belongs to @conn. Returns 0, -ENOENT
 * (no such token) or -EPERM (the token belongs to another connection,
 * which keeps it). Readers may still find the entry until the call
 * returns; its memory is recycled after their grace period.
 */
int token_table_remove(struct token_table *t, uint32_t token, const void *conn);

/* Live entries. Lock-free, may lag concurrent writers. */
uint32_t token_table_size(const struct token_table *t);
/* A consistent snapshot of the counters (takes the writer lock). */
void token_table_stats(struct token_table *t, struct token_table_stats *s);

/*
 * Test hook: the key generator alloc draws from, in place of
 * mptcp_key_generate. @fn returns 0 with a key and its token, or a
 * negative errno. NULL restores the default. Not thread safe against a
 * concurrent alloc: set it while the table is idle.
 */
typedef int (*token_keygen_fn)(void *arg, uint64_t *key, uint32_t *token);
void token_table_set_keygen(struct token_table *t, token_keygen_fn fn, void *arg);

#endif
