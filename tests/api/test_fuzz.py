"""Property-based fuzzing of the whole API against its own OpenAPI schema: never a 500, never off-schema.

Bounded (15 generated cases per operation plus schemathesis's own edge cases, derandomized) so that it runs in well under a minute.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.config import Settings
from api.main import create_app
from api.upload import XLSX
from tests.api.conftest import TEST_DATABASE_URL, as_json
from tests.conftest import ACHIEVEMENTS, DEMANDS

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
"""Not negative_data_rejection: records accept some values their schema does not list on purpose
(an id written as a number, as spreadsheets hold it; 面议 for a price)."""

schemathesis.serializer.alias(XLSX, "application/octet-stream")  # random bytes: must be refused cleanly

FOLDER = Path(tempfile.mkdtemp(prefix="techmatch-fuzz-"))
APP = create_app(
    Settings(
        database_url=TEST_DATABASE_URL or f"sqlite:///{FOLDER / 'techmatch.db'}", max_text_chars=2000, max_batch=50
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _running_app() -> Iterator[None]:
    """The lifespan runs for the whole module, on a database seeded with the tiny corpora."""
    with TestClient(APP) as client:
        client.post("/achievements:bulk", json=as_json(ACHIEVEMENTS))
        client.post("/demands:bulk", json=as_json(DEMANDS))
        yield
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_breaks_the_api(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(checks=CHECKS)
