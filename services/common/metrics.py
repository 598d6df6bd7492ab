"""Prometheus metrics: uploads, jobs by state, task durations, queue depth."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()
UPLOADS = Counter("draftctl_uploads_total", "Uploads by outcome", ["kind", "outcome"], registry=REGISTRY)
JOBS = Gauge("draftctl_jobs", "Jobs by kind and state", ["kind", "state"], registry=REGISTRY)
QUEUE_DEPTH = Gauge("draftctl_queue_depth", "Messages waiting in a broker queue", ["queue"], registry=REGISTRY)
TASK_SECONDS = Histogram("draftctl_task_seconds", "Job durations", ["kind", "state"], registry=REGISTRY,
                         buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300))
