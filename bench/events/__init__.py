"""Benchmarks of events, jobs and realtime (``python -m bench.events.jobs_bench``)."""
