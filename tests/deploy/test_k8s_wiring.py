"""deploy/k8s fits together and fits the code: probes ask routes that exist on the ports the settings open, the
worker's stop grace covers its SIGTERM drain, the autoscaler reads a metric the worker exports, and selectors,
budgets and network policies name the pods and ports they mean."""

from __future__ import annotations

from aiohttp import web

from tests.deploy.manifests import Manifest, container_port, one, pod_spec, settings_map
from worker.context import app_context
from worker.jobs.probes import probe_app
from worker.settings import Settings
from worker.web.app import create_app

ALL_ADDRESSES = "0.0.0.0"  # noqa: S104 - in a pod, the probes and the Service reach it on the pod's address
DEPLOYMENTS = {"web": "meli-web", "worker": "meli-worker"}


def _container(deployment: str) -> Manifest:
    (container,) = pod_spec(one("Deployment", deployment))["containers"]
    assert isinstance(container, dict)
    return container


def _paths(app: web.Application) -> set[str]:
    return {route.resource.canonical for route in app.router.routes() if route.resource is not None}


def _probe_targets(container: Manifest) -> set[tuple[str, int]]:
    probes = (container[kind]["httpGet"] for kind in ("readinessProbe", "livenessProbe"))
    return {(probe["path"], container_port(container, probe["port"])) for probe in probes}


async def test_probes_ask_existing_routes_on_the_ports_the_settings_open(settings: Settings) -> None:
    values = settings_map()
    async with app_context(settings) as context:
        web_paths, worker_paths = _paths(create_app(context)), _paths(probe_app(context))

    assert _probe_targets(_container("meli-web")) == {("/healthz", int(values["MELI_WEB_PORT"]))}
    assert _probe_targets(_container("meli-worker")) == {("/healthz", int(values["MELI_WORKER_METRICS_PORT"]))}
    assert {"/healthz", "/metrics"} <= web_paths
    assert {"/healthz", "/metrics"} <= worker_paths


def test_ports_and_scrape_annotations_follow_the_settings() -> None:
    values = settings_map()
    web_container, worker_container = _container("meli-web"), _container("meli-worker")

    assert container_port(web_container, "http") == int(values["MELI_WEB_PORT"])
    assert container_port(web_container, "internal") == int(values["MELI_INTERNAL_PORT"])
    assert container_port(worker_container, "metrics") == int(values["MELI_WORKER_METRICS_PORT"])
    assert (
        values["MELI_WEB_HOST"] == values["MELI_INTERNAL_HOST"] == values["MELI_WORKER_METRICS_HOST"] == ALL_ADDRESSES
    )
    for name, port in (("meli-web", "MELI_INTERNAL_PORT"), ("meli-worker", "MELI_WORKER_METRICS_PORT")):
        annotations = one("Deployment", name)["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == values[port]


def test_worker_grace_period_covers_its_sigterm_drain() -> None:
    grace = pod_spec(one("Deployment", "meli-worker"))["terminationGracePeriodSeconds"]
    drain = int(settings_map()["MELI_WORKER_SHUTDOWN_SECONDS"])

    assert drain >= 20  # a drain job yields after 20 s; its batch in flight then finishes
    assert grace >= drain + 10  # then cancelling the rest and closing connections


def test_selectors_budgets_and_service_name_the_deployments_pods() -> None:
    for component, name in DEPLOYMENTS.items():
        deployment = one("Deployment", name)
        labels = deployment["spec"]["template"]["metadata"]["labels"]

        assert deployment["spec"]["selector"]["matchLabels"] == labels
        assert labels["app.kubernetes.io/component"] == component
        assert one("PodDisruptionBudget", name)["spec"]["selector"]["matchLabels"] == labels
        assert one("NetworkPolicy", name)["spec"]["podSelector"]["matchLabels"] == labels
    assert (
        one("Service", "meli-web")["spec"]["selector"]
        == one("Deployment", "meli-web")["spec"]["selector"]["matchLabels"]
    )
    assert "replicas" not in one("Deployment", "meli-worker")["spec"]  # the autoscaler owns it


async def test_scaled_object_scales_workers_on_the_ready_jobs_the_worker_exports(settings: Settings) -> None:
    spec = one("ScaledObject", "meli-worker")["spec"]
    (trigger,) = spec["triggers"]
    queue = settings_map()["MELI_QUEUE_NAME"]
    async with app_context(settings) as context:
        probe_app(context)  # registers the queue gauges
        exported = {family.name for family in context.metrics.registry.collect()}

    assert spec["scaleTargetRef"] == {"name": "meli-worker"}
    assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
    assert trigger["type"] == "prometheus"
    assert set(trigger["metadata"]) == {"serverAddress", "query", "threshold"}
    assert trigger["metadata"]["query"] == f'max(meli_queue_ready_jobs{{queue="{queue}"}})'
    assert "meli_queue_ready_jobs" in exported
    assert 0 < int(trigger["metadata"]["threshold"]) <= int(settings_map()["MELI_WORKER_CONCURRENCY"])


def _rules(policy: str, direction: str) -> list[tuple[frozenset[int], bool]]:
    """(ports, open to any source) of each rule."""
    return [
        (frozenset(port["port"] for port in rule["ports"]), "from" not in rule and "to" not in rule)
        for rule in one("NetworkPolicy", policy)["spec"].get(direction, [])
    ]


def test_network_policies_open_the_public_port_only() -> None:
    values = settings_map()
    public, internal = int(values["MELI_WEB_PORT"]), int(values["MELI_INTERNAL_PORT"])
    outbound = frozenset({5432, 6379, 53, 443})

    assert _rules("meli-web", "ingress") == [(frozenset({public}), True), (frozenset({internal}), False)]
    assert _rules("meli-worker", "ingress") == [(frozenset({int(values["MELI_WORKER_METRICS_PORT"])}), False)]
    assert _rules("meli-migrate", "ingress") == []
    in_cluster: list[Manifest] = [{"namespaceSelector": {}}]  # any pod of any namespace; nothing outside the cluster
    assert one("NetworkPolicy", "meli-web")["spec"]["ingress"][1]["from"] == in_cluster
    assert one("NetworkPolicy", "meli-worker")["spec"]["ingress"][0]["from"] == in_cluster
    assert _rules("meli-web", "egress") == _rules("meli-worker", "egress") == [(outbound, True)]
    assert _rules("meli-migrate", "egress") == [(frozenset({5432, 53}), True)]
    for name in ("meli-web", "meli-worker", "meli-migrate"):
        assert one("NetworkPolicy", name)["spec"]["policyTypes"] == ["Ingress", "Egress"]
