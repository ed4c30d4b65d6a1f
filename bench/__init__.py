"""Benchmarks: page weight and load on loopback (`make bench`)."""
