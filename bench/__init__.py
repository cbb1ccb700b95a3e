"""Benchmarks: each prints its figures as its last line; none is a timed test."""
