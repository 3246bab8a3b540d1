"""No cluster runs here, so deploy/k8s is checked against Kubernetes' schemas and against the code it starts:
every manifest validates (strictly: unknown fields are errors), every container runs a real `meli` command and
every MELI_* name it is given is a real setting."""

from __future__ import annotations

import copy
from pathlib import Path

import click
import kubernetes_validate
import pytest

from tests.deploy.manifests import (
    K8S,
    SETTING_NAMES,
    Manifest,
    all_manifests,
    containers,
    documents,
    kustomization,
    manifest_files,
    pod_spec,
    secret_names,
    settings_map,
    workloads,
)
from worker.cli import cli
from worker.settings import Settings

KUBERNETES_VERSION = "1.37.0"
# Kinds that come with an operator, not with Kubernetes: no schema ships for them. test_k8s_wiring.py checks the
# fields of each that the cluster reads.
CUSTOM_KINDS = {("keda.sh/v1alpha1", "ScaledObject")}


def _schema_checked(manifest: Manifest) -> bool:
    return (manifest["apiVersion"], manifest["kind"]) not in CUSTOM_KINDS


@pytest.mark.parametrize("path", manifest_files(), ids=lambda path: path.name)
def test_every_manifest_matches_the_kubernetes_schema(path: Path) -> None:
    for manifest in documents(path):
        if _schema_checked(manifest):
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_refuses_an_unknown_field() -> None:
    deployment = copy.deepcopy(next(m for m in all_manifests() if m["kind"] == "Deployment"))
    pod_spec(deployment)["containers"][0]["commands"] = ["meli", "serve"]

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_only_known_custom_kinds_skip_the_schema_check() -> None:
    custom = {(m["apiVersion"], m["kind"]) for m in all_manifests() if not _schema_checked(m)}

    assert custom == CUSTOM_KINDS


def test_kustomization_lists_every_manifest_file() -> None:
    listed = kustomization()["resources"]

    assert sorted(listed) == [path.name for path in manifest_files()]
    assert len(set(listed)) == len(listed)


def test_secret_is_generated_from_the_example_names() -> None:
    (generator,) = kustomization()["secretGenerator"]

    assert generator == {"name": "meli-secrets", "envs": ["secrets.env"]}
    assert (K8S / ".gitignore").read_text().split() == ["secrets.env"]
    assert secret_names() <= SETTING_NAMES


def _argv(container: Manifest) -> list[str]:
    argv = [*container.get("command", []), *container.get("args", [])]
    assert argv[0] == "meli", container["name"]
    return argv[1:]


def _parse(argv: list[str]) -> str:
    """Parse argv the way `meli` would, without running it: unknown commands and options raise UsageError.
    (The manifests pass no options of `meli` itself, so argv starts with the command.)"""
    name, *rest = argv
    with click.Context(cli, info_name="meli") as group:
        command = cli.get_command(group, name)
        if command is None:
            raise click.UsageError(f"no such command: {name}")
        command.make_context(name, rest, parent=group).close()
    return name


def test_every_container_runs_a_real_meli_command() -> None:
    commands = {container["name"]: _parse(_argv(container)) for container in containers()}

    assert commands == {"web": "serve", "worker": "worker", "migrate": "migrate"}


def test_a_made_up_command_or_option_is_refused() -> None:
    with pytest.raises(click.UsageError):
        _parse(["serve", "--workers", "4"])
    with pytest.raises(click.UsageError):
        _parse(["schedule"])


def test_containers_read_settings_only_from_the_config_map_and_secret() -> None:
    for container in containers():
        sources = [next(iter(source.items())) for source in container["envFrom"]]

        assert sources == [("configMapRef", {"name": "meli-settings"}), ("secretRef", {"name": "meli-secrets"})]
        assert {variable["name"] for variable in container.get("env", [])} <= SETTING_NAMES


def test_config_map_names_only_real_settings_and_they_parse() -> None:
    values = settings_map()

    assert set(values) <= SETTING_NAMES
    assert not set(values) & secret_names()  # each setting in one place
    parsed = Settings.model_validate({name.removeprefix("MELI_").lower(): v for name, v in values.items()})
    assert parsed.environment == "production"


def test_pods_run_as_the_image_user_without_a_service_account_token() -> None:
    for workload in workloads():
        spec = pod_spec(workload)

        assert spec["securityContext"]["runAsUser"] == 10001, workload["metadata"]["name"]
        assert spec["automountServiceAccountToken"] is False
        assert all(c["image"] == "meli-events" for c in spec["containers"])
        assert all(set(c["resources"]) == {"requests", "limits"} for c in spec["containers"])
