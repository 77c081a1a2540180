"""Benchmarks: a seeded corpus generator and the throughput harness (run by hand, not by pytest)."""
