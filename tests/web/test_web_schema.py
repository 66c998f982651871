"""Property-based tests of the JSON API against its own OpenAPI schema (schemathesis): for
every operation the schema declares, generated requests never get a server error, nor an
answer whose content type or JSON shape the schema does not promise."""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from fastapi import FastAPI  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


def test_api_answers_as_its_schema_says(web_app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", web_app)
    operations = [found.ok() for found in schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            # The leader comparison runs every analysis per leader: seconds on first call.
            case.call_and_validate(checks=CHECKS, timeout=120)

        check()
