"""A real Prometheus server scraping the session's real worker while articles flow."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from agents.clients import publish_values
from tests.conftest import REPO, free_port, wait_until

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        shutil.which("prometheus") is None, reason="prometheus not installed (make setup installs Debian's prometheus)"
    ),
]


def get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


class Prometheus:
    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder = port, folder
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, config: Path) -> Prometheus:
        with open(self.folder / "prometheus.log", "wb") as log:  # the child keeps its own handle
            self.proc = subprocess.Popen(
                [
                    "prometheus",
                    f"--config.file={config}",
                    f"--storage.tsdb.path={self.folder / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--storage.tsdb.retention.time=1h",
                    "--log.level=warn",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def ready(self) -> bool:
        assert self.proc is not None and self.proc.poll() is None, self.log()
        try:
            return get(self.url + "/-/ready", 2).startswith(b"Prometheus")
        except OSError:
            return False

    def query(self, promql: str) -> list[dict]:
        body = json.loads(get(f"{self.url}/api/v1/query?{urllib.parse.urlencode({'query': promql})}"))
        assert body["status"] == "success", body
        return body["data"]["result"]

    def log(self) -> str:
        return (self.folder / "prometheus.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def prometheus(worker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    folder = tmp_path_factory.mktemp("prometheus")
    shutil.copy(REPO / "monitoring" / "alerts.yml", folder / "alerts.yml")
    config = folder / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "rule_files: [alerts.yml]\n"
        "scrape_configs:\n"
        "  - job_name: wirestream\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{worker.web_port}']}}]\n"
    )
    server = Prometheus(free_port(), folder).start(config)
    try:
        wait_until(server.ready, timeout=60, what="prometheus to be ready")
        yield server
    finally:
        server.stop()


def test_metrics_endpoint_serves_wirestream_faust_and_process_metrics(worker):
    text = wait_until(lambda: _metrics_text(worker), timeout=180, interval=1, what="the worker's /metrics")
    assert "wirestream_articles_total{" in text
    assert "wirestream_consumer_lag_messages" in text or "wirestream_consumer_lag_refresh" in text
    assert "faust_messages_received_total" in text  # Faust's own sensors, enabled
    assert "process_cpu_seconds_total" in text
    assert "_created" not in text


def _metrics_text(worker) -> str | None:
    try:
        return get(f"http://127.0.0.1:{worker.web_port}/metrics").decode()
    except OSError:
        return None


def article(run: str, i: int) -> bytes:
    body = (
        f"Officials in Lisbon opened a new rail link on day {i}.\n\n"
        "\u201cThis line will carry freight within two years,\u201d said Ana Ferreira, the transport minister."
    )
    return orjson.dumps(
        {"id": f"{run}-prom-{i}", "headline": f"Rail link {i}", "body": body, "published_at": "2026-11-25T10:00:00Z"}
    )


def test_prometheus_sees_positive_rates_per_stage_after_articles_flow(prometheus, worker, settings_for):
    up = wait_until(
        lambda: [r for r in prometheus.query('up{job="wirestream"}') if r["value"][1] == "1"],
        timeout=120,
        interval=1,
        what="the worker target to be up",
    )
    assert up[0]["metric"]["instance"] == f"127.0.0.1:{worker.web_port}"
    # a scrape from before the articles, so rate() starts from the pre-created zero series
    wait_until(
        lambda: prometheus.query("wirestream_articles_total"),
        timeout=60,
        interval=1,
        what="wirestream_articles_total in Prometheus",
    )
    time.sleep(2)

    run = uuid.uuid4().hex[:8]
    publish_values(settings_for, [article(run, i) for i in range(6)] + [b'{"id": "broken", "body": '])

    def per_stage() -> dict[str, float] | None:
        rows = prometheus.query('sum by (stage) (rate(wirestream_articles_total{outcome="ok"}[30s]))')
        rates = {r["metric"]["stage"]: float(r["value"][1]) for r in rows}
        return rates if all(rates.get(s, 0) > 0 for s in ("clean", "entities", "quotes")) else None

    rates = wait_until(per_stage, timeout=180, interval=1, what="rate(wirestream_articles_total[30s]) > 0 per stage")
    print(f"\nrate(wirestream_articles_total{{outcome=ok}}[30s]) by stage: {rates}")

    def dead_letters() -> float | None:
        rows = prometheus.query('sum(increase(wirestream_dead_letters_total{reason="invalid_json"}[1m]))')
        return float(rows[0]["value"][1]) if rows and float(rows[0]["value"][1]) > 0 else None

    dead = wait_until(dead_letters, timeout=60, interval=1, what="the dead letter in Prometheus")
    print(f"increase(wirestream_dead_letters_total{{reason=invalid_json}}[1m]): {dead:.2f}")

    p99 = prometheus.query(
        "histogram_quantile(0.99, sum by (le) (rate("
        'wirestream_end_to_end_latency_seconds_bucket{reference="ingested_at"}[1m])))'
    )
    p99_s = float(p99[0]["value"][1])
    print(f"p99 end-to-end latency (ingest -> enriched): {p99_s:.3f}s")
    assert 0 < p99_s < 600

    entities = {
        r["metric"]["label"]: float(r["value"][1])
        for r in prometheus.query("sum by (label) (increase(wirestream_entities_total[1m]))")
    }
    quotes = {
        r["metric"]["type"]: float(r["value"][1])
        for r in prometheus.query("sum by (type) (increase(wirestream_quotes_total[1m]))")
    }
    print(f"entities by label over 1m: {entities}\nquotes by type over 1m: {quotes}")
    assert entities.get("GPE", 0) > 0 and entities.get("PERSON", 0) > 0
    assert quotes.get("direct", 0) > 0

    lag = wait_until(
        lambda: prometheus.query("wirestream_consumer_lag_messages"), timeout=60, interval=1, what="consumer lag series"
    )
    partitions = {(r["metric"]["topic"], r["metric"]["partition"]) for r in lag}
    print(f"lag series: {sorted(partitions)}")
    assert {("articles.raw", "0"), ("articles.raw", "1")} <= partitions
    assert all(float(r["value"][1]) >= 0 for r in lag)


def test_prometheus_loads_the_alert_rules_and_evaluates_them(prometheus):
    def evaluated() -> list[dict] | None:
        body = json.loads(get(prometheus.url + "/api/v1/rules"))
        rules = [r for g in body["data"]["groups"] for r in g["rules"]]
        return rules if rules and all(r.get("lastEvaluation", "").startswith("20") for r in rules) else None

    rules = wait_until(evaluated, timeout=60, interval=1, what="alert rules evaluated")
    assert {r["name"] for r in rules} == {
        "WirestreamWorkerDown",
        "WirestreamConsumerLagGrowing",
        "WirestreamDeadLetterRateHigh",
        "WirestreamEndToEndLatencyHigh",
        "WirestreamPartitionStalled",
    }
    assert all(r["health"] == "ok" for r in rules), [(r["name"], r.get("lastError")) for r in rules]
    firing = {r["name"] for r in rules if r["state"] == "firing"}
    assert "WirestreamWorkerDown" not in firing
