# consumer/: the Redis stream to MongoDB persister.
