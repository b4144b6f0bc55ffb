"""Start-up check: the worker runs only on the Faust and aiokafka versions its delivery code was tested with.

`agents/delivery.py` overrides private parts of faust-streaming and aiokafka
(how events are acked and sends retried). Another release can rename or
rewire them without an error, silently undoing the delivery guarantees, so a
worker on any other version refuses to start (exit 78) instead. The same
versions are pinned in pyproject.toml and constraints.txt (a test keeps all
three in agreement); moving them is a change that comes with a run of the
delivery tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import metadata

#: Distribution name -> the exact version agents/delivery.py was tested with.
TESTED: dict[str, str] = {"faust-streaming": "0.15.3", "aiokafka": "0.14.0"}


class UntestedVersions(RuntimeError):
    """A delivery-critical dependency is not at the version the delivery code was tested with."""


def installed(distribution: str) -> str | None:
    """The installed version of `distribution`, or None when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def untested(
    tested: Mapping[str, str] = TESTED, lookup: Callable[[str], str | None] | None = None
) -> dict[str, str | None]:
    """{distribution: installed version} for each one that differs from its tested version."""
    found = {name: (lookup or installed)(name) for name in tested}
    return {name: version for name, version in found.items() if version != tested[name]}


def check_versions(tested: Mapping[str, str] = TESTED, lookup: Callable[[str], str | None] | None = None) -> None:
    """Raise UntestedVersions, naming what is installed and what to install, unless all versions match."""
    wrong = untested(tested, lookup)
    if not wrong:
        return
    have = ", ".join(f"{name} {version or '(not installed)'}" for name, version in wrong.items())
    want = " ".join(f"{name}=={tested[name]}" for name in wrong)
    raise UntestedVersions(
        f"this worker's delivery guarantees (agents/delivery.py) were tested with {want}, but found {have}. "
        f"Install the tested versions (pip install {want}, or pip install -c constraints.txt .) — "
        "another version could silently break at-least-once delivery."
    )
