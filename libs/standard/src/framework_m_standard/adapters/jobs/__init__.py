"""Job queue adapters: in-process (development) and taskiq over NATS JetStream (production).

Both share the runner (``runner.py``: context, timeout, retries, JobLog) and the scheduler.
"""
