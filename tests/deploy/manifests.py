"""The Kubernetes manifests of deploy/k8s, read for the tests: every document of every file, and the settings
they hand the containers."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from worker.settings import Settings

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUSTOMIZATION = K8S / "kustomization.yaml"
SECRETS_EXAMPLE = K8S / "secrets.env.example"
SETTING_NAMES = {f"MELI_{name.upper()}" for name in Settings.model_fields}

Manifest = dict[str, Any]


def manifest_files() -> list[Path]:
    return sorted(path for path in K8S.glob("*.yaml") if path != KUSTOMIZATION)


def kustomization() -> Manifest:
    document = yaml.safe_load(KUSTOMIZATION.read_text())
    assert isinstance(document, dict)
    return document


@cache
def documents(path: Path) -> tuple[Manifest, ...]:
    loaded = [document for document in yaml.safe_load_all(path.read_text()) if document is not None]
    assert all(isinstance(document, dict) for document in loaded), path.name
    return tuple(loaded)


def all_manifests() -> list[Manifest]:
    return [document for path in manifest_files() for document in documents(path)]


def one(kind: str, name: str) -> Manifest:
    (found,) = [m for m in all_manifests() if m["kind"] == kind and m["metadata"]["name"] == name]
    return found


def pod_spec(manifest: Manifest) -> Manifest:
    spec = manifest["spec"]["template"]["spec"]
    assert isinstance(spec, dict)
    return spec


def workloads() -> list[Manifest]:
    return [m for m in all_manifests() if m["kind"] in {"Deployment", "Job"}]


def containers() -> list[Manifest]:
    return [container for m in workloads() for container in pod_spec(m)["containers"]]


def settings_map() -> dict[str, str]:
    data = one("ConfigMap", "meli-settings")["data"]
    assert all(isinstance(value, str) for value in data.values())
    return dict(data)


def secret_names() -> set[str]:
    return set(re.findall(r"^(MELI_[A-Z_]+)=", SECRETS_EXAMPLE.read_text(), re.MULTILINE))


def container_port(container: Manifest, name: str) -> int:
    (port,) = [p["containerPort"] for p in container["ports"] if p["name"] == name]
    return int(port)
