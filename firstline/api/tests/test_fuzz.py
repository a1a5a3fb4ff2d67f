"""The API against its own OpenAPI document, fuzzed by schemathesis.

The production server (gunicorn, on a clone of the national test database)
answers generated requests for every documented operation; a 5xx answer, a
response that does not match the schema, or a wrong content type fails.
The number of examples per operation is bounded so the suite stays fast.
"""

from __future__ import annotations

from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from firstline import testing

EXAMPLES_PER_OPERATION = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Invalid requests (negative mode) must be refused with a documented 4xx.
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]


def test_every_operation_keeps_its_contract(django_db_setup: Any, django_db_blocker: Any) -> None:
    # schemathesis' own pytest plugin (from_fixture) does not run under pytest 9,
    # so each operation gets a plain Hypothesis test here.
    examples: dict[str, int] = {}
    with django_db_blocker.unblock(), testing.app_server("apifuzz", with_worker=False) as server:
        # Grades and statuses are read from the scorecard cache, which a deployment's
        # data load fills in a task (no worker runs here). Fill it once, as a deployment
        # has it, so that no generated request pays the national computation (seconds
        # on a busy machine) against the client's 10 s timeout.
        requests.get(f"{server.url}/api/v1/jurisdictions?grade=A&limit=1", timeout=600)
        schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 3
        for operation in operations:
            for mode in GenerationMode:
                _fuzz(operation, mode, examples)
    print("schemathesis examples per operation:", examples, "total:", sum(examples.values()))


def _fuzz(operation: Any, mode: GenerationMode, examples: dict[str, int]) -> None:
    label = f"{operation.method.upper()} {operation.path} ({mode.value})"
    examples[label] = 0
    checks = NEGATIVE_CHECKS if mode is GenerationMode.NEGATIVE else CHECKS

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        examples[label] += 1
        case.call_and_validate(checks=checks)

    try:
        check()
    except Unsatisfiable:
        # An operation whose parameters are all free text (ping has none) has no
        # invalid input to make.
        if mode is not GenerationMode.NEGATIVE or _constrained(operation):
            raise


def _constrained(operation: Any) -> bool:
    """Whether some parameter has a value the schema forbids (a type, enum, pattern, bound)."""
    free = {"type", "default", "examples"}
    return any(
        set(p.get("schema", {})) - free or p.get("schema", {}).get("type") != "string"
        for p in operation.definition.raw.get("parameters", [])
    )
