"""Installs anywhere: the built wheel, in a fresh venv, enriches the seed and runs a worker from outside the repo.

The wheel is built from a copy of the working tree (the shared checkout gets
no build/ or egg-info churn), offline (`--no-build-isolation`, so setuptools
comes from the project's venv). The fresh venv gets only the wheel; the
dependencies come from the project's venv through a .pth line, which adds
that site-packages directory without running its .pth files, so the
editable checkout cannot leak in.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import uuid
import zipfile
from pathlib import Path

import orjson
import pytest

from tests.conftest import REPO, SEED, Worker, pipeline_env, wait_until

SOURCES = ("pyproject.toml", "README.md", "pipeline", "agents", "schemas", "wirestream", "tools", "seeds")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")


def build_wheel(out: Path) -> tuple[Path, str]:
    """`pip wheel .` over a copy of the tree (tools/ included, so leaving it out is the build's doing)."""
    src = out / "src"
    src.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=IGNORE)
        else:
            shutil.copy2(path, src / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out / "dist"), "."],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (out / "dist").glob("wirestream-*.whl")
    return wheel, done.stdout + done.stderr


def fresh_venv(path: Path, wheel: Path) -> Path:
    """A venv holding only the wheel; the project's dependencies are visible through a .pth line."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]  # the project's venv, where the dependencies live
    assert Path(deps).resolve() != Path(purelib).resolve()
    (Path(purelib) / "project-dependencies.pth").write_text(deps + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return path / "bin"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    wheel, build_log = build_wheel(out)
    bin_dir = fresh_venv(out / "venv", wheel)
    outside = tmp_path_factory.mktemp("elsewhere")  # cwd for every command: nothing of the repo nearby
    return {"wheel": wheel, "log": build_log, "bin": bin_dir, "cwd": outside}


def run(installed, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(installed["bin"] / "wirestream"), *args],
        cwd=installed["cwd"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_pip_wheel_builds_without_warnings(installed):
    assert "warning" not in installed["log"].lower(), installed["log"]


def test_the_wheel_holds_the_packages_and_their_data_and_no_developer_tools(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top == {"pipeline", "agents", "schemas", "wirestream"}
    assert not [n for n in names if n.startswith(("tools/", "tests/")) or "/bench" in n or "/chaos" in n]
    for schema in ("article.raw", "article.enriched", "deadletter"):
        assert f"schemas/{schema}.schema.json" in names
    assert "wirestream/kafka/pom.xml" in names and "agents/static/dashboard.html" in names
    assert {"pipeline/entities/data/given_names.tsv", "pipeline/entities/data/given_names.LICENSE"} <= set(names)


def test_the_installed_package_is_the_one_imported(installed):
    probe = subprocess.run(
        [
            str(installed["bin"] / "python"),
            "-c",
            "import pipeline, schemas, agents; print(pipeline.__file__, schemas.__file__)",
        ],
        cwd=installed["cwd"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    venv = str(installed["bin"].parent)
    assert all(path.startswith(venv) for path in probe.stdout.split()), probe.stdout


def test_the_installed_cli_enriches_the_seed_from_outside_the_repo(installed):
    done = run(installed, "enrich", str(SEED))
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    record = orjson.loads(line)
    assert record["headline"].startswith("Turkey talking to Russia on ceasefire")
    assert record["dateline"]["places"] == ["ANKARA", "ISTANBUL"]
    assert record["quotes"] and all(record["body"][q["start"] : q["end"]] == q["text"] for q in record["quotes"])
    assert "Tulay Karadeniz" in record["credits"]["reporting"]


@pytest.mark.broker
def test_a_worker_from_the_installed_wheel_enriches_an_article(installed, broker, tmp_path):
    from agents.clients import publish_values, tail
    from pipeline.config import Settings

    tag = uuid.uuid4().hex[:8]  # topics of its own: the worker does not replay other tests' articles
    env = pipeline_env(
        broker.bootstrap,
        **{
            f"WIRESTREAM_TOPIC_{stem}": f"w{tag}.{stem.lower()}"
            for stem in ("RAW", "CLEAN", "PARSED", "ENRICHED", "QUOTES", "DEADLETTER")
        },
    )
    env["PATH"] = f"{installed['bin']}:{env.get('PATH', '')}"
    worker = Worker(env, tmp_path / "worker.log")
    with open(worker.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        worker.proc = subprocess.Popen(
            [str(installed["bin"] / "wirestream"), "worker", "--loglevel", "info"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=installed["cwd"],
            start_new_session=True,
        )
    s = Settings.from_env(env)
    try:
        aid = f"wheel-{tag}"
        body = (
            "LYON (Wirestream) - The museum reopened its Roman wing on Friday.\n\n"
            "\u201cVisitors can touch the mosaics again,\u201d said Claire Dumas, its curator."
        )
        publish_values(s, [orjson.dumps({"id": aid, "headline": "Roman wing reopens", "body": body})])

        def enriched():
            records = [orjson.loads(v) for v in tail(s, s.topics.enriched, from_beginning=True, idle_timeout_s=2)]
            assert worker.proc.poll() is None, worker.log()[-3000:]
            return next((r for r in records if r["id"] == aid), None)

        record = wait_until(enriched, timeout=180, interval=1, what=f"{aid} enriched by the installed worker")
        assert [q["speaker"]["name"] for q in record["quotes"]] == ["Claire Dumas"]
        assert str(REPO) not in worker.log()  # no traceback or path from the checkout
    finally:
        worker.stop()
