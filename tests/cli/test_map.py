"""`meli map`: the dry run prints exactly the fixture's expected events, and names the file it cannot read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from worker.cli import cli

FIXTURE = Path(__file__).resolve().parents[1] / "mapping" / "fixtures" / "claim_closed_with_refund.json"


def write_documents(folder: Path) -> list[str]:
    scenario = json.loads(FIXTURE.read_text())
    paths = []
    for index, document in enumerate(scenario["documents"]):
        path = folder / f"doc{index}.json"
        path.write_text(json.dumps(document))
        paths.append(str(path))
    return paths


def test_map_prints_the_full_event_list_sorted(tmp_path: Path) -> None:
    expected = json.loads(FIXTURE.read_text())["expected_events"]

    result = CliRunner().invoke(cli, ["map", *write_documents(tmp_path)])

    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [("{oops", "not valid JSON"), ('{"hello": "world"}', "not a recognised ML document")],
)
def test_map_names_the_file_it_cannot_use(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)

    result = CliRunner().invoke(cli, ["map", str(bad)])

    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad}: {message}")


def test_map_reads_a_claims_search_page_as_the_worker_stores_it(tmp_path: Path) -> None:
    scenario = json.loads((FIXTURE.parent / "claim_opened.json").read_text())
    order, claim = scenario["documents"]
    (tmp_path / "order.json").write_text(json.dumps(order))
    page = {"paging": {"total": 1, "offset": 0, "limit": 30}, "data": [claim]}
    (tmp_path / "claims.json").write_text(json.dumps(page))

    result = CliRunner().invoke(cli, ["map", str(tmp_path / "order.json"), str(tmp_path / "claims.json")])

    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == scenario["expected_events"]
