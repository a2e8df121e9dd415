"""The DocTypes the benchmarks run against (served by ``bench/run.py``)."""
