# consumer/: the Redis stream to MongoDB persister.
sbin_PROGRAMS += consumer/event-consumer
consumer_event_consumer_SOURCES = \
	consumer/batch.c \
	consumer/consumer.h \
	consumer/counts.c \
	consumer/deadletter.c \
	consumer/expire.c \
	consumer/fill.c \
	consumer/lock.c \
	consumer/loop.c \
	consumer/main.c \
	consumer/shards.c \
	consumer/spool.c \
	consumer/stop.c \
	consumer/stream.c \
	consumer/turn.c
consumer_event_consumer_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)

# consumer/crontab.example is installed beside lighttpd.conf (Makefile.am).
