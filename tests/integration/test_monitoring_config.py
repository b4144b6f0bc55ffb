"""Prometheus config, alert rules, Grafana provisioning and docker-compose wiring (no broker)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from agents import metrics
from tests.conftest import REPO

MON = REPO / "monitoring"
GRAFANA = MON / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "wirestream.json"
ALERTS = {
    "WirestreamWorkerDown",
    "WirestreamConsumerLagGrowing",
    "WirestreamPartitionStalled",
    "WirestreamDeadLetterRateHigh",
    "WirestreamEndToEndLatencyHigh",
}

needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool not installed (make setup installs Debian's prometheus)"
)


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


@needs_promtool
@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.docker.yml"])
def test_promtool_check_config(config):
    result = promtool("check", "config", f"monitoring/{config}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout + result.stderr  # alerts.yml is loaded by both


@needs_promtool
def test_promtool_check_rules():
    result = promtool("check", "rules", "monitoring/alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(ALERTS)} rules found" in result.stdout + result.stderr


@needs_promtool
def test_promtool_unit_tests_show_each_alert_firing():
    result = promtool("test", "rules", "monitoring/alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    tests = yaml.safe_load((MON / "alerts.test.yml").read_text())["tests"]
    fired = {case["alertname"] for t in tests for case in t["alert_rule_test"] if case["exp_alerts"]}
    assert fired == ALERTS  # every alert has a case where it must fire
    quiet = {case["alertname"] for t in tests for case in t["alert_rule_test"] if not case["exp_alerts"]}
    assert quiet == ALERTS  # ...and one where it must not (yet)


# ── metric names referenced by rules and dashboards exist ─────────────────────


def exposed_sample_names() -> set[str]:
    metrics.record_dead_letter("validate", "schema_invalid")  # labelled series appear once used
    metrics.publish_lag({("articles.raw", 0): 0}, {("articles.raw", 0): 0})
    metrics.ENTITIES.labels("PERSON")
    text = generate_latest(metrics.REGISTRY).decode()
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples} | {"up"}


NAME = re.compile(r"\b(wirestream_[a-z0-9_]+|up)\b")


def referenced(expr: str) -> set[str]:
    return set(NAME.findall(expr))


def dashboard_exprs() -> list[str]:
    data = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in data["panels"] for t in p.get("targets", [])]
    exprs += [v["definition"] for v in data["templating"]["list"]]
    return exprs


def test_alert_rules_use_only_metrics_the_worker_exposes():
    rules = [r for g in yaml.safe_load((MON / "alerts.yml").read_text())["groups"] for r in g["rules"]]
    assert {r["alert"] for r in rules} == ALERTS
    exposed = exposed_sample_names()
    for rule in rules:
        names = referenced(rule["expr"])
        assert names and names <= exposed, (rule["alert"], names - exposed)
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]


def test_grafana_dashboard_uses_only_metrics_the_worker_exposes():
    exposed = exposed_sample_names()
    exprs = dashboard_exprs()
    assert len(exprs) >= 10
    for expr in exprs:
        names = referenced(expr)
        assert names and names <= exposed, (expr, names - exposed)


def test_grafana_dashboard_has_the_required_panels():
    data = json.loads(DASHBOARD.read_text())
    panels = {p["title"]: p for p in data["panels"] if p["type"] != "row"}
    exprs = " ".join(t["expr"] for p in panels.values() for t in p.get("targets", []))
    assert "Throughput per stage" in panels and "by (stage)" in exprs
    latency = panels["End-to-end latency (ingest → enriched)"]
    assert [t["legendFormat"] for t in latency["targets"]] == ["p50", "p95", "p99"]
    assert "by (topic, partition)" in panels["Consumer lag per partition"]["targets"][0]["expr"]
    assert "by (stage, reason)" in panels["Dead letters by reason"]["targets"][0]["expr"]
    assert "wirestream_entities_total" in panels["Entities by label"]["targets"][0]["expr"]
    assert "wirestream_quotes_total" in panels["Quotes by type"]["targets"][0]["expr"]
    assert len({p["id"] for p in data["panels"]}) == len(data["panels"])


def test_grafana_provisioning_points_the_dashboard_at_the_provisioned_datasource():
    ds = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())["datasources"][0]
    assert ds["type"] == "prometheus" and ds["url"] == "http://prometheus:9090"
    data = json.loads(DASHBOARD.read_text())
    uids = {p["datasource"]["uid"] for p in data["panels"] if "datasource" in p}
    uids |= {t["datasource"]["uid"] for p in data["panels"] for t in p.get("targets", [])}
    assert uids == {ds["uid"]}
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "wirestream.yml").read_text())["providers"][0]
    assert provider["type"] == "file"


def test_docker_compose_parses_and_mounts_files_that_exist():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    mounts: dict[str, dict[str, Path]] = {}
    for name in ("prometheus", "grafana"):
        mounts[name] = {}
        for volume in services[name]["volumes"]:
            host, container = volume.split(":")[:2]
            path = (REPO / host).resolve()
            assert path.exists(), f"{name} mounts {host}, which does not exist"
            mounts[name][container] = path
    prom = mounts["prometheus"]
    config = prom["/etc/prometheus/prometheus.yml"]
    assert config == MON / "prometheus.docker.yml"
    # rule files are relative to the config inside the container: they must be mounted there too
    for rule_file in yaml.safe_load(config.read_text())["rule_files"]:
        assert f"/etc/prometheus/{rule_file}" in prom, rule_file
    assert prom["/etc/prometheus/alerts.yml"] == MON / "alerts.yml"
    graf = mounts["grafana"]
    assert graf["/etc/grafana/provisioning"] == GRAFANA / "provisioning"
    dashboards_dir = yaml.safe_load((GRAFANA / "provisioning/dashboards/wirestream.yml").read_text())["providers"][0][
        "options"
    ]["path"]
    assert graf[dashboards_dir] == GRAFANA / "dashboards"
    assert "prometheus" in services["grafana"]["depends_on"]


def test_local_prometheus_config_scrapes_the_default_worker_port_and_extra_targets():
    config = yaml.safe_load((MON / "prometheus.yml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "wirestream")
    assert job["static_configs"][0]["targets"] == ["127.0.0.1:6066"]
    files = job["file_sd_configs"][0]["files"]
    assert files == ["targets/*.yml"]
    assert yaml.safe_load((MON / "targets" / "workers.yml").read_text()) == []


# ── the image installs the wheel; compose checks the worker's health ──────────


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]


def test_the_image_installs_the_built_wheel_never_the_source_tree():
    steps = dockerfile_instructions()
    runs = [arg for op, arg in steps if op == "RUN"]
    assert any("pip wheel" in r for r in runs)
    install = next(r for r in runs if "pip install" in r)
    assert ".whl" in install and "--constraint" in install and " -e " not in f" {install} "
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM") :]
    copied = [arg.split()[-2] for op, arg in final if op == "COPY" and not arg.startswith("--from")]
    assert not {"pipeline", "./pipeline", "agents", "schemas"} & {c.rstrip("/") for c in copied}
    for op, arg in steps:  # every COPY source exists in the repo
        if op == "COPY" and not arg.startswith("--from"):
            for source in [a for a in arg.split()[:-1] if not a.startswith("--")]:
                assert (REPO / source).exists(), source
    built = [arg.split()[0] for op, arg in steps if op == "COPY" and not arg.startswith("--")]
    assert {"pipeline", "agents", "schemas", "wirestream"} <= set(built)  # every package the wheel needs


def test_compose_checks_the_worker_on_its_health_endpoint():
    worker = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]["worker"]
    probe = " ".join(worker["healthcheck"]["test"])
    port = worker["environment"]["WIRESTREAM_WEB_PORT"]
    assert f"http://127.0.0.1:{port}/healthz" in probe
    assert worker["healthcheck"]["start_period"]  # the model loads before the web port opens
