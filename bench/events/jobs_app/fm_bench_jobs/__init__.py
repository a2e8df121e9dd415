"""The jobs benchmark's app: two trivial ``@job`` functions and the DocType one of them writes.

Not a package of ``bench``: ``bench/events/jobs_app`` goes on ``PYTHONPATH`` and the app is
installed as ``fm_bench_jobs`` (``FRAMEWORK_M_APPS``), as a site's app would be.
"""
