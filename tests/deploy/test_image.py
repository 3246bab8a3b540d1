"""The image built from deploy/Dockerfile by deploy/build-image.sh (buildah: no Docker engine needed) runs the
product as an unprivileged user and carries no sandbox.

Where Docker Hub is out of reach, the script stands in for python:3.11-slim with Debian bookworm's Python 3.11;
the Dockerfile's steps are the same. Needs root, buildah and debootstrap (`make services` installs them) and the
package index; about a minute the first time on a machine, then about 25 s (marked slow; the suite runs it).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TAG = "meli-events:suite"
BUILDAH = ["buildah", "--storage-driver", "vfs"]


@pytest.fixture(scope="module")
def container() -> Iterator[str]:
    """A working container of the freshly built image (removed afterwards, with the image)."""
    built = subprocess.run(
        ["bash", str(ROOT / "deploy" / "build-image.sh"), TAG], capture_output=True, text=True, timeout=900
    )
    assert built.returncode == 0, built.stderr[-3000:]
    name = subprocess.run(
        [*BUILDAH, "from", "--pull-never", TAG], check=True, capture_output=True, text=True, timeout=120
    ).stdout.strip()
    try:
        yield name
    finally:
        subprocess.run([*BUILDAH, "rm", name], capture_output=True, timeout=120)
        subprocess.run([*BUILDAH, "rmi", TAG], capture_output=True, timeout=120)


def run_in(container: str, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BUILDAH, "run", "--isolation", "chroot", container, "--", *command],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_the_image_runs_meli_with_the_commands_the_deployments_use(container: str) -> None:
    shown = run_in(container, "meli", "--help")
    commands = re.findall(r"^  ([a-z][\w-]*)  ", shown.stdout, re.MULTILINE)

    assert shown.returncode == 0, shown.stderr
    assert {"serve", "worker", "migrate", "backfill"} <= set(commands)
    assert [name for name in commands if "sandbox" in name or "demo" in name] == []


@pytest.mark.slow
def test_the_image_holds_the_product_and_no_sandbox(container: str) -> None:
    imported = run_in(container, "python", "-c", "import sandboxes")
    product = run_in(container, "python", "-c", "import worker.cli, connectors, migrations")

    assert "No module named 'sandboxes'" in imported.stderr
    assert imported.returncode == 1
    assert product.returncode == 0, product.stderr


@pytest.mark.slow
def test_the_image_runs_as_an_unprivileged_user_and_serves_by_default(container: str) -> None:
    who = run_in(container, "id")
    inspected = subprocess.run(
        [*BUILDAH, "inspect", "--type", "image", TAG], capture_output=True, text=True, timeout=120
    )
    config = json.loads(inspected.stdout)["OCIv1"]["config"]

    assert who.stdout.strip() == "uid=10001(meli) gid=10001(meli) groups=10001(meli)"
    shown = (config["User"], config["WorkingDir"], config["Entrypoint"], config["Cmd"], list(config["ExposedPorts"]))
    everywhere = "0.0.0.0"  # noqa: S104 - in a container the web process listens on every interface
    assert shown == ("meli", "/home/meli", ["meli"], ["serve", "--host", everywhere], ["8080/tcp"])
