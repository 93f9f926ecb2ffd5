"""Benchmarks behind `make bench` (run each as ``python -m bench.NAME``), and the
stress test of notebook execution behind `make stress`. Never part of `make test`."""
