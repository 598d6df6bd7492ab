"""The layers keep their boundaries (DESIGN: imports go one way; routes never query;
services never commit), checked on the source so that a crossing cannot come back."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SERVICES = ROOT / "services"
ENGINES = {"ingest", "analyzer"}
DOMAINS = {"documents", "drafts", "review", "register", "directives", "agencies"}
EDGES = {"gateway", "worker", "cli"}


def _modules(package: str) -> list[Path]:
    return sorted((SERVICES / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """The services.* packages a module imports (anywhere in it, functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            if parts[0] == "services" and len(parts) > 1:
                found.add(parts[1])
            if parts[0] == "sqlalchemy":
                found.add("sqlalchemy")
    return found


@pytest.mark.parametrize("package", ["common", *sorted(ENGINES)])
def test_lower_layers_never_import_higher_ones(package):
    allowed = {"common"} | (ENGINES if package in ENGINES else set())
    for path in _modules(package):
        above = (_imports(path) - {"sqlalchemy"}) - allowed
        assert not above, f"{path.relative_to(ROOT)} imports {sorted(above)}"


@pytest.mark.parametrize("package", sorted(DOMAINS))
def test_domains_never_import_the_edges_except_their_routes(package):
    for path in _modules(package):
        edges = _imports(path) & EDGES
        if path.name == "routes.py":
            continue  # a route is the edge's part in its domain: deps, errors, accepting
        assert not edges, f"{path.relative_to(ROOT)} imports {sorted(edges)}"


@pytest.mark.parametrize("package", sorted(DOMAINS))
def test_routes_never_query_and_services_never_commit(package):
    routes = SERVICES / package / "routes.py"
    if routes.exists():
        text = routes.read_text(encoding="utf-8")
        assert "sqlalchemy" not in _imports(routes) and "repository" not in text, \
            f"{routes.relative_to(ROOT)} queries: call a service function"
    for path in (SERVICES / package).glob("service.py"):
        assert ".commit(" not in path.read_text(encoding="utf-8"), f"{path.relative_to(ROOT)} commits"
