/*
 * Logging to stderr, one line a message: "prog[pid]: level: text".
 * Under lighttpd and Apache, a FastCGI program's stderr is the server's
 * error log; the consumer's stderr is wherever cron or systemd sends it.
 *
 * Ownership: nothing is allocated.  log_init keeps the program name's
 * pointer, which must stay valid; log_clip writes into the caller's dst
 * and returns it.
 */
#ifndef EVENTS_LOG_H
#define EVENTS_LOG_H

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void	log_init(const char *prog, enum log_level level);
void	log_set_level(enum log_level level);
int	log_level_parse(const char *s, enum log_level *out);

void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copy at most max bytes of untrusted s into dst (size dstlen) with
 * control characters and non-ASCII bytes shown as '?', for log lines. */
const char *log_clip(char *dst, size_t dstlen, const char *s, size_t len);

#endif
