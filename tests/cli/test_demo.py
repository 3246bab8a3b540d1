"""`meli demo` hands over: working commands, the business API key, a curl line, the account page link; plain
progress, live on a terminal; a one-line hint on a busy port; no empty meli.db; Ctrl-C leaves no queue behind."""

from __future__ import annotations

import asyncio
import io
import os
import re
import shlex
import signal
import socket
import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis
from rich.console import Console

from tests.conftest import REDIS_URL
from tests.harness.cli import run_meli as meli
from worker.demo.progress import Progress, ProgressDisplay
from worker.demo.services import free_port
from worker.store.businesses import business_for_api_key
from worker.store.db import open_database

PROGRESS = re.compile(
    r"^progress: [0-9]+ of [0-9]+ marketplace changes played, [0-9]+ notifications processed, [0-9]+ waiting, "
    r"[0-9]+ events stored, (about [0-9]+ s left|time left unknown yet|finishing|checking that nothing is left)$"
)


def test_progress_lines_say_total_and_time_left() -> None:
    progress = Progress(total_steps=200, started=0.0)

    assert progress.line(200, {}, 0) == (
        "progress: 0 of 200 marketplace changes played, 0 notifications processed, 0 waiting, 0 events stored, "
        "time left unknown yet"
    )
    assert progress.line(0, {"pending": 4, "done": 90, "ignored": 6}, 120) == (
        "progress: 200 of 200 marketplace changes played, 96 notifications processed, 4 waiting, 120 events stored, "
        "finishing"
    )
    assert re.fullmatch(r".*, about [0-9]+ s left", progress.line(150, {"done": 10}, 5))


def test_on_a_terminal_progress_is_one_live_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("worker.demo.progress.time.monotonic", lambda: 10.0)
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, width=80, color_system=None)

    with ProgressDisplay(console, Progress(total_steps=200, started=0.0)) as display:
        display.update(150, {"done": 30, "pending": 2}, 41)
        display.update(100, {"done": 80}, 97)

    screen = output.getvalue()
    assert display.live
    assert "50/200" in screen and "30 notifications processed, 2 waiting" in screen and "41 events" in screen
    assert "about 30 s left" in screen
    assert "100/200" in screen and "80 notifications processed, 0 waiting" in screen and "97 events" in screen
    assert "about 10 s left" in screen and "progress:" not in screen and "…" not in screen


def test_elsewhere_progress_is_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    console = Console(file=io.StringIO(), force_terminal=False)

    with ProgressDisplay(console, Progress(total_steps=200, started=0.0)) as display:
        display.update(200, {}, 0)
        display.update(0, {"done": 96}, 120)

    assert not display.live
    assert capsys.readouterr().out.splitlines() == [
        "progress: 0 of 200 marketplace changes played, 0 notifications processed, 0 waiting, 0 events stored, "
        "time left unknown yet",
        "progress: 200 of 200 marketplace changes played, 96 notifications processed, 0 waiting, 120 events "
        "stored, checking that nothing is left",
    ]


README = Path(__file__).resolve().parents[2] / "README.md"
# (what the banner shows, how README's demo section describes it)
BANNER_IN_README = [
    ("/healthz", "/healthz"),
    ("/metrics, ", "/metrics"),
    ("API key mk_", "**API key**"),
    ("events API:   curl", "`curl` line for the events API"),
    ("account page: http", "**account page**"),
    ("owner-link --business 1", "`meli owner-link` command"),
    ("events --follow", "meli events --follow"),
    ("API reference: http", "API reference (`/docs`)"),
    ("marketplace starts on 2026-03-02", "marketplace starts on 2026-03-02"),
    ("hellotext (fake): http", "/_sandbox/oracle"),
    ("`meli deliveries --business 1`", "`meli deliveries --business 1`"),
    ("result: exact match", "exits 0 only when both"),
]


def demo_section() -> str:
    text = README.read_text()
    return " ".join(text.split("## The two commands", 1)[1].split("## Connect an account", 1)[0].split())


async def test_the_banner_hands_over_working_commands_and_a_key(tmp_path: Path) -> None:
    port, internal = free_port(), free_port()
    args = ["--orders", "3", "--rate", "1000", "--exit-when-done", "--port", str(port)]
    env = {"MELI_REDIS_URL": REDIS_URL, "MELI_INTERNAL_PORT": str(internal)}

    result = await asyncio.to_thread(meli, "demo", *args, "--sandbox-port", str(free_port()), env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    key = re.search(r"^  business 1 \(Demo [A-Z0-9]+\): API key (mk_\S+)$", out, re.M)
    assert key is not None
    curl = f'curl -H "Authorization: Bearer {key[1]}" "http://127.0.0.1:{port}/api/v1/events?limit=5"'
    assert f"    events API:   {curl}\n" in out
    assert re.search(rf"^    account page: http://127\.0\.0\.1:{port}/owner\?token=\S+$", out, re.M)
    assert "  simulated time: the sandbox's marketplace starts on 2026-03-02 and runs faster" in out
    assert f", metrics http://127.0.0.1:{internal}/metrics, " in out.splitlines()[0]
    readme = demo_section()
    assert [(shown, described) for shown, described in BANNER_IN_README
            if shown not in out or described not in readme] == []  # fmt: skip
    follow = re.search(r"^  in another terminal: (MELI_DATABASE_URL=\S+) (\S+) events --follow$", out, re.M)
    assert follow is not None
    progress = [line for line in out.splitlines() if line.startswith("progress:")]
    assert progress and all(PROGRESS.match(line) for line in progress)
    assert "{" not in "".join(progress)

    name, _, url = follow[1].partition("=")
    listed = await asyncio.to_thread(meli, "events", "--limit", "1", env={name: shlex.split(url)[0]}, cwd=tmp_path)
    assert listed.returncode == 0 and '"business_id":1' in listed.stdout
    db = open_database(shlex.split(url)[0])
    try:
        business = await business_for_api_key(db, key[1])
    finally:
        await db.close()
    assert business is not None and business.id == 1
    assert sorted(await asyncio.to_thread(os.listdir, tmp_path)) == ["meli-demo.db"]  # no empty meli.db


def test_a_busy_port_is_one_line_with_a_hint(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = meli("demo", "--port", str(port), "--sandbox-port", str(free_port()),
                      env={"MELI_REDIS_URL": REDIS_URL}, cwd=tmp_path)  # fmt: skip

    assert (result.returncode, result.stderr) == (
        1,
        f"error: port {port} is already in use on 127.0.0.1: choose another with --port PORT\n",
    )


async def test_ctrl_c_leaves_no_queue_behind(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MELI_")}
    args = ["--orders", "20", "--rate", "20", "--port", str(free_port()), "--sandbox-port", str(free_port())]
    demo = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "worker", "demo", *args, env=base | {"MELI_REDIS_URL": REDIS_URL}, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert demo.stdout is not None
    first = (await asyncio.wait_for(demo.stdout.readline(), 60)).decode()
    queue = re.search(r"queue (meli:demo:[0-9a-f]+)\)", first)
    assert queue is not None, first
    redis = Redis.from_url(REDIS_URL)
    try:
        for _ in range(100):  # the demo is working: keys of its queue exist
            if [key async for key in redis.scan_iter(match=f"*{queue[1]}*")]:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the demo never used its queue")
        demo.send_signal(signal.SIGINT)
        await asyncio.wait_for(demo.communicate(), 30)
        left = [key async for key in redis.scan_iter(match=f"*{queue[1]}*")]
    finally:
        await redis.aclose()

    assert demo.returncode == 130
    assert left == []
