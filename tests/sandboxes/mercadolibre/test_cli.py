"""`meli sandbox`: options, config building, the start-up banner."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from click.testing import CliRunner

from sandboxes.mercadolibre import Faults, SandboxConfig, create_sandbox_app, parse_rate
from sandboxes.mercadolibre.cli import FAULT_OPTIONS, banner, build_config, sandbox_command, serve
from sandboxes.mercadolibre.config import ConfigValueError
from sandboxes.mercadolibre.state import Sandbox


def parsed(*args: str) -> dict[str, Any]:
    context = sandbox_command.make_context("sandbox", list(args))
    return dict(context.params)


def test_help_lists_every_knob() -> None:
    result = CliRunner().invoke(sandbox_command, ["--help"])

    assert result.exit_code == 0
    for flag in ("--port", "--seed", "--sellers", "--global-sellers", "--orders", "--rate", "--callback-url", "--host"):
        assert flag in result.output
    for flag, _, _ in FAULT_OPTIONS:
        assert flag in result.output


def test_options_become_a_config() -> None:
    params = parsed(
        "--seed", "9", "--sellers", "3", "--global-sellers", "1", "--orders", "200", "--rate", "20/s",
        "--callback-url", "http://127.0.0.1:8080/ml/notifications",
        "--fault-5xx", "0.05", "--fault-429", "0.02", "--fault-related", "0.1", "--latency-ms", "50",
        "--seller-rps", "5",
        "--redirect-uri", "http://127.0.0.1:9000/cb", "--offset-cap", "1000",
    )  # fmt: skip

    config = build_config({k: v for k, v in params.items() if k not in ("host", "port")})

    assert (config.seed, config.sellers, config.global_sellers, config.orders, config.rate) == (9, 3, 1, 200, 20.0)
    assert config.callback_url == "http://127.0.0.1:8080/ml/notifications"
    assert config.redirect_uris == ["http://127.0.0.1:9000/cb"]
    assert config.search_offset_cap == 1000
    assert config.faults == Faults(fault_5xx=0.05, fault_429=0.02, fault_related=0.1, latency_ms=50, seller_rps=5)


def test_start_now_ends_the_history_at_the_wall_clock() -> None:
    before = datetime.now(UTC).replace(microsecond=0)  # the start is written to the millisecond
    config = build_config({k: v for k, v in parsed("--start", "now").items() if k not in ("host", "port")})
    given = build_config(
        {k: v for k, v in parsed("--start", "2026-01-01T00:00:00.000Z").items() if k not in ("host", "port")}
    )

    assert before <= datetime.fromisoformat(config.start) <= datetime.now(UTC)
    assert given.start == "2026-01-01T00:00:00.000Z"


def test_bad_option_values_exit_with_a_usage_error() -> None:
    result = CliRunner().invoke(sandbox_command, ["--rate", "fast"])
    too_likely = CliRunner().invoke(sandbox_command, ["--fault-5xx", "3"])
    bad_start = CliRunner().invoke(sandbox_command, ["--start", "yesterday-ish"])

    assert (bad_start.exit_code, "invalid date: 'yesterday-ish'" in bad_start.output) == (2, True)
    assert result.exit_code == 2
    assert "rate must look like 20/s, 600/m or 0, got 'fast'" in result.output
    assert too_likely.exit_code == 2
    assert "fault_5xx is a probability between 0 and 1" in too_likely.output


@pytest.mark.parametrize(("text", "rate"), [("20/s", 20.0), ("20", 20.0), ("600/m", 10.0), ("0", 0.0), ("7200/h", 2.0)])
def test_parse_rate(text: str, rate: float) -> None:
    assert parse_rate(text) == rate


def test_parse_rate_refuses_nonsense() -> None:
    with pytest.raises(ConfigValueError):
        parse_rate("-3/s")


def test_banner_lists_urls_and_sellers() -> None:
    sandbox = Sandbox(SandboxConfig(sellers=2, orders=1))

    text = banner(sandbox, "http://127.0.0.1:8099")

    lines = text.splitlines()
    assert lines[1] == "  API base URL    http://127.0.0.1:8099            (ml_api_base_url)"
    assert lines[2] == "  Auth base URL   http://127.0.0.1:8099            (ml_auth_base_url)"
    assert (
        "  Control API     http://127.0.0.1:8099/_sandbox   (oracle: /_sandbox/expected-events?seller_id=ID)" in lines
    )
    assert lines[-2:] == [
        "    241530000   MEGASTOREMLA01     MLA   auth.mercadolibre.com.ar     test_user_241530000@testuser.com",
        "    241530001   MEGASTOREMLB02     MLB   auth.mercadolivre.com.br     test_user_241530001@testuser.com",
    ]


async def test_serve_listens_on_loopback_and_prints_its_urls(capsys: pytest.CaptureFixture[str]) -> None:
    app = create_sandbox_app(SandboxConfig(sellers=1, orders=2))
    task = asyncio.create_task(serve(app, "127.0.0.1", 0))
    try:
        for _ in range(100):
            found = re.search(r"API base URL    (http://127\.0\.0\.1:\d+)", capsys.readouterr().out)
            if found:
                break
            await asyncio.sleep(0.02)
        assert found is not None
        async with aiohttp.ClientSession() as session, session.get(f"{found.group(1)}/_sandbox/sellers") as response:
            sellers = (await response.json())["sellers"]
        assert [s["id"] for s in sellers] == [241530000]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
