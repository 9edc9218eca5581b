"""Benchmarks, each run as a module (`python -m bench.<name>`); results go to bench/RESULTS.md."""
