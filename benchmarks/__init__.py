"""Benchmark scripts (never collected by the test suite): see README.md here."""
