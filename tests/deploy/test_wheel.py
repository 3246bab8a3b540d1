"""The product's install carries no sandbox: the wheel built without extras, and the Docker image built from it.

No Docker engine is needed: `docker_install` runs the Dockerfile's own steps (its COPY lines, its `pip wheel`
and its `pip install`, with /wheels and the image's Python replaced by a temporary directory and a fresh venv).
It needs the package index for the dependencies' wheels and takes 30 to 70 s (marked slow; the suite runs it).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def _steps(stage: str) -> list[tuple[str, str]]:
    """(instruction, arguments) of one stage of the Dockerfile."""
    return [
        (line.split(" ", 1)[0], line.split(" ", 1)[1])
        for line in stage.splitlines()
        if line and not line.startswith("#") and " " in line
    ]


def _pip(arguments: str, python: Path, wheels: Path) -> list[str]:
    """A `pip ...` command of the Dockerfile run by `python`, its /wheels directory replaced by `wheels`."""
    words = shlex.split(arguments.split("&&", 1)[0].replace("/wheels", str(wheels)))
    assert words[0] == "pip"
    return [str(python), "-m", *words]


@pytest.fixture(scope="module")
def docker_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Dockerfile's build stage (COPY, then `pip wheel` in its WORKDIR) and its final stage's `pip install`
    into a fresh venv; returns the venv's bin directory."""
    build, final = DOCKERFILE.read_text().split("\nFROM ")[1:]
    base = tmp_path_factory.mktemp("docker")
    source, wheels, venv = base / "src", base / "wheels", base / "venv"
    source.mkdir()
    for instruction, arguments in _steps(build):
        if instruction == "COPY":
            *paths, _target = arguments.split()
            for path in paths:
                if (ROOT / path).is_dir():
                    shutil.copytree(ROOT / path, source / path, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(ROOT / path, source / path)
        elif instruction == "RUN":
            run = _pip(arguments, Path(sys.executable), wheels)
            subprocess.run(run, cwd=source, check=True, capture_output=True, timeout=600)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
    (install,) = [arguments for instruction, arguments in _steps(final) if "pip install" in arguments]
    subprocess.run(_pip(install, venv / "bin" / "python", wheels), check=True, capture_output=True, timeout=600)
    return venv / "bin"


def _run_in(bin_dir: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """A command of the venv, run outside the checkout, with nothing of the test's environment on its path."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [str(bin_dir / command[0]), *command[1:]], cwd=bin_dir, env=env, capture_output=True, text=True, timeout=60
    )


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


@pytest.mark.slow
def test_docker_image_steps_build_from_the_product_wheel_alone(docker_install: Path) -> None:
    shown = _run_in(docker_install, "meli", "--help")
    commands = re.findall(r"^  ([a-z][\w-]*)  ", shown.stdout, re.MULTILINE)

    assert shown.returncode == 0, shown.stderr
    assert {"serve", "worker", "migrate", "backfill"} <= set(commands)
    assert [name for name in commands if "sandbox" in name or "demo" in name] == []


@pytest.mark.slow
def test_docker_image_steps_install_no_sandbox(docker_install: Path) -> None:
    imported = _run_in(docker_install, "python", "-c", "import sandboxes")
    product = _run_in(docker_install, "python", "-c", "import worker.cli, connectors, migrations")

    assert imported.returncode == 1
    assert "No module named 'sandboxes'" in imported.stderr
    assert product.returncode == 0, product.stderr
