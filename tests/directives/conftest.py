"""Directive fixtures: the analyzer's parsed Kết luận 226-KL/TW."""
from tests.analyzer.conftest import kl226  # noqa: F401 (a fixture)
