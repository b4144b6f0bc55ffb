"""Pins: the worker refuses Faust/aiokafka versions its delivery code was not tested with; the pins agree."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest

from agents.versions import TESTED, UntestedVersions, check_versions, untested
from tests.conftest import REPO


def test_the_installed_versions_are_the_tested_ones():
    assert untested() == {}
    check_versions()


def test_another_faust_release_is_refused_with_what_to_install():
    found = {"faust-streaming": "0.16.0", "aiokafka": "0.14.0"}
    with pytest.raises(UntestedVersions) as info:
        check_versions(lookup=found.get)
    message = str(info.value)
    assert "faust-streaming 0.16.0" in message and "pip install faust-streaming==0.15.3" in message
    assert "aiokafka" not in message  # only the wrong one is named


def test_a_missing_package_is_named_as_not_installed():
    assert untested(lookup={"faust-streaming": "0.15.3"}.get) == {"aiokafka": None}
    with pytest.raises(UntestedVersions, match=r"aiokafka \(not installed\)"):
        check_versions(lookup={"faust-streaming": "0.15.3"}.get)


def test_pyproject_and_constraints_pin_exactly_the_tested_versions():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = dict(re.fullmatch(r"([A-Za-z0-9_.-]+)==([^;\s]+)", d).groups() for d in deps if "==" in d)
    assert pins == TESTED
    constraints = dict(
        line.split("==", 1)
        for line in (REPO / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert {name: constraints[name] for name in TESTED} == TESTED
    assert "wirestream" not in {name.lower() for name in constraints}


def test_the_worker_exits_78_on_an_untested_faust_before_touching_kafka():
    code = (
        "import sys, agents.versions as v; v.installed = {'faust-streaming': '0.16.1', 'aiokafka': '0.14.0'}.get; "
        "sys.argv = ['x']; from agents.worker import main; main()"
    )
    env = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 78, done.stderr
    assert "faust-streaming 0.16.1" in done.stderr and "faust-streaming==0.15.3" in done.stderr
    assert "Traceback" not in done.stderr and "broker" not in done.stderr.lower()
