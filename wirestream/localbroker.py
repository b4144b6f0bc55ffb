"""A real, single-node Apache Kafka broker for development, tests and demos.

Why not Docker or a tarball: the project's machines reach package registries
only, so the broker's jars come from Maven Central through `mvn` (driven by the
pom in `pipeline/kafka/`) and run on the local JDK. One JVM plays both KRaft
roles (broker and controller) on 127.0.0.1, so no ZooKeeper and no network
setup are needed.

Used by `wirestream broker start|stop|status`, the test suite, `make demo` and
`make chaos`::

    broker = LocalBroker(port=19092)
    broker.start()          # fetches jars once, formats storage once, waits until usable
    broker.bootstrap        # "127.0.0.1:19092"
    broker.stop()

Layout of a data dir (default `.wirestream/broker-<port>`)::

    server.properties   KRaft config, rewritten on every start
    log4j2.properties   logging config (everything goes to broker.log)
    broker.log          the broker's own log; its tail is quoted on failures
    broker.out          JVM stdout/stderr (crashes, log4j status lines)
    broker.pid          pid of the running JVM
    wirestream-broker.json  settings that must survive restarts (controller port)
    logs/               Kafka's log.dirs (topics, KRaft metadata)
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import ipaddress
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "KAFKA_VERSION",
    "BrokerError",
    "LocalBroker",
    "TlsFiles",
    "ensure_jars",
    "free_port",
    "kafka_home",
    "make_tls_files",
]

KAFKA_VERSION = "4.1.1"
HOST = "127.0.0.1"
MIN_JAVA = 17  # Kafka 4.x brokers refuse older JVMs.
HEAP = "-Xmx512m"  # Enough for dev traffic; keeps a 2-core CI box breathing.

INSTALL_JAVA = "apt-get install openjdk-17-jre-headless"
INSTALL_MAVEN = "apt-get install maven"
INSTALL_BOTH = "apt-get install openjdk-17-jre-headless maven"

_MARKER = ".wirestream-complete"
_STATE_FILE = "wirestream-broker.json"
_MAVEN_TIMEOUT_S = 900  # A cold ~/.m2 pulls ~45 jars (~70 MB); slow mirrors happen.


class BrokerError(RuntimeError):
    """The local broker could not be provisioned, started or stopped; the message says why."""


# --------------------------------------------------------------------------- tools


def _java() -> str:
    """Path of a usable `java` (JAVA_HOME first, as Kafka's scripts do), else what to install."""
    home = os.environ.get("JAVA_HOME")
    java: str | None = None
    if home and os.access(Path(home) / "bin" / "java", os.X_OK):
        java = str(Path(home) / "bin" / "java")
    else:
        java = shutil.which("java")
    if not java:
        hint = INSTALL_JAVA if shutil.which("mvn") else INSTALL_BOTH
        raise BrokerError(
            f"The local Kafka broker needs Java {MIN_JAVA}+, but `java` is not on PATH "
            f"(and JAVA_HOME is not set to a JDK). Install it with: {hint} "
            "(Debian/Ubuntu; on macOS: brew install openjdk@17 maven)."
        )
    major = _java_major(java)
    if major is not None and major < MIN_JAVA:
        raise BrokerError(
            f"Kafka {KAFKA_VERSION} needs Java {MIN_JAVA}+, but {java} is Java {major}. "
            f"Install a newer one with: {INSTALL_JAVA} (and put it first on PATH or in JAVA_HOME)."
        )
    return java


_java_majors: dict[str, int | None] = {}


def _java_major(java: str) -> int | None:
    """Major version of `java` (cached: the probe costs a JVM start); None when unparseable."""
    if java not in _java_majors:
        try:
            out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
            m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
        except (OSError, subprocess.SubprocessError):
            m = None
        if m is None:
            _java_majors[java] = None
        else:
            first = int(m.group(1))
            # Java 8 and older report "1.8.0_x".
            _java_majors[java] = int(m.group(2) or 0) if first == 1 else first
    return _java_majors[java]


def _mvn() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise BrokerError(
            "Fetching the Kafka broker's jars needs Apache Maven, but `mvn` is not on PATH. "
            f"Install it with: {INSTALL_MAVEN} (Debian/Ubuntu; on macOS: brew install maven). "
            "Or point WIRESTREAM_KAFKA_HOME at a folder whose lib/ holds Kafka's jars."
        )
    return mvn


# --------------------------------------------------------------------------- jars


def kafka_home(version: str = KAFKA_VERSION) -> Path:
    """Jar cache for `version`: WIRESTREAM_KAFKA_HOME, else ~/.cache/wirestream/kafka-<version>."""
    env = os.environ.get("WIRESTREAM_KAFKA_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path.home() / ".cache" / "wirestream" / f"kafka-{version}"


def _pom_text() -> str:
    return resources.files("wirestream").joinpath("kafka/pom.xml").read_text(encoding="utf-8")


def _log4j_text() -> str:
    return resources.files("wirestream").joinpath("kafka/log4j2.properties").read_text(encoding="utf-8")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on `path`, so two processes (CLI and tests) never race."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_jars(version: str = KAFKA_VERSION, *, quiet: bool = False) -> Path:
    """Return the folder of broker jars, fetching them with Maven the first time.

    The folder is reused while its marker matches the pom and version, so later
    starts cost no Maven run (and need no network). Maven copies into a scratch
    folder that is renamed into place only when complete, so an interrupted
    download never looks like a usable cache.
    """
    home = kafka_home(version)
    lib = home / "lib"
    pom = _pom_text()
    fingerprint = hashlib.sha256(f"{version}\n{pom}".encode()).hexdigest()
    marker = lib / _MARKER

    def complete() -> bool:
        if not any(lib.glob("kafka_2.13-*.jar")):
            return False
        try:
            return marker.read_text().strip() == fingerprint
        except FileNotFoundError:
            # Jars someone put in WIRESTREAM_KAFKA_HOME/lib by hand (e.g. a Kafka
            # distribution's libs/): theirs to manage, use them as they are.
            return bool(os.environ.get("WIRESTREAM_KAFKA_HOME"))
        except OSError:
            return False

    if complete():
        return lib
    with _locked(home / ".lock"):
        if complete():  # Another process fetched them while we waited.
            return lib
        mvn = _mvn()
        (home / "pom.xml").write_text(pom, encoding="utf-8")
        scratch = home / "lib.partial"
        shutil.rmtree(scratch, ignore_errors=True)
        cmd = [
            mvn, "-q", "-B", "-Dstyle.color=never",
            "-f", str(home / "pom.xml"),
            "dependency:copy-dependencies",
            f"-Dkafka.version={version}",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={scratch}",
        ]  # fmt: skip
        _say(f"fetching Kafka {version} jars from Maven Central into {lib} (first start only)", quiet)
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=_MAVEN_TIMEOUT_S, cwd=home, check=False)
        except subprocess.TimeoutExpired as exc:
            raise BrokerError(
                f"Maven did not fetch the Kafka jars within {_MAVEN_TIMEOUT_S}s: {' '.join(cmd)}"
            ) from exc
        jars = list(scratch.glob("kafka_2.13-*.jar")) if scratch.is_dir() else []
        if done.returncode != 0 or not jars:
            output = _tail_text(done.stdout + done.stderr, 40)
            raise BrokerError(
                f"Maven could not fetch the Kafka {version} broker jars (exit {done.returncode}).\n"
                f"Command: {' '.join(cmd)}\n"
                "Check that Maven Central is reachable (or a mirror in ~/.m2/settings.xml).\n"
                f"--- maven output ---\n{output}"
            )
        (scratch / _MARKER).write_text(fingerprint + "\n")
        if lib.exists():
            shutil.rmtree(lib)
        scratch.rename(lib)
    return lib


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now, and whose neighbour (+1) is too.

    Picked below the kernel's ephemeral range: a port the OS hands out with
    bind(0) is also what any outgoing connection on the machine may take as
    its local port, so a test that stops and restarts its broker on the same
    port could find it taken in between. The neighbour matters because the
    controller goes on port+1 by default.
    """
    low, high = 20000, _ephemeral_low() - 2
    rng = random.SystemRandom()
    if high > low:
        for _ in range(200):
            port = rng.randint(low, high)
            if _port_free(port) and _port_free(port + 1):
                return port
    for _ in range(50):  # Odd kernel settings: fall back to what the OS offers.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = int(s.getsockname()[1])
        if port < 65535 and _port_free(port + 1):
            return port
    return int(port)  # Extremely busy machine: the controller will get its own free port.


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux default; macOS starts at 49152, so this stays clear of it too.


def _port_free(port: int, grace: float = 0.0) -> bool:
    """True when nothing holds 127.0.0.1:port (we can bind it), retrying for `grace` seconds."""
    deadline = time.monotonic() + grace
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((HOST, port))
                return True
            except OSError:
                pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def _listening(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (`kill -0` alone calls zombies alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # Gone, or no procfs (macOS).
    except OSError:
        return True
    return not stat[stat.rindex(")") + 2 :].startswith(("Z", "X"))


def _new_cluster_id() -> str:
    """A Kafka-style cluster id: url-safe base64 of a random UUID, never starting with '-'.

    Same shape as `kafka.tools.StorageTool random-uuid` without paying a JVM start.
    """
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 64_000))
            return _tail_text(fh.read().decode("utf-8", "replace"), lines)
    except OSError:
        return "(no such file)"


def _say(message: str, quiet: bool = False) -> None:
    """Progress for people running the CLI or make targets; stderr so stdout stays scriptable."""
    if not quiet:
        print(f"[wirestream broker] {message}", file=sys.stderr, flush=True)


def _render_properties(props: Mapping[str, str]) -> str:
    def esc(value: str) -> str:
        # Java .properties: backslashes escape, so keep them literal.
        return value.replace("\\", "\\\\").replace("\n", "\\n")

    lines = ["# Written by wirestream/localbroker.py on every start; edit extra_properties instead."]
    lines += [f"{key}={esc(str(value))}" for key, value in props.items()]
    return "\n".join(lines) + "\n"


def _listener_ports(listeners: str) -> dict[str, int]:
    """{"PLAINTEXT": 19092, "CONTROLLER": 19093} from a `listeners` value."""
    out: dict[str, int] = {}
    for item in filter(None, (x.strip() for x in listeners.split(","))):
        m = re.match(r"^([A-Za-z0-9_]+)://.*:(\d+)$", item)
        if m:
            out[m.group(1).upper()] = int(m.group(2))
    return out


# --------------------------------------------------------------------------- TLS


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """A throw-away CA and a broker certificate signed by it, for a local SSL listener.

    `ca_file` is what clients trust (KAFKA_SSL_CAFILE); `keystore` is the
    broker's key and certificate chain as PKCS#12, opened with `password`.
    """

    ca_file: Path
    keystore: Path
    password: str


def _openssl(*args: str, cwd: Path) -> None:
    openssl = shutil.which("openssl")
    if not openssl:
        raise BrokerError("Making test certificates needs `openssl` on PATH: apt-get install openssl")
    done = subprocess.run([openssl, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise BrokerError(f"openssl {args[0]} failed (exit {done.returncode}): {_tail_text(done.stderr, 10)}")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def make_tls_files(directory: Path | str, hosts: Sequence[str] = (HOST, "localhost"), days: int = 2) -> TlsFiles:
    """Generate a CA and a broker certificate valid for `hosts` (IPs or names) into `directory`.

    For tests and local trials only: the keys are unencrypted on disk and the
    CA is thrown away with the directory. Real clusters use their own PKI.
    """
    out = Path(directory).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    names = ",".join(f"IP:{h}" if _is_ip(h) else f"DNS:{h}" for h in hosts)
    password = base64.urlsafe_b64encode(os.urandom(12)).decode()
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        str(days),
        "-subj",
        "/CN=Wirestream local test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        cwd=out,
    )
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "broker.key",
        "-out",
        "broker.csr",
        "-subj",
        f"/CN={hosts[0]}",
        cwd=out,
    )
    (out / "broker.ext").write_text(f"subjectAltName={names}\nextendedKeyUsage=serverAuth\n")
    _openssl(
        "x509",
        "-req",
        "-in",
        "broker.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "broker.crt",
        "-days",
        str(days),
        "-extfile",
        "broker.ext",
        cwd=out,
    )
    _openssl(
        "pkcs12",
        "-export",
        "-in",
        "broker.crt",
        "-inkey",
        "broker.key",
        "-certfile",
        "ca.crt",
        "-name",
        "broker",
        "-out",
        "broker.p12",
        "-passout",
        f"pass:{password}",
        cwd=out,
    )
    return TlsFiles(ca_file=out / "ca.crt", keystore=out / "broker.p12", password=password)


# --------------------------------------------------------------------------- broker


class LocalBroker:
    """One local KRaft Kafka node (broker + controller) whose files live in `data_dir`.

    Safe to drive from several processes: state is the pid file plus a lock, so
    `wirestream broker status` sees a broker that `make demo` started.
    """

    def __init__(
        self,
        port: int = 9092,
        data_dir: Path | str | None = None,
        extra_properties: Mapping[str, str] | None = None,
        *,
        version: str = KAFKA_VERSION,
        quiet: bool = False,
        scram_users: Mapping[str, str] | None = None,
        ssl_port: int | None = None,
        tls: TlsFiles | None = None,
    ) -> None:
        self.port = int(port)
        # Optional SSL listener on ssl_port, serving the certificate in `tls`
        # (make_tls_files); the PLAINTEXT port stays for inter-broker traffic
        # and the readiness probe.
        if (ssl_port is None) != (tls is None):
            raise ValueError("an SSL listener needs both ssl_port and tls (see make_tls_files)")
        self.ssl_port = int(ssl_port) if ssl_port is not None else None
        self.tls = tls
        # SCRAM credentials {name: password}, written into KRaft metadata when
        # the storage is formatted (first start only), for both SHA-256 and
        # SHA-512. Never written to server.properties or the logs.
        self.scram_users: dict[str, str] = dict(scram_users or {})
        if data_dir is None:
            base = Path(os.environ.get("WIRESTREAM_DATA_DIR", ".wirestream"))
            data_dir = base / f"broker-{self.port}"
        # Absolute, because the JVM gets these paths and callers may chdir later.
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.extra_properties: dict[str, str] = dict(extra_properties or {})
        self.version = version
        self.quiet = quiet
        self._log_offset = 0

    # ---- paths

    @property
    def bootstrap(self) -> str:
        """What clients pass as bootstrap servers."""
        return f"{HOST}:{self.port}"

    @property
    def ssl_bootstrap(self) -> str | None:
        """What TLS clients pass as bootstrap servers (None without an SSL listener)."""
        return f"{HOST}:{self.ssl_port}" if self.ssl_port is not None else None

    @property
    def config_file(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "broker.log"

    @property
    def out_file(self) -> Path:
        return self.data_dir / "broker.out"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "broker.pid"

    @property
    def log_dirs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def formatted(self) -> bool:
        """Storage already formatted: restarts must reuse it, never re-format."""
        return (self.log_dirs / "meta.properties").is_file()

    # ---- public API

    def start(self, timeout: float = 90, extra_properties: Mapping[str, str] | None = None) -> None:
        """Start the broker and return once clients can use it.

        No-op (with a message) when it is already running. Existing data is
        reused; storage is formatted only for a new data dir. `extra_properties`
        override the generated config for this start (merged over the ones given
        to the constructor); a `listeners` override keeps the controller listener.
        `timeout` covers the broker's boot, not the one-time jar download.
        """
        java = _java()  # Before touching the disk: a missing JDK is the commonest failure.
        with _locked(self.data_dir / ".lock"):
            pid = self._running_pid()
            if pid is not None:
                self._say(f"already running (pid {pid}) on {self.bootstrap}; nothing to do")
                return
            self._clear_stale_pid()
            props = self.properties(extra_properties)
            self._check_ports(props)
            lib = ensure_jars(self.version, quiet=self.quiet)
            self._write_files(props)
            if not self.formatted:
                self._format(java, lib)
            t0 = time.monotonic()
            pid = self._launch(java, lib)
            self._wait_ready(pid, props, timeout)
            self._say(
                f"Kafka {self.version} ready on {self.bootstrap} "
                f"(pid {self._running_pid()}, {time.monotonic() - t0:.1f}s; log: {self.log_file})"
            )

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM for a clean shutdown (next start skips log recovery); SIGKILL after `timeout`."""
        if not self.data_dir.is_dir():
            self._say(f"not running on {self.bootstrap} (no data dir {self.data_dir})")
            return
        with _locked(self.data_dir / ".lock"):
            pid = self._running_pid()
            if pid is None:
                self._clear_stale_pid()
                self._say(f"not running on {self.bootstrap}; nothing to stop")
                return
            self._signal(pid, signal.SIGTERM)
            if not self._wait_gone(pid, timeout):
                self._say(f"pid {pid} ignored SIGTERM for {timeout:.0f}s; sending SIGKILL")
                self._signal(pid, signal.SIGKILL)
                if not self._wait_gone(pid, 10):
                    raise BrokerError(f"Kafka broker pid {pid} survived SIGKILL")
            self.pid_file.unlink(missing_ok=True)
            self._say(f"stopped (pid {pid})")

    def kill(self) -> None:
        """SIGKILL without a clean shutdown: for fault-injection tests of crash recovery."""
        if not self.data_dir.is_dir():
            return
        with _locked(self.data_dir / ".lock"):
            pid = self._running_pid()
            if pid is None:
                self._clear_stale_pid()
                return
            self._signal(pid, signal.SIGKILL)
            if not self._wait_gone(pid, 10):
                raise BrokerError(f"Kafka broker pid {pid} survived SIGKILL")
            self.pid_file.unlink(missing_ok=True)
            self._say(f"killed (pid {pid})")

    def restart(self, timeout: float = 90) -> None:
        """Clean stop then start, keeping data: what a rolling restart looks like to clients."""
        self.stop()
        self.start(timeout=timeout)

    def status(self) -> dict[str, Any]:
        """Where the broker is and whether it runs; cheap enough to poll."""
        pid = self._running_pid()
        state = self._read_state()
        return {
            "running": pid is not None,
            "pid": pid,
            "port": self.port,
            "controller_port": state.get("controller_port"),
            "bootstrap": self.bootstrap,
            "listening": pid is not None and _listening(self.port),
            "data_dir": str(self.data_dir),
            "log_file": str(self.log_file),
            "formatted": self.formatted,
            "kafka_version": self.version,
        }

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- configuration

    def properties(self, extra_properties: Mapping[str, str] | None = None) -> dict[str, str]:
        """The full server.properties for this start, as a dict (also handy in tests)."""
        extra = {**self.extra_properties, **dict(extra_properties or {})}
        controller_port = self._controller_port(extra)
        if self.tls is not None:
            extra = {**self._ssl_properties(controller_port), **extra}
        props: dict[str, str] = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "listeners": f"PLAINTEXT://{HOST}:{self.port},CONTROLLER://{HOST}:{controller_port}",
            "advertised.listeners": f"PLAINTEXT://{HOST}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": (
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"
            ),
            # Dynamic quorum: what `StorageTool format --standalone` requires
            # (it refuses controller.quorum.voters).
            "controller.quorum.bootstrap.servers": f"{HOST}:{controller_port}",
            "log.dirs": str(self.log_dirs),
            "num.partitions": "2",
            "auto.create.topics.enable": "true",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
        if "listeners" in extra:
            # A caller replacing the listeners (e.g. for SASL) states only the
            # client-facing ones; derive the rest so the node still boots.
            listeners = extra["listeners"]
            ports = _listener_ports(listeners)
            if "CONTROLLER" not in ports:
                listeners = f"{listeners},CONTROLLER://{HOST}:{controller_port}"
            extra["listeners"] = listeners
            client = [x.strip() for x in listeners.split(",") if x.strip() and
                      not x.strip().upper().startswith("CONTROLLER://")]  # fmt: skip
            extra.setdefault("advertised.listeners", ",".join(client))
            if "PLAINTEXT" not in ports and "inter.broker.listener.name" not in extra:
                own = [name for name, p in ports.items() if p == self.port and name != "CONTROLLER"]
                if own:
                    extra["inter.broker.listener.name"] = own[0]
        if "listener.security.protocol.map" in extra:
            pmap = extra["listener.security.protocol.map"]
            if not re.search(r"(^|,)\s*CONTROLLER:", pmap):
                extra["listener.security.protocol.map"] = f"{pmap},CONTROLLER:PLAINTEXT"
        props.update({k: str(v) for k, v in extra.items()})
        return props

    def _ssl_properties(self, controller_port: int) -> dict[str, str]:
        """The SSL listener next to PLAINTEXT: server certificate only, clients are not asked for one."""
        assert self.tls is not None
        return {
            "listeners": (
                f"PLAINTEXT://{HOST}:{self.port},SSL://{HOST}:{self.ssl_port},CONTROLLER://{HOST}:{controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://{HOST}:{self.port},SSL://{HOST}:{self.ssl_port}",
            "ssl.keystore.type": "PKCS12",
            "ssl.keystore.location": str(self.tls.keystore),
            "ssl.keystore.password": self.tls.password,
            "ssl.key.password": self.tls.password,
            "ssl.client.auth": "none",
        }

    def _controller_port(self, extra: Mapping[str, str]) -> int:
        """Controller port: explicit in listeners, else remembered, else port+1, else any free port.

        Remembered because the KRaft voter set stores the controller endpoint at
        format time; moving it on restart would strand the node.
        """
        explicit = _listener_ports(extra.get("listeners", "")).get("CONTROLLER")
        if explicit:
            return explicit
        remembered = self._read_state().get("controller_port")
        if remembered and self.formatted:
            return int(remembered)
        if self.port + 1 <= 65535 and _port_free(self.port + 1):
            return self.port + 1
        return free_port()

    def _read_state(self) -> dict[str, Any]:
        try:
            state: dict[str, Any] = json.loads((self.data_dir / _STATE_FILE).read_text())
            return state
        except (OSError, ValueError):
            return {}

    def _check_ports(self, props: Mapping[str, str]) -> None:
        """Fail fast and clearly when another program holds one of our ports.

        A few seconds' grace first: a JVM that was just killed can still hold its
        sockets for a moment after its main thread is reported dead.
        """
        for name, port in _listener_ports(props["listeners"]).items():
            if not _port_free(port, grace=5.0):
                raise BrokerError(
                    f"Cannot start Kafka on {HOST}:{port} ({name} listener): the port is in use "
                    f"by another process that is not this data dir's broker ({self.data_dir}). "
                    "Stop it, or pick another port (e.g. `wirestream broker start --port 19092`)."
                )

    def _write_files(self, props: Mapping[str, str]) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(_render_properties(props), encoding="utf-8")
        (self.data_dir / "log4j2.properties").write_text(_log4j_text(), encoding="utf-8")
        controller = _listener_ports(props["listeners"]).get("CONTROLLER")
        state = {**self._read_state(), "port": self.port, "controller_port": controller,
                 "kafka_version": self.version}  # fmt: skip
        (self.data_dir / _STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")

    def _jvm_base(self, java: str, lib: Path) -> list[str]:
        return [
            java,
            "-cp", str(lib / "*"),  # The JVM expands the wildcard itself.
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            f"-Dwirestream.broker.log={self.log_file}",
            "-Djava.awt.headless=true",
        ]  # fmt: skip

    def _format(self, java: str, lib: Path) -> None:
        """Format KRaft storage once, for a new data dir, as a standalone (single voter) quorum."""
        cluster_id = _new_cluster_id()
        cmd = self._jvm_base(java, lib) + [
            "kafka.tools.StorageTool", "format", "--standalone",
            "-t", cluster_id, "-c", str(self.config_file),
        ]  # fmt: skip
        for name, password in self.scram_users.items():
            for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
                cmd += ["--add-scram", f"{mechanism}=[name={name},password={password}]"]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise BrokerError(
                f"Formatting Kafka storage in {self.log_dirs} failed (exit {done.returncode}):\n"
                f"{_tail_text(done.stdout + done.stderr, 30)}\n"
                f"--- broker.log ---\n{_tail(self.log_file)}"
            )
        state = {**self._read_state(), "cluster_id": cluster_id}
        (self.data_dir / _STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")
        self._say(f"formatted new KRaft storage in {self.log_dirs} (cluster {cluster_id})")

    def _launch(self, java: str, lib: Path) -> int:
        cmd = self._jvm_base(java, lib)
        cmd[1:1] = [HEAP, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:+ExitOnOutOfMemoryError"]
        cmd += ["kafka.Kafka", str(self.config_file)]
        try:
            self._log_offset = self.log_file.stat().st_size
        except OSError:
            self._log_offset = 0
        with open(self.out_file, "ab") as out:
            out.write(f"\n--- start {time.strftime('%Y-%m-%d %H:%M:%S')} ---\n".encode())
        # Detach properly: a tiny sh starts the JVM in the background, prints its
        # pid and exits, so the broker is never our child. It outlives the CLI,
        # sits in its own session (no Ctrl-C from the terminal), never lingers
        # as our zombie, and every caller, this process or a later CLI,
        # manages it the same way: through the pid file.
        done = subprocess.run(
            ["/bin/sh", "-c", '"$@" >>"$WIRESTREAM_BROKER_OUT" 2>&1 </dev/null & echo $!',
             "wirestream-broker", *cmd],
            env={**os.environ, "WIRESTREAM_BROKER_OUT": str(self.out_file)},
            cwd=self.data_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            start_new_session=True,
            timeout=30,
            check=False,
        )  # fmt: skip
        try:
            pid = int(done.stdout.strip())
        except ValueError as exc:
            raise BrokerError(f"Could not launch the Kafka JVM: {done.stdout}{done.stderr}".strip()) from exc
        self.pid_file.write_text(f"{pid}\n")
        return pid

    def _log_since_launch(self) -> str:
        """broker.log written by the current JVM only (earlier runs also said 'started')."""
        try:
            with open(self.log_file, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                offset = self._log_offset if fh.tell() >= self._log_offset else 0  # rolled over
                fh.seek(offset)
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _wait_ready(self, pid: int, props: Mapping[str, str], timeout: float) -> None:
        """Wait for the port AND a real metadata round-trip; on failure kill the JVM, show why."""
        protocol = self._protocol_of_port(props)
        deadline = time.monotonic() + timeout
        last_error = "the port never accepted connections"
        while time.monotonic() < deadline:
            if not _alive(pid):
                self.pid_file.unlink(missing_ok=True)
                raise BrokerError(f"Kafka broker (pid {pid}) exited during startup.\n" + self._failure_logs())
            if _listening(self.port):
                ok, last_error = self._probe(protocol)
                if ok:
                    return
            time.sleep(0.3)
        self._signal(pid, signal.SIGKILL)
        self._wait_gone(pid, 10)
        self.pid_file.unlink(missing_ok=True)
        raise BrokerError(
            f"Kafka broker on {self.bootstrap} was not ready within {timeout:.0f}s "
            f"({last_error}); it has been killed.\n" + self._failure_logs()
        )

    def _protocol_of_port(self, props: Mapping[str, str]) -> str:
        for name, port in _listener_ports(props["listeners"]).items():
            if port == self.port:
                pmap = dict(
                    item.split(":", 1)
                    for item in props.get("listener.security.protocol.map", "").split(",")
                    if ":" in item
                )
                return pmap.get(name, name).strip().upper()
        return "PLAINTEXT"

    def _probe(self, protocol: str) -> tuple[bool, str]:
        """One readiness check; returns (ready, why not)."""
        if protocol != "PLAINTEXT":
            # Credentials are the caller's business: trust the broker's own "started" line.
            if "Kafka Server started" in self._log_since_launch():
                return True, ""
            return False, f"{protocol} listener up but the broker has not logged 'started'"
        from kafka import KafkaAdminClient  # Local import: only needed while starting.
        from kafka.errors import KafkaConfigurationError

        admin = None
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=self.bootstrap,
                client_id="wirestream-broker-probe",
                request_timeout_ms=5000,
            )
            cluster = admin.describe_cluster()
            brokers = [b for b in cluster.get("brokers", []) if not b.get("is_fenced")]
            if brokers:
                return True, ""
            return False, "metadata lists no unfenced broker yet"
        except (KafkaConfigurationError, TypeError):
            raise  # Our bug, not a slow broker: waiting longer would not help.
        except Exception as exc:  # noqa: BLE001 - any other failure just means "not yet"
            return False, f"metadata request failed: {type(exc).__name__}: {exc}"
        finally:
            if admin is not None:
                with contextlib.suppress(Exception):
                    admin.close()

    def _failure_logs(self) -> str:
        return (
            f"--- tail of {self.log_file} ---\n{_tail(self.log_file)}\n"
            f"--- tail of {self.out_file} ---\n{_tail(self.out_file, 20)}"
        )

    # ---- process bookkeeping

    def _read_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _running_pid(self) -> int | None:
        """The pid from the pid file if that process is alive and really is our broker."""
        pid = self._read_pid()
        if pid is None:
            return None
        return pid if self._is_our_broker(pid) else None

    def _is_our_broker(self, pid: int) -> bool:
        """Alive, not a zombie, and (where /proc exists) running kafka.Kafka on our config.

        Guards against pid reuse after a crash, and against zombies, which
        `kill -0` still reports as alive.
        """
        if not _alive(pid):
            return False
        try:
            argv = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            return not Path("/proc/self").exists()  # No procfs (macOS): trust kill -0.
        except OSError:
            return False
        return b"kafka.Kafka" in argv and str(self.config_file).encode() in argv

    def _clear_stale_pid(self) -> None:
        if self.pid_file.exists() and self._running_pid() is None:
            self.pid_file.unlink(missing_ok=True)

    def _signal(self, pid: int, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        """Wait for the JVM to exit and let go of its client port.

        The main thread turns zombie while the JVM's other threads may still be
        exiting with the sockets open, so "dead" is only trusted once the port
        can be bound again (bounded: the caller's restart re-checks anyway).
        """
        deadline = time.monotonic() + timeout
        while _alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        _port_free(self.port, grace=max(1.0, min(5.0, deadline - time.monotonic())))
        return True

    def _say(self, message: str) -> None:
        _say(message, self.quiet)
