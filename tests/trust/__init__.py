"""Tests of the trust layer: vectors, keys, signed requests and responses, nonces, audit, glue."""
