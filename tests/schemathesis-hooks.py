"""Schemathesis hooks for tests/schemathesis.sh (SCHEMATHESIS_HOOKS).

docs/openapi.yaml describes the NDJSON and CSV bodies as arrays (the
lines, the rows); these turn such arrays into the bytes on the wire and
the answers back into arrays, so that every body the API takes or gives
is generated and checked against its schema.  Nothing else is changed.
"""
import csv
import io
import json

import schemathesis


def _json_text(value):
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


@schemathesis.serializer("application/x-ndjson")
def ndjson_body(ctx, value):
    """An array of events as one JSON text a line."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, list):
        return "".join(_json_text(v) + "\n" for v in value).encode("utf-8")
    return (_json_text(value) + "\n").encode("utf-8")


@schemathesis.serializer("text/plain")
def text_body(ctx, value):
    """text/plain carries the JSON of application/json (sendBeacon)."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return _json_text(value).encode("utf-8")


@schemathesis.deserializer("application/x-ndjson")
def ndjson_answer(ctx, response):
    """Each line a JSON text, every line ending in LF."""
    text = response.content.decode("utf-8")
    if text and not text.endswith("\n"):
        raise ValueError("NDJSON answer without a final line feed")
    return [json.loads(line) for line in text.split("\n")[:-1]]


@schemathesis.deserializer("text/csv")
def csv_answer(ctx, response):
    """RFC 4180 records, each ending in CRLF."""
    text = response.content.decode("utf-8")
    if not text.endswith("\r\n"):
        raise ValueError("CSV answer whose last record does not end in CRLF")
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))
