"""The Celery workers (queues `ingest` and `analyze`), the beat schedule and the recovery
sweep: the same job handlers as the in-process runner, run by other processes."""
