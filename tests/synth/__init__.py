"""Tests of the synthetic registry exports (app.synth)."""
