"""The product's install carries no sandbox: the wheel built without extras, and what the Dockerfile copies and
installs (the image itself is built and run in tests/deploy/test_image.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


@pytest.fixture(scope="module")
def product_wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """Built from a copy of the checkout (sandboxes included, to prove they stay out), as the Dockerfile does."""
    out, source = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("src") / "meli-events"
    skip = shutil.ignore_patterns(".git", ".venv", "*cache*", "build", "*.egg-info", "*.db")
    shutil.copytree(ROOT, source, ignore=skip)
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    (wheel,) = out.glob("meli_events-*.whl")
    return zipfile.ZipFile(wheel)


def test_product_wheel_holds_no_sandbox_module(product_wheel: zipfile.ZipFile) -> None:
    names = product_wheel.namelist()
    top_level = {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}

    assert top_level == {"worker", "connectors", "migrations"}
    assert [name for name in names if "sandbox" in name] == []


def test_product_wheel_carries_the_page_templates_and_translations(product_wheel: zipfile.ZipFile) -> None:
    names = set(product_wheel.namelist())

    assert {
        "worker/connect/templates/layout.html",
        "worker/connect/locales/es/LC_MESSAGES/messages.mo",
        "worker/connect/locales/pt_BR/LC_MESSAGES/messages.mo",
    } <= names


def test_product_wheel_does_not_ask_for_the_sandboxes(product_wheel: zipfile.ZipFile) -> None:
    (metadata,) = [name for name in product_wheel.namelist() if name.endswith(".dist-info/METADATA")]
    requires = [line for line in product_wheel.read(metadata).decode().splitlines() if line.startswith("Requires-Dist")]

    assert [line for line in requires if "sandbox" in line] == []


def test_docker_image_installs_only_the_product_wheel() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    copied = re.findall(r"^COPY (?!--from)(.+) \./?\S*$", dockerfile, re.MULTILINE)

    assert "sandboxes" not in dockerfile
    assert copied == ["pyproject.toml constraints.txt README.md", "worker", "connectors", "migrations"]
    assert "pip install --no-cache-dir --no-index --find-links /wheels meli-events" in dockerfile


def test_sandboxes_distribution_lists_every_sandbox_package() -> None:
    config = tomllib.loads((ROOT / "sandboxes" / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        "sandboxes" + "".join(f".{part}" for part in init.parent.relative_to(ROOT / "sandboxes").parts)
        for init in (ROOT / "sandboxes").rglob("__init__.py")
        if "build" not in init.parts
    }

    assert listed == on_disk
