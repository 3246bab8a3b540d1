"""Docker cannot run here, so the deploy files are checked against the code they start."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from worker.cli import cli
from worker.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SETTING_NAMES = {f"MELI_{name.upper()}" for name in Settings.model_fields}


def compose() -> dict[str, Any]:
    document = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(document, dict)
    return document


def meli_services() -> dict[str, Any]:
    return {name: spec for name, spec in compose()["services"].items() if "build" in spec}


def test_compose_runs_every_role_of_the_one_image() -> None:
    commands = {name: spec["command"][0] for name, spec in meli_services().items()}

    assert commands == {"migrate": "migrate", "web": "serve", "worker": "worker"}
    assert set(commands.values()) <= set(cli.commands)


def test_compose_sets_only_real_settings() -> None:
    for name, spec in meli_services().items():
        assert set(spec["environment"]) <= SETTING_NAMES, name


def test_compose_waits_for_migration_and_healthy_services() -> None:
    services = compose()["services"]

    assert services["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["worker"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert all("healthcheck" in services[name] for name in ("postgres", "redis", "web"))


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^(MELI_[A-Z_]+)=", (DEPLOY / "env.example").read_text(), re.MULTILINE))

    assert documented == SETTING_NAMES


def test_dockerfile_runs_as_non_root_with_meli_entrypoint() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()

    assert "USER meli" in dockerfile
    assert 'ENTRYPOINT ["meli"]' in dockerfile
    assert re.search(r'^CMD \["serve"', dockerfile, re.MULTILINE)
