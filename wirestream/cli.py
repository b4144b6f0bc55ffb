"""`wirestream`: a thin command line over the pipeline library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline import __version__
from pipeline.config import Settings

if TYPE_CHECKING:
    from wirestream.localbroker import LocalBroker


def settings() -> Settings:
    return Settings.from_env()


def write_line(data: bytes) -> None:
    sys.stdout.buffer.write(data + b"\n")
    sys.stdout.buffer.flush()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wirestream")
def main() -> None:
    """Wirestream: clean, extract entities and attribute quotes in news-wire copy over Kafka.

    Every command honours KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:9092).
    """


# ── broker ───────────────────────────────────────────────────────────────────


@main.group()
def broker() -> None:
    """Run a local single-node Apache Kafka broker (KRaft) from Maven Central jars."""


def _local_broker(port: int | None, data: Path | None) -> LocalBroker:
    from wirestream.localbroker import LocalBroker

    if port is None:
        port = int(settings().bootstrap_servers.split(",")[0].rsplit(":", 1)[1])
    return LocalBroker(port=port, data_dir=data)


_port = click.option("--port", type=int, default=None, help="Listener port (default: from KAFKA_BOOTSTRAP_SERVERS).")
_data = click.option("--data", type=click.Path(path_type=Path), default=None, help="Data folder.")


@broker.command("start")
@_port
@_data
def broker_start(port: int | None, data: Path | None) -> None:
    """Start the broker (formats storage on first use) and wait until it accepts clients."""
    b = _local_broker(port, data)
    b.start()
    click.echo(f"broker running at {b.bootstrap}")


@broker.command("stop")
@_port
@_data
def broker_stop(port: int | None, data: Path | None) -> None:
    """Stop the broker."""
    _local_broker(port, data).stop()
    click.echo("broker stopped")


@broker.command("status")
@_port
@_data
def broker_status(port: int | None, data: Path | None) -> None:
    """Say whether the broker runs, with its pid and port."""
    status = _local_broker(port, data).status()
    click.echo(" ".join(f"{k}={v}" for k, v in status.items()))
    sys.exit(0 if status.get("running") else 1)


# ── streaming ────────────────────────────────────────────────────────────────


@main.command()
@click.option("--web-port", type=int, default=None, help="Port for /metrics and /dashboard.")
@click.option("--loglevel", default="warning", show_default=True)
def worker(web_port: int | None, loglevel: str) -> None:
    """Run the Faust worker with all agents (creates the topics it needs)."""
    from dataclasses import replace

    from agents.worker import run_worker

    s = settings()
    if web_port is not None:
        s = replace(s, web_port=web_port)
    sys.argv = [sys.argv[0]]  # Faust's own CLI must not see our options
    run_worker(s, loglevel=loglevel)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--topic", default=None, help="Topic (default: articles.raw).")
def publish(paths: tuple[str, ...], topic: str | None) -> None:
    """Publish articles: .txt (headline on line 1), .json (plain or ninjs), .jsonl, .xml (NewsML-G2), folders, or -.

    Wire documents go as they are, keyed by story id, with their content-type header;
    - reads one XML or JSON document, or JSON lines, from stdin.
    """
    from rich.progress import Progress

    from agents.clients import publish_values
    from pipeline.sources import read_messages

    messages = list(read_messages(paths))
    with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("publishing", total=len(messages))
        sent = publish_values(settings(), messages, topic, on_sent=lambda: progress.advance(task))
    click.echo(f"published {sent} message(s) to {topic or settings().topics.raw}", err=True)


@main.command()
@click.option("--topic", default=None, help="Topic (default: articles.enriched).")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest record instead of new ones.")
@click.option("--max", "max_records", type=int, default=None, help="Stop after N records.")
@click.option("--timeout", type=float, default=None, help="Stop after this many idle seconds.")
@click.option("--pretty", is_flag=True, help="Readable panels instead of JSON lines.")
def tail(topic: str | None, from_beginning: bool, max_records: int | None, timeout: float | None, pretty: bool) -> None:
    """Print records from a topic as JSON lines (or --pretty panels)."""
    from agents.clients import tail as tail_topic

    s = settings()
    console = None
    if pretty:
        from rich.console import Console

        from pipeline.codec import loads
        from wirestream.render import render

        console = Console()
    for value in tail_topic(s, topic or s.topics.enriched, from_beginning, max_records, timeout):
        if console is not None:
            console.print(render(loads(value)))
        else:
            write_line(value)


@main.command()
@click.argument("paths", nargs=-1, required=True)
def enrich(paths: tuple[str, ...]) -> None:
    """Enrich articles without a broker: the same stages, enriched JSON lines to stdout.

    Dead letters go to stderr as JSON lines; the exit code is 1 when any article failed.
    """
    from pipeline import codec
    from pipeline.isolation import executor_for
    from pipeline.records import DeadLetter
    from pipeline.runner import enrich as run_stages
    from pipeline.sources import read_values
    from pipeline.stages import Withdrawal

    s = settings()
    executor = executor_for(s)  # the worker's NLP processes: the same budget and crash isolation
    failed = 0
    try:
        for record in run_stages(read_values(paths), s, executor):
            if isinstance(record, DeadLetter):
                failed += 1
                sys.stderr.buffer.write(codec.dumps(record) + b"\n")
            elif isinstance(record, Withdrawal):
                write_line(codec.dumps({"id": record.id, "withdrawn": True, "story": record.article.story}))
            else:
                write_line(codec.dumps(record))
    finally:
        executor.close()
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--model", "show_model", is_flag=True, help="Print the spaCy model in use (last line).")
def info(show_model: bool) -> None:
    """Show version, configuration and the spaCy model."""
    s = settings()
    click.echo(f"wirestream {__version__}")
    click.echo(f"bootstrap servers: {s.bootstrap_servers}")
    click.echo(f"topics: {', '.join(s.topics.all())}")
    from pipeline.nlp.model import model_for, model_label

    nlp = model_for(s)
    click.echo(f"pipes: {', '.join(nlp.pipe_names)}")
    click.echo(model_label(nlp) if show_model else f"model: {model_label(nlp)}")


@main.command()
@click.option(
    "--url",
    "urls",
    multiple=True,
    metavar="URL",
    help="A worker's web address; repeat for several workers (default: http://127.0.0.1:$WIRESTREAM_WEB_PORT).",
)
@click.option("--interval", type=float, default=2.0, show_default=True, help="Seconds between refreshes.")
@click.option("--once", is_flag=True, help="Print one snapshot and exit (exit code 1 if no worker answers).")
def top(urls: tuple[str, ...], interval: float, once: bool) -> None:
    """Throughput, lag, latency and last dead letters of running workers, refreshing in the terminal."""
    from wirestream.top import run

    s = settings()
    host = "127.0.0.1" if s.web_host in ("0.0.0.0", "::", "") else s.web_host
    sys.exit(run(urls or (f"http://{host}:{s.web_port}",), interval, once))


@main.command(name="evaluate")
@click.option(
    "--polnear",
    "polnear_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="PolNeAR folder (with data/<split>/text and data/<split>/attributions).",
)
@click.option("--split", default="dev", show_default=True, help="Corpus split to score.")
@click.option(
    "--json",
    "json_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the full report as JSON to FILE.",
)
@click.option("--no-textacy", is_flag=True, help="Skip the textacy baseline.")
@click.option(
    "--folds",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Also score each of N folds and cross-validate the confidence calibration "
    "(fitted on N-1 folds, scored on the other).",
)
@click.option(
    "--parse-cache",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Development only: keep spaCy parses in DIR (e.g. /tmp/quotes-cache) so re-scoring takes seconds.",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal)."
)
def evaluate_cmd(
    polnear_dir: Path,
    split: str,
    json_path: Path | None,
    no_textacy: bool,
    folds: int,
    parse_cache: Path | None,
    progress: bool | None,
) -> None:
    """Score quote attribution on PolNeAR (textacy alongside when installed), entities and speakers on own gold."""
    import json

    from pipeline.evaluation.entities import HELD_OUT as ENTITY_HELD_OUT
    from pipeline.evaluation.entities import evaluate_entities, format_entity_table
    from pipeline.evaluation.polnear import evaluate, format_table
    from pipeline.evaluation.speakers import HELD_OUT, evaluate_speakers, format_speaker_table

    systems = ("wirestream",) if no_textacy else ("wirestream", "textacy")
    try:
        report = evaluate(
            polnear_dir,
            split=split,
            systems=systems,
            settings=settings(),
            progress=sys.stderr.isatty() if progress is None else progress,
            parse_cache=parse_cache,
            folds=folds,
        )
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(format_table(report))
    # Entities beside the quotes: PolNeAR has no entity gold, so the project's own (pipeline/evaluation/data).
    entity_report = evaluate_entities(settings())
    for entity_split in ENTITY_HELD_OUT:
        click.echo(f"\nentities, gold split '{entity_split}' (exact span and label):")
        click.echo(format_entity_table(entity_report, entity_split))
    # PolNeAR scores a speaker by its mention; the project's speaker gold scores whom it resolves to.
    speaker_report = evaluate_speakers(settings())
    for speaker_split in HELD_OUT:
        click.echo(f"\nspeakers, own gold split '{speaker_split}' (resolved name of each direct quote's speaker):")
        click.echo(format_speaker_table(speaker_report, speaker_split))
    if json_path is not None:
        full = {**report.to_dict(), "entities": entity_report, "speakers": speaker_report}
        json_path.write_text(json.dumps(full, indent=2) + "\n", encoding="utf-8")
        click.echo(f"report written to {json_path}", err=True)


if __name__ == "__main__":
    main()
