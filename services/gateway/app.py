"""Builds the FastAPI app: settings, store, blob store, job runner, routers, error handlers."""
from __future__ import annotations

import logging
import uuid
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI

from services.agencies import routes as agencies
from services.common import logs
from services.common.blobs import BlobStore
from services.common.db import make_engine, session_factory
from services.common.migrate import upgrade
from services.common.runner import JobRunner
from services.common.settings import Settings, get_settings
from services.directives.registry import loaded_index
from services.analyzer.semantic import SemanticLayer
from services.directives import routes as directives
from services.documents.pipeline import ANALYZE, INDEX, PARSE, run_analyze_job, run_index_job, run_parse_job
from services.drafts import routes as drafts
from services.gateway import errors, health, web
from services.register import routes as register
from services.review import routes as review

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        upgrade(settings.effective_database_url)
        resumed = app.state.runner.resume_queued()
        if resumed:
            log.info("resumed %d queued jobs", resumed)
        yield
        app.state.runner.shutdown()
        app.state.engine.dispose()

    app = FastAPI(
        title="draftctl",
        version="0.1.0",
        description="Drafting control for Vietnamese administrative documents (Kết luận 226-KL/TW).",
        lifespan=lifespan,
        docs_url=None,  # served by the web package, from local assets
        redoc_url=None,
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    factory = session_factory(engine)
    blobs = BlobStore(settings.blob_dir)
    runner = JobRunner(factory, threads=settings.runner_threads) if not settings.broker_url else None
    if settings.broker_url:
        # Cooperating services: the Celery workers run the jobs; this process only sends them.
        from services.common.dispatch import CeleryDispatcher

        runner = CeleryDispatcher(settings.broker_url)
    else:
        loaded = loaded_index(settings, factory=factory)
        runner.register(PARSE, partial(run_parse_job, blobs=blobs))
        runner.register(INDEX, run_index_job)
        runner.register(ANALYZE, partial(run_analyze_job, loaded=loaded, semantic=SemanticLayer.default(settings)))
    app.state.settings = settings
    app.state.engine = engine
    app.state.factory = factory
    app.state.blobs = blobs
    app.state.runner = runner
    errors.install(app)
    errors.describe(app)

    @app.middleware("http")
    async def _request_id(request, call_next):
        # Every request gets an id (the caller's X-Request-ID, or a new one) in logs and answer.
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex
        token = logs.request_id.set(rid[:64])
        try:
            response = await call_next(request)
        except Exception:  # a bug: logged here as JSON with its traceback, answered as problem+json
            response = errors.internal_error(request)
        finally:
            logs.request_id.reset(token)
        response.headers["X-Request-ID"] = rid[:64]
        return response

    app.include_router(health.router)
    app.include_router(drafts.router)
    app.include_router(directives.router)
    app.include_router(register.router)
    app.include_router(review.router)
    app.include_router(agencies.router)
    web.install(app, settings)
    return app

