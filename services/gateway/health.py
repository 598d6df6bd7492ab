"""Liveness and readiness (open), and the Prometheus metrics (an admin key: scrape with
`authorization: {credentials: <key>}`)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from services.common.metrics import JOBS, QUEUE_DEPTH, REGISTRY
from services.common.repositories import jobs as jobs_repo
from services.gateway.deps import Admin

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str = Field(description="ready or not ready")
    checks: dict[str, str] = Field(description="database and broker: ok, in-process runner, or the error")


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness,
            responses={503: {"description": "a dependency is down", "model": Readiness}})
def readyz(request: Request):
    checks: dict[str, str] = {}
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # report, do not raise: readiness is an answer, not an error
        checks["database"] = f"error: {type(exc).__name__}"
    broker_url = request.app.state.settings.broker_url
    if not broker_url:
        checks["broker"] = "in-process runner"
    else:
        try:
            import redis

            redis.Redis.from_url(broker_url, socket_connect_timeout=2).ping()
            checks["broker"] = "ok"
        except Exception as exc:  # report, do not raise
            checks["broker"] = f"error: {type(exc).__name__}"
    ready = all(v == "ok" or v == "in-process runner" for v in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}})
def metrics(request: Request, key: Admin) -> Response:
    """Prometheus text format: uploads, jobs by state, task durations, queue depth."""
    with request.app.state.factory() as db:
        JOBS.clear()
        for kind, state, n in jobs_repo.counts_by_state(db=db):
            JOBS.labels(kind=kind, state=state).set(n)
    broker_url = request.app.state.settings.broker_url
    if broker_url:
        try:
            import redis

            client = redis.Redis.from_url(broker_url, socket_connect_timeout=2)
            for queue in ("ingest", "analyze"):
                QUEUE_DEPTH.labels(queue=queue).set(client.llen(queue))
        except Exception:  # the broker's absence shows in /readyz; metrics still answer
            pass
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
