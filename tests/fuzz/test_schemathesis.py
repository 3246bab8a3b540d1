"""schemathesis against the live app (SQLite and PostgreSQL), loaded from its own `GET /openapi.json`.

Every operation gets 30 requests mixing positive and negative inputs: some with whatever credentials schemathesis
makes up, some with real ones (a business API key and a browser session cookie) plus known-good requests so the
success paths are checked too. Checks: no 5xx, every status is documented, the media type, required headers
and JSON body of every answer match the document, and no request the document calls valid is refused as
malformed (400/422: the document states every constraint the server enforces; `schemathesis.toml` lists the one
exception). (schemathesis' lazy pytest integration fails on pytest 9 —
`Function` has no `_nodeid` — so each operation's strategy is driven with hypothesis directly.)
"""

from __future__ import annotations

import itertools

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.fuzz.live import LiveApp
from tests.fuzz.strategies import AnyCase, known_good
from worker.settings import Settings
from worker.web.openapi import build_document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    positive_data_acceptance,
]
FUZZ = settings(
    max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
COVERAGE_CASES = 200
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, item in build_document(Settings(_env_file=None).ml_redirect_uri)["paths"].items()
    for method in item
]


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation(label: str, api_schema: OpenApiSchema, live: LiveApp, http: requests.Session) -> None:
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the served document"
    made_up = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    real = st.one_of([*made_up, *known_good(live, operation)])
    headers, cookies = live.tenants[0].auth, live.tenants[0].browser(live.settings)

    @FUZZ
    @given(drawn=st.one_of(made_up).map(lambda case: (case, False)) | real.map(lambda case: (case, True)))
    def fuzz(drawn: tuple[AnyCase, bool]) -> None:
        case, with_credentials = drawn
        sent = headers if with_credentials else None
        response = case.call(
            base_url=live.url, session=http, headers=sent, cookies=cookies if with_credentials else None,
            timeout=10, allow_redirects=False,
        )  # fmt: skip
        case.validate_response(response, checks=CHECKS, headers=sent)

    fuzz()


@pytest.mark.parametrize("label", OPERATIONS)
def test_boundary_values_the_document_allows_are_accepted(
    label: str, api_schema: OpenApiSchema, live: LiveApp, http: requests.Session
) -> None:
    """schemathesis' coverage phase: the document's edge values (empty strings, smallest and largest numbers, each
    enum value, optional fields left out), sent with real credentials, checked as above."""
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None
    generation = api_schema.config.generation_for(operation=operation)
    cases = api_schema.iter_coverage_cases(
        operation, generation_modes=[GenerationMode.POSITIVE], generation_config=generation
    )
    headers, cookies = live.tenants[0].auth, live.tenants[0].browser(live.settings)
    for case in itertools.islice(cases, COVERAGE_CASES):
        response = case.call(
            base_url=live.url, session=http, headers=headers, cookies=cookies, timeout=10, allow_redirects=False
        )
        case.validate_response(response, checks=CHECKS, headers=headers)
