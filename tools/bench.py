"""`make bench`: throughput of the pipeline next to the spaCy limit, measured in one run.

    python -m tools.bench [--articles N] [--json FILE] [--corpus DIR] [--workers N]
    python -m tools.bench --components [--json FILE]   # what each spaCy component costs and buys

One corpus for every row: the PolNeAR dev texts (`../shared/polnear/data/dev/text`,
read at run time, headline on the first line) when present, else generated
articles. Rows:

    (a)  bare spaCy: `nlp.pipe` over the bodies, the configured model with its full
         default pipeline, one process, batches of WIRESTREAM_BATCH_SIZE. The naive
         limit; every ratio is against it (the mean of a run first and one last).
    (a×N) the same in N processes at once (reference: what spaCy alone does on N cores).
    (b)  `wirestream enrich` without a broker (`pipeline.runner.enrich` through the NLP
         process pool, as the CLI runs it; JSON out).
    (c)  end to end through a local Kafka broker with one `python -m wirestream worker`.
    (d)  the same with N workers (N = cores) in one consumer group, N partitions.
    (e)  one worker whose NLP pool has N processes (WIRESTREAM_NLP_PROCESSES=N): one
         worker process using every core.

(a), (a×N) and (b) go over the corpus once untimed first, so the vocabulary and
lemma caches are as warm as in a worker that has been running (the backlog of
(c) and (d) repeats the corpus too), then --passes times on the clock. CPU
ms/article is the measured processes' CPU time (all threads) over the window:
unlike articles/s it barely moves with other load on the machine.

(c) and (d) run on a backlog: the workers are started, the bench waits until the
consumer group is stable and a warm-up article per partition came out (so model
loading and rebalancing are outside the clock), then publishes the articles and
times from the first publish to the last enriched record (Kafka record
timestamps). Article ids are chosen so that the default partitioner spreads the
words evenly over the partitions; the same key keeps an article on one
partition through every hop. Latency is measured after (d) with the same
workers: articles are published at a steady 0.5 × (d)'s rate and each
article's latency is its enriched record's timestamp minus its raw record's.
Peak RSS is VmHWM from /proc, the largest in each worker's process tree.

The machine's load average is recorded with every row: on a shared machine it
says how much to trust the figures. Stats, table and corpus code are plain
functions (tests/test_bench.py).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from agents.security import kafka_python_options
from pipeline.config import Settings

REPO = Path(__file__).resolve().parents[1]
POLNEAR_DEV_TEXT = REPO.parent / "shared" / "polnear" / "data" / "dev" / "text"
TARGET_C = 0.85  # (c) ≥ 0.85 × (a)
TARGET_D = 1.5  # (d) ≥ 1.5 × (a)
TARGET_P99_S = 2.0  # p99 latency at half load
TARGET_QUOTES_MS = 10.0  # the quote stage's mean time per article, row (b)


# ── corpus ───────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    headline: str
    body: str

    @property
    def words(self) -> int:
        return len(self.body.split())

    def value(self, **extra: Any) -> bytes:
        """The raw message a wire desk would publish."""
        return orjson.dumps({"id": self.id, "headline": self.headline, "body": self.body, **extra})


def read_corpus(folder: Path) -> list[Article]:
    """Articles from the .txt files of a folder, in name order: headline on line 1, body after it."""
    articles = []
    for path in sorted(Path(folder).glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff")
        headline, _, body = text.partition("\n")
        body = body.strip()
        if body:
            articles.append(Article(id=path.stem, headline=headline.strip(), body=body))
    return articles


_GIVEN = [
    "Amara",
    "Birgit",
    "Casimir",
    "Delphine",
    "Emeka",
    "Fumiko",
    "Gustavo",
    "Halina",
    "Ivo",
    "Jorunn",
    "Kwame",
    "Lucinda",
    "Matteo",
    "Noor",
    "Orla",
    "Piotr",
]
_FAMILY = [
    "Adeyemi",
    "Bergstrom",
    "Castellanos",
    "Duval",
    "Eriksen",
    "Fontaine",
    "Grabowski",
    "Hollis",
    "Iwasaki",
    "Jovanovic",
    "Kiplagat",
    "Laurent",
    "Marchetti",
    "Novak",
]
_PLACES = ["HAMBURG", "QUITO", "KAMPALA", "RIGA", "PERTH", "VALENCIA", "DAKAR", "TURKU", "CEBU"]
_BODIES = [
    "the harbour board",
    "the regional assembly",
    "the energy regulator",
    "the health agency",
    "the transport ministry",
    "the farmers' federation",
    "the statistics office",
    "the coastal guard",
    "the housing authority",
]
_TITLES = ["spokesperson", "director", "minister", "deputy mayor", "chief economist", "union leader"]
_SUBJECTS = [
    "the tram extension",
    "a cap on rents",
    "the new grain terminal",
    "wind farm permits",
    "the bridge inspection",
    "a levy on plastic packaging",
    "night-time flight limits",
    "the hospital merger",
    "school meal subsidies",
]
_VERBS = ["approved", "delayed", "criticised", "backed", "reviewed", "rejected", "extended"]
_MONTHS = ["January", "March", "May", "July", "September", "November"]
_SAY = ["said", "told reporters", "said in a statement", "added", "warned"]


def _sentence(rng: random.Random) -> str:
    name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
    body, subject, month = rng.choice(_BODIES), rng.choice(_SUBJECTS), rng.choice(_MONTHS)
    n = rng.randint(2, 98)
    forms = [
        (
            f"{name}, {rng.choice(_TITLES)} at {body}, {rng.choice(_SAY)} that {subject} would be "
            f"{rng.choice(_VERBS)} before {month}."
        ),
        (
            f"\u201cWe expect {subject} to cost about {n} million euros, and we will not wait until "
            f"{month},\u201d {name} said."
        ),
        (f"Officials at {body} {rng.choice(_VERBS)} {subject} on Tuesday after {n} residents wrote to the council."),
        f"According to {body}, {subject} has been {rng.choice(_VERBS)} {n} times since {month}.",
        (
            f"\u201cThis is not what people were promised,\u201d said {name}, who chairs a local group. "
            f"\u201cThey deserve an answer by {month}.\u201d"
        ),
        (f"The figures, published by {body} last week, show a rise of {n} percent compared with a year earlier."),
        (
            f"{name} told the committee the plan was \u201cfunded, costed and ready\u201d and urged members "
            f"to vote before {month}."
        ),
    ]
    return rng.choice(forms)


def generated_corpus(n: int = 60, words: int = 500, seed: int = 7) -> list[Article]:
    """Made-up wire copy of about `words` words per article; the same seed gives the same corpus."""
    articles = []
    for i in range(n):
        rng = random.Random(seed * 100_003 + i)
        paragraphs, count = [], 0
        while count < words:
            paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
            paragraphs.append(paragraph)
            count += len(paragraph.split())
        place = rng.choice(_PLACES)
        paragraphs[0] = f"{place} (Wirestream) - {paragraphs[0]}"
        headline = f"{rng.choice(_BODIES).capitalize()} weighs {rng.choice(_SUBJECTS)}"
        articles.append(Article(id=f"gen-{seed}-{i:04d}", headline=headline, body="\n\n".join(paragraphs)))
    return articles


def load_corpus(folder: Path | None = None, fallback: Path | None = POLNEAR_DEV_TEXT) -> tuple[list[Article], str]:
    """(articles, description): `folder` when given (it must hold .txt articles), else PolNeAR dev, else generated."""
    if folder is not None:
        articles = read_corpus(folder)
        if not articles:
            raise FileNotFoundError(f"no .txt articles in {folder}")
        return articles, f"{folder} ({len(articles)} articles)"
    if fallback is not None and Path(fallback).is_dir():
        articles = read_corpus(fallback)
        if articles:
            return articles, f"PolNeAR dev texts ({len(articles)} articles, read from {fallback})"
    articles = generated_corpus()
    return articles, f"generated articles ({len(articles)}, seed 7; PolNeAR not found)"


def repeat(articles: Sequence[Article], n: int, tag: str) -> list[Article]:
    """`n` articles cycling through the corpus, each with its own id."""
    return [replace(articles[i % len(articles)], id=f"{articles[i % len(articles)].id}~{tag}{i}") for i in range(n)]


# ── partitions ───────────────────────────────────────────────────────────────


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner (murmur2, as in aiokafka and the Java client) picks."""
    from kafka.partitioner.default import murmur2

    return (murmur2(key) & 0x7FFFFFFF) % partitions


