/*
 * The disk spool: where event-ingest puts validated batches while Redis
 * is unreachable, so they can still be answered 202.  The consumer
 * replays it into the stream once Redis is back; the event ids make a
 * replay that runs twice harmless (the store keeps one copy per id).
 *
 * File format: records, each
 *	"EVSPOOL1 <payload length> <CRC-32 of payload, 8 hex>\n" payload "\n"
 * where the payload is the batch's events, one JSON text a line.  A record
 * cut short by a crash fails its length or checksum and is skipped; the
 * reader then looks for the next header.
 *
 * Appends from several processes are serialised by flock(2) on the file
 * and are each one write(2) followed by fdatasync(2).  The replayer
 * renames the file away under the same lock, so a writer that opened the
 * old name notices (the inode changed) and opens the new file.
 *
 * Ownership: the caller's batch is only read by spool_append.  The
 * batches handed to emit are borrowed: their events point into the bytes
 * read (spool_replay frees them once the file is done, spool_parse's are
 * the caller's), so emit copies or queues what it keeps before it
 * returns.
 */
#ifndef EVENTS_SPOOL_H
#define EVENTS_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"

/* Append batch b.  0, or -1 with err (cannot write, or the file would
 * grow past max_bytes). */
int	spool_append(const char *path, off_t max_bytes, const struct event_batch *b,
	    char *err, size_t errlen);

/* Called for each record on replay with the record's events; returns 0
 * when they are safely queued, -1 to stop (the file is kept). */
typedef int (*spool_emit)(void *arg, const struct event_batch *b);

/*
 * Replay everything spooled at path: first files an earlier replay left
 * ("<path>.replay.*": it crashed, failed to read or was stopped), then
 * the live file, which is renamed away first.  A file is removed only
 * once it was read whole and every record in it was emitted; one that
 * cannot be read whole (a read error, a short read) is kept untouched
 * for the next replay, and nothing of it is emitted.  A file with
 * damaged records is kept as "<file>.damaged" once its good records
 * are emitted, and is not replayed again.  *events counts the events
 * emitted, *skipped the bytes of damaged records passed over.  Returns
 * 0 (nothing left), or -1 with err (the last failure; something is
 * kept).
 */
int	spool_replay(const char *path, spool_emit emit, void *arg,
	    size_t *events, size_t *skipped, char *err, size_t errlen);

/* Bytes waiting in the spool (the live file and any being replayed). */
off_t	spool_size(const char *path);

/* The CRC-32 of a record's payload as its header carries it: CRC-32/
 * ISO-HDLC (RFC 1952's, zlib's crc32), "123456789" giving cbf43926. */
uint32_t spool_crc(const char *buf, size_t len);

/* Parse one file's contents (for tests and fuzzing): emit each good
 * record.  Returns -1 if emit stopped, else 0. */
int	spool_parse(const char *buf, size_t len, spool_emit emit, void *arg,
	    size_t *events, size_t *skipped);

#endif
