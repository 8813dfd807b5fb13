# tests/: unit tests (C), plain-CGI tests and integration tests (sh).
# Each block below belongs to one part of the system; add to your block.

## unit tests (event model, configuration)

## plain CGI tests

## service harness and HTTP integration tests (redis, store, lighttpd)

## consumer tests

## query and browser tests