def key_for(base: str, partition: int, partitions: int) -> str:
    """`base` with the smallest suffix whose key lands on `partition` (deterministic)."""
    for salt in range(10_000):
        key = base if salt == 0 else f"{base}.{salt}"
        if partition_of(key.encode(), partitions) == partition:
            return key
    raise ValueError(f"no key for partition {partition}")  # pragma: no cover - murmur2 spreads well


def balance(articles: Sequence[Article], partitions: int) -> list[tuple[Article, int]]:
    """Give each article (in order) to the partition with the fewest words so far, via its key."""
    load = [0] * partitions
    out = []
    for article in articles:
        target = min(range(partitions), key=lambda p: (load[p], p))
        load[target] += article.words
        out.append((replace(article, id=key_for(article.id, target, partitions)), target))
    return out


# ── stats ────────────────────────────────────────────────────────────────────


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks (numpy's default); NaN when empty."""
    data = sorted(values)
    if not data:
        return math.nan
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    pos = (len(data) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    return {
        "count": len(seconds),
        "p50": percentile(seconds, 50),
        "p95": percentile(seconds, 95),
        "p99": percentile(seconds, 99),
        "max": max(seconds) if seconds else math.nan,
        "mean": sum(seconds) / len(seconds) if seconds else math.nan,
    }


def ratio(value: float, reference: float) -> float:
    return value / reference if reference > 0 else math.nan


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on Linux
        return math.nan


@dataclass
class Row:
    """One measured configuration."""

    key: str
    label: str
    articles: int
    words: int
    seconds: float
    workers: int = 1
    peak_rss_mb: list[float] = field(default_factory=list)
    load_before: float = math.nan
    load_after: float = math.nan
    cpu_seconds: float = math.nan  # CPU time of the measured processes over the window (all threads)
    broker_cpu_seconds: float = math.nan  # the Kafka broker's CPU time over the same window
    note: str = ""
    stages_ms: dict[str, dict[str, float]] = field(default_factory=dict)  # per stage: mean, p50, p95 per article

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds > 0 else math.nan

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else math.nan

    @property
    def cpu_ms_per_article(self) -> float:
        return 1000 * self.cpu_seconds / self.articles if self.articles else math.nan

    def to_dict(self, reference: float | None = None) -> dict[str, Any]:
        d = asdict(self)
        d.update(
            articles_per_s=round(self.articles_per_s, 3),
            words_per_s=round(self.words_per_s, 1),
            seconds=round(self.seconds, 3),
            cpu_ms_per_article=round(self.cpu_ms_per_article, 2),
        )
        if reference:
            d["ratio_to_a"] = round(ratio(self.articles_per_s, reference), 3)
        return d


def reference_rate(rows: Sequence[Row]) -> float:
    """(a)'s articles/s: the mean of its runs (the bench measures it first and last to catch drift)."""
    rates = [r.articles_per_s for r in rows if r.key == "a"]
    return sum(rates) / len(rates) if rates else math.nan


def _fmt(value: float, digits: int = 1) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def format_table(
    rows: Sequence[Row], latency: dict[str, float] | None = None, latency_rate: float | None = None
) -> str:
    """The results as a Markdown table, ratios against (a); latency below it."""
    ref = reference_rate(rows)
    lines = [
        (
            "| | configuration | articles | articles/s | words/s | × (a) | CPU ms/article | peak RSS / worker "
            "| load 1-min |"
        ),
        "|:--|:--|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        rss = " / ".join(f"{m:,.0f} MB" for m in r.peak_rss_mb) or "–"
        load = f"{_fmt(r.load_before, 2)} → {_fmt(r.load_after, 2)}"
        lines.append(
            f"| ({r.key}) | {r.label} | {r.articles} | {_fmt(r.articles_per_s, 2)} | "
            f"{_fmt(r.words_per_s, 0)} | {_fmt(ratio(r.articles_per_s, ref), 2)} | "
            f"{_fmt(r.cpu_ms_per_article, 0)} | {rss} | {load} |"
        )
    for r in rows:
        if r.stages_ms:
            lines += ["", f"Per stage in ({r.key}), ms per article from the records' own timings:", ""]
            lines += ["| stage | mean | p50 | p95 |", "|:--|--:|--:|--:|"]
            lines += [
                f"| {stage} | {v['mean']:.2f} | {v['p50']:.2f} | {v['p95']:.2f} |" for stage, v in r.stages_ms.items()
            ]
    if latency:
        rate = f" at {latency_rate:.2f} articles/s" if latency_rate else ""
        lines.append("")
        lines.append(
            f"End-to-end latency{rate} (half of (d)'s rate), {latency['count']:.0f} articles: "
            f"p50 {_fmt(latency['p50'], 2)} s, p95 {_fmt(latency['p95'], 2)} s, "
            f"p99 {_fmt(latency['p99'], 2)} s, max {_fmt(latency['max'], 2)} s."
        )
    return "\n".join(lines)


def verdict(rows: Sequence[Row], latency: dict[str, float] | None) -> dict[str, Any]:
    """The issue's targets against this run's numbers."""
    ref = reference_rate(rows)
    by_key = {r.key: r for r in rows}
    out: dict[str, Any] = {}
    if "c" in by_key:
        v = ratio(by_key["c"].articles_per_s, ref)
        out["c_vs_a"] = {"ratio": round(v, 3), "target": TARGET_C, "met": v >= TARGET_C}
    for key in ("d", "e"):  # N workers, or one worker with N NLP processes: both should use every core
        if key in by_key:
            v = ratio(by_key[key].articles_per_s, ref)
            out[f"{key}_vs_a"] = {"ratio": round(v, 3), "target": TARGET_D, "met": v >= TARGET_D}
    quotes = by_key["b"].stages_ms.get("quotes") if "b" in by_key else None
    if quotes:
        out["quotes_ms_per_article"] = {
            "value": quotes["mean"],
            "target": TARGET_QUOTES_MS,
            "met": quotes["mean"] < TARGET_QUOTES_MS,
        }
    if latency:
        out["p99_latency_s"] = {
            "value": round(latency["p99"], 3),
            "target": TARGET_P99_S,
            "met": latency["p99"] < TARGET_P99_S,
        }
    return out


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ── (a), (a×N), (b): no broker ───────────────────────────────────────────────


def bare_spacy(model: str, articles: Sequence[Article], batch_size: int, passes: int = 1) -> Row:
    """(a): the stock model, full default pipeline, `nlp.pipe` in batches of `batch_size`, one process.

    The batch size is the pipeline's (WIRESTREAM_BATCH_SIZE), so (a) and the
    pipeline differ only by what the pipeline adds; spaCy's own default (256)
    is slower per article on this model (docs/performance.md).
    """
    import spacy

    nlp = spacy.load(model)
    for _ in nlp.pipe([a.body for a in articles], batch_size=batch_size):
        pass  # an untimed pass: vocabulary and lemma caches as warm as in a long-running worker
    texts = [a.body for a in articles] * passes
    load = load_average()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Row(
        "a",
        f"bare spaCy nlp.pipe, {model}, all of [{', '.join(nlp.pipe_names)}], 1 process",
        len(texts),
        sum(a.words for a in articles) * passes,
        seconds,
        load_before=load,
        load_after=load_average(),
        cpu_seconds=cpu,
    )


def _bare_child(job: tuple[str, int, list[str]], barrier: Any, queue: Any) -> None:
    import spacy

    model, batch_size, texts = job
    nlp = spacy.load(model)
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass  # untimed warm-up pass, as in (a)
    barrier.wait()
    start, cpu = time.monotonic(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    queue.put((start, time.monotonic(), time.process_time() - cpu))


def bare_spacy_processes(
    model: str, articles: Sequence[Article], processes: int, batch_size: int, passes: int = 1
) -> Row:
    """(a×N): (a) in `processes` separate processes at once, the corpus split evenly by words."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")  # a clean interpreter each, like separate workers
    shares: list[list[str]] = [[] for _ in range(processes)]
    loads = [0] * processes
    for article in list(articles) * passes:
        p = min(range(processes), key=lambda i: loads[i])
        shares[p].append(article.body)
        loads[p] += article.words
    barrier, queue = ctx.Barrier(processes + 1), ctx.Queue()
    procs = [ctx.Process(target=_bare_child, args=((model, batch_size, share), barrier, queue)) for share in shares]
    for p in procs:
        p.start()
    try:
        barrier.wait(timeout=600)  # every child has loaded its model
        load = load_average()
        spans = [queue.get(timeout=3600) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():  # pragma: no cover
                p.kill()
    seconds = max(e for _, e, _ in spans) - min(s for s, _, _ in spans)
    return Row(
        "a×N",
        f"bare spaCy nlp.pipe, same model and pipes, {processes} processes (reference)",
        sum(len(s) for s in shares),
        sum(loads),
        seconds,
        workers=processes,
        load_before=load,
        load_after=load_average(),
        cpu_seconds=sum(c for _, _, c in spans),
    )


def broker_less(settings: Settings, articles: Sequence[Article], passes: int = 1) -> Row:
    """(b): `wirestream enrich`: all three stages through the NLP process pool, records serialised to JSON."""
    from pipeline import codec
    from pipeline.isolation import executor_for
    from pipeline.nlp.model import model_for
    from pipeline.runner import enrich

    executor = executor_for(settings)
    try:
        for _ in enrich([a.value() for a in articles], settings, executor):
            pass  # untimed warm-up pass, as in (a)
        values = [a.value() for a in articles] * passes
        load = load_average()
        start, cpu = time.perf_counter(), cpu_seconds(os.getpid())
        failed = 0
        timings: list[dict[str, float]] = []
        for record in enrich(values, settings, executor):
            failed += type(record).__name__ == "DeadLetter"
            codec.dumps(record)
            if processing := getattr(record, "processing", None):
                timings.append(processing.timings_ms)
        seconds, cpu = time.perf_counter() - start, cpu_seconds(os.getpid()) - cpu
    finally:
        executor.close()
    pipes = ", ".join(model_for(settings).pipe_names)
    return Row(
        "b",
        f"wirestream enrich (no broker), pipes [{pipes}], {settings.nlp_processes} NLP process(es)",
        len(values),
        sum(a.words for a in articles) * passes,
        seconds,
        load_before=load,
        load_after=load_average(),
        cpu_seconds=cpu,
        note=f"{failed} dead letters" if failed else "",
        stages_ms=stage_summary(timings),
    )


def stage_summary(timings: Sequence[Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Per stage, its time per article from the records' own `processing.timings_ms` (measured
    inside the NLP process around each stage): mean, p50 and p95."""
    stages = dict.fromkeys(k for t in timings for k in t)
    out = {}
    for stage in stages:
        values = [t[stage] for t in timings if stage in t]
        out[stage] = {
            "mean": round(sum(values) / len(values), 2),
            "p50": round(percentile(values, 50), 2),
            "p95": round(percentile(values, 95), 2),
        }
    return out


# ── (c), (d), latency: through Kafka ─────────────────────────────────────────


def _tree(pid: int) -> list[int]:
    """pid and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            ppid = int(text.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def peak_rss_mb(pid: int) -> float:
    """The largest VmHWM (peak resident set) in the process tree of `pid`, in MB."""
    peak = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process tree of `pid` so far (live processes only)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            continue
    return total / ticks


class Workers:
    """`python -m wirestream worker` subprocesses, each in its own session so a stop reaches its children."""

    def __init__(self, env: dict[str, str], count: int, logs: Path, cwd: Path) -> None:
        from wirestream.localbroker import free_port

        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        for i in range(count):
            log = logs / f"{env['WIRESTREAM_APP_ID']}-{i}.log"
            worker_env = {**env, "WIRESTREAM_WEB_PORT": str(free_port()), "PYTHONUNBUFFERED": "1"}
            with open(log, "wb") as out:
                self.procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "wirestream", "worker", "--loglevel", "warning"],
                        env=worker_env,
                        cwd=cwd,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            self.logs.append(log)

    def check(self) -> None:
        for proc, log in zip(self.procs, self.logs):
            if proc.poll() is not None:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
                raise RuntimeError(f"worker {proc.pid} exited with {proc.returncode}:\n{tail}")

    def peak_rss_mb(self) -> list[float]:
        return [peak_rss_mb(p.pid) for p in self.procs]

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)

    def stop(self, timeout: float = 60) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(10)


class Outputs:
    """Reads `articles.enriched` and the dead letters from the start: (timestamp ms, topic) per key."""

    def __init__(self, settings: Settings) -> None:
        from kafka import KafkaConsumer, TopicPartition

        self.consumer = KafkaConsumer(
            group_id=None, enable_auto_commit=False, fetch_max_wait_ms=100, **kafka_python_options(settings)
        )
        t = settings.topics
        self.enriched, self.dead = t.enriched, t.deadletter
        tps = [TopicPartition(topic, p) for topic in (t.enriched, t.deadletter) for p in range(settings.partitions)]
        self.consumer.assign(tps)
        self.consumer.seek_to_beginning(*tps)
        self.seen: dict[str, tuple[int, str]] = {}

    def poll(self, timeout_ms: int = 500) -> None:
        for records in self.consumer.poll(timeout_ms=timeout_ms, max_records=2000).values():
            for record in records:
                key = record.key.decode("utf-8", "replace") if record.key else ""
                self.seen.setdefault(key, (record.timestamp, record.topic))

    def wait_for(
        self,
        keys: Iterable[str],
        timeout: float,
        workers: Workers | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> set[str]:
        """Poll until every key is seen (or the timeout); returns the keys still missing."""
        missing = set(keys) - self.seen.keys()
        total = len(missing)
        deadline = time.monotonic() + timeout
        next_report = time.monotonic() + 15
        while missing and time.monotonic() < deadline:
            self.poll()
            missing -= self.seen.keys()
            if workers is not None:
                workers.check()
            if progress and time.monotonic() >= next_report:
                progress(total - len(missing), total)
                next_report = time.monotonic() + 15
        return missing

    def close(self) -> None:
        self.consumer.close()


class Publisher:
    def __init__(self, settings: Settings) -> None:
        from kafka import KafkaProducer

        self.topic = settings.topics.raw
        self.producer = KafkaProducer(acks="all", linger_ms=5, **kafka_python_options(settings))

    def send(self, article: Article, **extra: Any) -> Any:
        from pipeline import codec

        return self.producer.send(
            self.topic, key=article.id.encode(), value=article.value(**extra), headers=codec.headers("raw")
        )

    def close(self) -> None:
        self.producer.flush()
        self.producer.close()


def _group_state(settings: Settings) -> tuple[str, int]:
    """(state, members) of the workers' consumer group (the Faust app id)."""
    from kafka.admin import KafkaAdminClient
    from kafka.errors import KafkaError

    admin = KafkaAdminClient(client_id="wirestream-bench", **kafka_python_options(settings))
    try:
        info = admin.describe_groups([settings.app_id])
    except KafkaError as exc:  # no coordinator yet: the group does not exist so far
        return type(exc).__name__, 0
    finally:
        admin.close()
    group = info.get(settings.app_id, {}) if isinstance(info, dict) else {}
    state = str(group.get("group_state") or group.get("state") or "")
    return state, len(group.get("members") or [])


@dataclass
class Topology:
    """Fresh topic names and app id for one configuration, so runs never share offsets."""

    name: str
    settings: Settings
    env: dict[str, str]

    @classmethod
    def fresh(
        cls, bootstrap: str, name: str, partitions: int, run_id: str, extra: dict[str, str] | None = None
    ) -> Topology:
        prefix = f"bench-{run_id}-{name}"
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "WIRESTREAM_APP_ID": f"wirestream-{prefix}",
            "WIRESTREAM_PARTITIONS": str(partitions),
            **(extra or {}),
        }
        for kind in ("raw", "clean", "parsed", "enriched", "quotes", "deadletter"):
            env[f"WIRESTREAM_TOPIC_{kind.upper()}"] = f"{prefix}.{kind}"
        return cls(name, Settings.from_env(env), env)


def start_workers(topology: Topology, count: int, tmp: Path, timeout: float = 600) -> Workers:
    """Start `count` workers and return once they share the partitions and each partition has
    carried a warm-up article end to end (model loads and rebalances are over)."""
    from agents.clients import ensure_topics

    s = topology.settings
    ensure_topics(s)
    workers = Workers(topology.env, count, tmp, tmp)
    try:
        deadline = time.monotonic() + timeout
        state, members = "", 0
        while time.monotonic() < deadline:
            workers.check()
            state, members = _group_state(s)
            if state.lower() == "stable" and members == count:
                break
            time.sleep(1.0)
        else:
            raise TimeoutError(f"consumer group {s.app_id}: {state or 'absent'} with {members}/{count} members")
        outputs, publisher = Outputs(s), Publisher(s)
        try:
            warm = [
                Article(
                    key_for(f"warm-up-{p}", p, s.partitions),
                    "Warm-up",
                    "PARIS (Reuters) - \u201cIt works,\u201d said Jane Doe, a spokeswoman in Paris.",
                )
                for p in range(s.partitions)
            ]
            for article in warm:
                publisher.send(article)
            publisher.producer.flush()
            missing = outputs.wait_for([a.id for a in warm], max(30.0, deadline - time.monotonic()), workers)
            if missing:
                raise TimeoutError(f"warm-up articles never came out: {sorted(missing)}")
        finally:
            outputs.close()
            publisher.close()
        state, members = _group_state(s)
        if members != count:
            raise RuntimeError(f"group changed during warm-up: {state} with {members}/{count} members")
        return workers
    except BaseException:
        workers.stop()
        raise


def backlog_run(
    key: str,
    label: str,
    topology: Topology,
    workers: Workers,
    corpus: Sequence[Article],
    count: int,
    timeout: float,
    broker_pid: int | None = None,
) -> Row:
    """Publish `count` articles from the corpus at once and time from the first publish to the last enriched."""
    s = topology.settings
    placed = balance(repeat(corpus, count, f"{key}-"), s.partitions)
    outputs, publisher = Outputs(s), Publisher(s)
    try:
        outputs.poll(100)  # the warm-up records are already there
        load, cpu = load_average(), workers.cpu_seconds()
        broker_cpu = cpu_seconds(broker_pid) if broker_pid else math.nan
        first = publisher.send(placed[0][0])
        for article, _ in placed[1:]:
            publisher.send(article)
        publisher.producer.flush()
        t0 = first.get(timeout=60).timestamp
        missing = outputs.wait_for(
            [a.id for a, _ in placed],
            timeout,
            workers,
            progress=lambda done, total: _say(f"({key}) {done}/{total} enriched"),
        )
        load_after, cpu = load_average(), workers.cpu_seconds() - cpu
        broker_cpu = cpu_seconds(broker_pid) - broker_cpu if broker_pid else math.nan
    finally:
        publisher.close()
    done = [outputs.seen[a.id] for a, _ in placed if a.id in outputs.seen]
    outputs.close()
    dead = sum(topic == s.topics.deadletter for _, topic in done)
    t_end = max(ts for ts, _ in done)
    note = []
    if missing:
        note.append(f"{len(missing)} not done within {timeout:.0f}s")
    if dead:
        note.append(f"{dead} dead letters")
    return Row(
        key,
        label,
        len(done),
        sum(a.words for a, _ in placed if a.id in outputs.seen),
        (t_end - t0) / 1000,
        workers=len(workers.procs),
        load_before=load,
        load_after=load_after,
        cpu_seconds=cpu,
        broker_cpu_seconds=broker_cpu,
        note="; ".join(note),
    )


def latency_run(
    topology: Topology, workers: Workers, articles: Sequence[Article], rate: float, seconds: float
) -> tuple[dict[str, float], dict[str, Any]]:
    """Publish at a steady `rate` for `seconds`; latency = enriched timestamp − raw timestamp."""
    from pipeline import codec

    s = topology.settings
    count = max(10, round(rate * seconds))
    placed = balance(repeat(articles, count, "lat-"), s.partitions)
    outputs, publisher = Outputs(s), Publisher(s)
    sent: dict[str, Any] = {}
    try:
        outputs.poll(100)
        load = load_average()
        start = time.monotonic()
        for i, (article, _) in enumerate(placed):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sent[article.id] = publisher.send(article, published_at=codec.now_iso())
        publisher.producer.flush()
        published = {k: f.get(timeout=60).timestamp for k, f in sent.items()}
        missing = outputs.wait_for(published, 300, workers)
        load_after = load_average()
    finally:
        publisher.close()
    latencies = [(outputs.seen[k][0] - ts) / 1000 for k, ts in published.items() if k in outputs.seen]
    outputs.close()
    summary = latency_summary(latencies)
    meta = {
        "rate": round(rate, 3),
        "seconds": seconds,
        "published": len(published),
        "missing": len(missing),
        "load_before": load,
        "load_after": load_after,
    }
    return summary, meta


# ── the whole run ────────────────────────────────────────────────────────────


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def machine() -> dict[str, Any]:
    import spacy

    return {
        "cores": cores(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "loadavg_start": list(os.getloadavg()),
    }


def wait_for_quiet(max_seconds: float, threshold: float = 0.7) -> float:
    """Wait (up to `max_seconds`) until the 1-minute load average drops below `threshold`; returns it."""
    deadline = time.monotonic() + max_seconds
    load = load_average()
    while load >= threshold and time.monotonic() < deadline:
        _say(f"load {load:.2f} >= {threshold}: waiting for a quieter machine")
        time.sleep(min(30.0, max(1.0, deadline - time.monotonic())))
        load = load_average()
    return load


def run(args: argparse.Namespace) -> dict[str, Any]:
    from wirestream.localbroker import LocalBroker, free_port

    if args.wait_for_quiet:
        wait_for_quiet(args.wait_for_quiet)
    settings = Settings.from_env()
    articles, corpus = load_corpus(args.corpus)
    n_workers = args.workers or cores()
    partitions = max(n_workers, settings.partitions)
    words = sum(a.words for a in articles)
    _say(
        f"corpus: {corpus}, {words} words ({words / len(articles):.0f} per article); "
        f"{n_workers} workers for (d); load {load_average():.2f}"
    )
    rows: list[Row] = []
    report: dict[str, Any] = {
        "machine": machine(),
        "corpus": {"description": corpus, "articles": len(articles), "words": words},
        "settings": {
            "model": settings.model,
            "batch_size": settings.batch_size,
            "batch_timeout_s": settings.batch_timeout_s,
            "nlp_exclude": list(settings.nlp_exclude),
            "fast_attributes": settings.fast_attributes,
            "partitions": partitions,
        },
    }

    _say("(a) bare spaCy, one process")
    rows.append(bare_spacy(settings.model, articles, settings.batch_size, args.passes))
    _say(f"(a) {rows[-1].articles_per_s:.2f} articles/s")
    if n_workers > 1 and not args.skip_reference:
        _say(f"(a×N) bare spaCy, {n_workers} processes")
        rows.append(bare_spacy_processes(settings.model, articles, n_workers, settings.batch_size, args.passes))
        _say(f"(a×N) {rows[-1].articles_per_s:.2f} articles/s")
    _say("(b) wirestream enrich, no broker")
    rows.append(broker_less(settings, articles, args.passes))
    _say(f"(b) {rows[-1].articles_per_s:.2f} articles/s")

    rate_a = rows[0].articles_per_s
    backlog = args.articles or max(len(articles), math.ceil(rate_a * args.seconds))
    timeout = max(600.0, 10 * backlog / rate_a)
    latency: dict[str, float] | None = None
    tmp = Path(tempfile.mkdtemp(prefix="wirestream-bench-"))
    broker = LocalBroker(port=free_port(), data_dir=tmp / "kafka", quiet=True)
    run_id = uuid.uuid4().hex[:6]
    try:
        _say(f"starting a local Kafka broker on {broker.bootstrap}")
        broker.start()
        pool = {"WIRESTREAM_NLP_PROCESSES": str(n_workers)}
        configs = [("c", 1, {})] + ([("d", n_workers, {}), ("e", 1, pool)] if n_workers > 1 else [])
        for key, count, extra in configs:
            topology = Topology.fresh(broker.bootstrap, key, partitions, run_id, extra)
            _say(f"({key}) starting {count} worker(s), {partitions} partitions")
            workers = start_workers(topology, count, tmp)
            try:
                _say(f"({key}) ready; publishing {backlog} articles")
                label = (
                    f"end to end, local broker, {count} worker"
                    + ("s" if count > 1 else "")
                    + f", {partitions} partitions"
                    + (f", {extra['WIRESTREAM_NLP_PROCESSES']} NLP processes" if extra else "")
                )
                rows.append(
                    backlog_run(key, label, topology, workers, articles, backlog, timeout, broker.status().get("pid"))
                )
                _say(f"({key}) {rows[-1].articles_per_s:.2f} articles/s")
                if key == "d" and args.latency_seconds > 0:
                    rate = 0.5 * rows[-1].articles_per_s
                    _say(f"latency: {rate:.2f} articles/s for {args.latency_seconds:.0f}s")
                    latency, meta = latency_run(topology, workers, articles, rate, args.latency_seconds)
                    report["latency"] = {**{k: round(v, 4) for k, v in latency.items()}, **meta, "configuration": key}
                rows[-1].peak_rss_mb = workers.peak_rss_mb()
            finally:
                workers.stop()
    finally:
        try:
            broker.stop()
        finally:
            if not args.keep:
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                _say(f"kept {tmp}")

    if not args.skip_reference:
        _say("(a) again, to see how much the machine drifted")
        rows.append(bare_spacy(settings.model, articles, settings.batch_size, args.passes))
        rows[-1].label += " (again, at the end)"
    ref = reference_rate(rows)
    report["rows"] = [r.to_dict(ref) for r in rows]
    report["reference_articles_per_s"] = round(ref, 3)
    report["verdict"] = verdict(rows, latency)
    report["machine"]["loadavg_end"] = list(os.getloadavg())
    report["table"] = format_table(rows, latency, report.get("latency", {}).get("rate"))
    return report


# ── component study ──────────────────────────────────────────────────────────

# What may be left out or swapped: (label, WIRESTREAM_NLP_EXCLUDE, fast attribute ruler).
COMPONENT_CONFIGS: list[tuple[str, tuple[str, ...], bool]] = [
    ("full pipeline, stock components (as in (a))", (), False),
    ("full pipeline, fast attribute ruler and lemmatizer (default)", (), True),
    ("without lemmatizer", ("lemmatizer",), True),
    ("without attribute_ruler", ("attribute_ruler",), False),
    ("without attribute_ruler and lemmatizer", ("attribute_ruler", "lemmatizer"), False),
    ("without ner", ("ner",), True),
    ("without parser", ("parser",), True),
]


def component_costs(model: str, texts: Sequence[str], batch_size: int) -> dict[str, float]:
    """CPU ms per text of each step of the stock pipeline, timed batch by batch in one pass (so a
    change of machine load hits every component alike), plus the fast attribute ruler and fast
    lemmatizer, each timed on copies of the same docs just before the stock component."""
    import spacy

    from pipeline.nlp.fast_attributes import FastAttributeRuler, FastLemmatizer

    nlp = spacy.load(model)
    fast = {}
    if "attribute_ruler" in nlp.pipe_names:
        fast["attribute_ruler"] = ("fast attribute ruler", FastAttributeRuler(nlp.get_pipe("attribute_ruler")))
    if "lemmatizer" in nlp.pipe_names:
        fast["lemmatizer"] = ("fast lemmatizer", FastLemmatizer(nlp.get_pipe("lemmatizer")))
    costs: dict[str, float] = {}
    # The first round warms the caches (stock and fast alike, as (a) does) and is not counted.
    for i in list(range(0, len(texts), batch_size)) * 2:
        if i == 0:
            costs = {
                "tokenizer": 0.0,
                **{name: 0.0 for name in nlp.pipe_names},
                **{label: 0.0 for label, _ in fast.values()},
            }
        start = time.process_time()
        docs = [nlp.make_doc(t) for t in texts[i : i + batch_size]]
        costs["tokenizer"] += time.process_time() - start
        for name, proc in nlp.pipeline:
            if name in fast:
                label, component = fast[name]
                copies = [d.copy() for d in docs]
                start = time.process_time()
                for d in copies:
                    component(d)
                costs[label] += time.process_time() - start
            start = time.process_time()
            docs = list(proc.pipe(docs, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            costs[name] += time.process_time() - start
    return {k: 1000 * v / len(texts) for k, v in costs.items()}


def components(args: argparse.Namespace) -> dict[str, Any]:
    """What each spaCy component costs (CPU) and what leaving it out costs on the PolNeAR evaluation."""
    from pipeline.evaluation.polnear import evaluate
    from pipeline.nlp.model import load_model

    base = Settings.from_env()
    articles, corpus = load_corpus(args.corpus)
    texts = [a.body for a in articles] * args.passes
    polnear = args.polnear or POLNEAR_DEV_TEXT.parents[2]
    load = load_average()
    out: dict[str, Any] = {
        "corpus": corpus,
        "load_before": load,
        "costs_ms_per_article": {
            k: round(v, 2) for k, v in component_costs(base.model, texts, base.batch_size).items()
        },
        "configs": [],
    }
    _say(f"component costs: {out['costs_ms_per_article']}")
    for label, exclude, fast in COMPONENT_CONFIGS:
        settings = replace(base, nlp_exclude=exclude, fast_attributes=fast)
        entry: dict[str, Any] = {"label": label, "exclude": list(exclude), "fast_attributes": fast}
        logging.disable(logging.CRITICAL)  # a crippled pipeline logs every article it fails on
        try:
            entry["pipes"] = list(load_model(settings.model, exclude, fast).pipe_names)
            if Path(polnear).is_dir():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    report = evaluate(Path(polnear), split="dev", systems=("wirestream",), settings=settings)
                entry["evaluation"] = report.system("wirestream").to_dict()
        except Exception as exc:  # noqa: BLE001 - some pipes cannot go (others listen to them)
            entry["error"] = repr(exc)
        finally:
            logging.disable(logging.NOTSET)
        out["configs"].append(entry)
        _say(f"{label}: {entry.get('evaluation', {}).get('overall', entry.get('error'))}")
    out["load_after"] = load_average()
    out["table"] = format_components(out["costs_ms_per_article"], out["configs"])
    return out


def format_components(costs: dict[str, float], configs: Sequence[dict[str, Any]]) -> str:
    stock = sum(v for k, v in costs.items() if not k.startswith("fast "))
    lines = ["| step of the stock pipeline | CPU ms/article | share |", "|:--|--:|--:|"]
    for name, ms in costs.items():
        lines.append(f"| {name} | {ms:.1f} | {100 * ms / stock:.1f} % |" if stock else f"| {name} | {ms:.1f} | – |")
    lines += [
        "",
        "| configuration | direct F1 | indirect F1 | speaker acc | matched quotes | predicted | errors |",
        "|:--|--:|--:|--:|--:|--:|--:|",
    ]
    for c in configs:
        ev = c.get("evaluation")
        if "error" in c:
            lines.append(f"| {c['label']} | cannot run: {c['error'][:70]} | | | | | |")
        elif ev:
            lines.append(
                f"| {c['label']} | {ev['direct']['f1']:.4f} | {ev['indirect']['f1']:.4f} | "
                f"{ev['speaker']['accuracy']:.4f} | {ev['overall']['tp']} | {ev['overall']['predicted']} | "
                f"{ev['errors']} |"
            )
        else:
            lines.append(f"| {c['label']} | – | – | – | – | – | – |")
    return "\n".join(lines)


# ── command line ─────────────────────────────────────────────────────────────


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles", type=int, default=None, help="Backlog size for (c) and (d) (default: (a)'s rate × --seconds)."
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=120.0,
        help="Target work for one worker when --articles is not given (default 120).",
    )
    parser.add_argument("--passes", type=int, default=2, help="Times (a) and (b) go over the corpus (default 2).")
    parser.add_argument(
        "--latency-seconds",
        type=float,
        default=60.0,
        help="How long to publish at half of (d)'s rate (0: skip; default 60).",
    )
    parser.add_argument("--workers", type=int, default=None, help="Workers for (d) (default: cores).")
    parser.add_argument("--corpus", type=Path, default=None, help="Folder of .txt articles (headline on line 1).")
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="Write the results as JSON to FILE (default: .wirestream/bench/bench-<time>.json).",
    )
    parser.add_argument(
        "--wait-for-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="First wait up to SECONDS for the 1-minute load average to drop below 0.7.",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the broker data and worker logs.")
    parser.add_argument("--skip-reference", action="store_true", help="Skip (a×N) and the second (a) run.")
    parser.add_argument(
        "--components",
        action="store_true",
        help="Instead: cost and evaluation quality of dropping each spaCy component.",
    )
    parser.add_argument("--polnear", type=Path, default=None, help="PolNeAR folder for --components.")
    args = parser.parse_args(argv)
    if args.components:
        report = components(args)
    else:
        report = run(args)
    print(report["table"])
    if args.json is None:
        data_dir = Settings.from_env().data_dir
        kind = "components" if args.components else "bench"
        args.json = data_dir / "bench" / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}.json"
        args.json.parent.mkdir(parents=True, exist_ok=True)
    if args.json is not None:
        args.json.write_bytes(
            orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY, default=str) + b"\n"
        )
        _say(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
