"""The one runner: one outcome per message, in order, whatever a stage does to one article.

The faults that no real input produces (a stage raising, an article that hangs, a
process that dies) come from the test-only fault hooks of pipeline/faults.py,
switched on here through WIRESTREAM_FAULT_HOOKS; the over-long body is real input.
"""

from __future__ import annotations

import os
import signal
import time

import orjson
import pytest

from pipeline import faults
from pipeline.config import Settings
from pipeline.isolation import InProcess, ProcessPool, map_isolating
from pipeline.records import DeadLetter, EnrichedRecord
from pipeline.runner import enrich, run_stage
from pipeline.stages import Message, Withdrawal


def article(i: int | str, extra: str = "") -> bytes:
    return orjson.dumps(
        {
            "id": f"a-{i}",
            "headline": f"Story {i}",
            "body": (
                f"LONDON (Reuters) - \u201cWe will meet again on day {i},\u201d said Jane Doe, a spokeswoman "
                f"for the port authority. {extra}"
            ),
        }
    )


def summary(out: list) -> list[tuple[str, str | None]]:
    return [(type(r).__name__, r.reason if isinstance(r, DeadLetter) else r.id) for r in out]


@pytest.fixture()
def hooks(monkeypatch: pytest.MonkeyPatch):
    """Set WIRESTREAM_FAULT_HOOKS for this test (and the child processes it starts)."""

    def set_hooks(spec: str) -> None:
        monkeypatch.setenv("WIRESTREAM_FAULT_HOOKS", spec)
        faults.hooks.cache_clear()

    yield set_hooks
    faults.hooks.cache_clear()


def test_every_message_gets_one_outcome_in_input_order() -> None:
    values = [
        article(0),
        b"{broken",
        article(1),
        orjson.dumps({"id": "big", "body": "word " * 3000}),
        orjson.dumps({"id": "empty", "body": "   "}),
        article(2),
    ]
    out = list(enrich(values, Settings(max_body_chars=10_000)))
    assert summary(out) == [
        ("EnrichedRecord", "a-0"),
        ("DeadLetter", "invalid_json"),
        ("EnrichedRecord", "a-1"),
        ("DeadLetter", "body_too_large"),
        ("DeadLetter", "empty_body"),
        ("EnrichedRecord", "a-2"),
    ]
    assert [d.stage for d in out if isinstance(d, DeadLetter)] == ["decode", "clean", "clean"]


def test_the_model_limit_is_the_cleaning_limit() -> None:
    from pipeline.nlp import model_for

    settings = Settings(max_body_chars=12_345)
    assert model_for(settings).max_length == 12_345


def test_a_stage_raising_for_one_article_dead_letters_only_that_one(hooks) -> None:
    hooks("raise:entities:POISON,raise:quotes:VENOM,raise:clean:TOXIN")
    values = [article(0), article(1, "POISON"), article(2), article(3, "VENOM"), article(4, "TOXIN"), article(5)]
    out = list(enrich(values, Settings()))
    assert summary(out) == [
        ("EnrichedRecord", "a-0"),
        ("DeadLetter", "entities_failed"),
        ("EnrichedRecord", "a-2"),
        ("DeadLetter", "quotes_failed"),
        ("DeadLetter", "cleaning_failed"),
        ("EnrichedRecord", "a-5"),
    ]
    assert all(d.id for d in out if isinstance(d, DeadLetter))


def test_batch_failure_is_retried_one_by_one_keeping_what_finished() -> None:
    calls: list[list[str]] = []

    def attempt(stage: str, items):
        from pipeline.isolation import Failure

        calls.append(list(items))
        done = []
        for item in items:
            if item == "bad" or (item == "late" and len(items) > 1):
                return done, Failure("entities_failed", "boom")
            done.append([item.upper()])
        return done, None

    result = map_isolating(attempt, "entities", ["a", "b", "late", "bad", "c"])
    assert [r[0] if isinstance(r[0], str) else r[0].reason for r in result] == [
        "A",
        "B",
        "LATE",
        "entities_failed",
        "C",
    ]
    assert calls[0] == ["a", "b", "late", "bad", "c"] and calls[1:] == [["late"], ["bad"], ["c"]]


def test_run_stage_keeps_messages_whole(tmp_path) -> None:
    messages = [Message(article(i), key=f"a-{i}".encode(), partition=1, offset=40 + i) for i in range(3)]
    outcomes = run_stage("clean", messages, InProcess(Settings()))
    assert [o.message.offset for o in outcomes] == [40, 41, 42]
    assert [(o.records[0].article.raw_partition, o.records[0].article.raw_offset) for o in outcomes] == [
        (1, 40),
        (1, 41),
        (1, 42),
    ]


def test_a_kill_passes_the_stages_without_nlp() -> None:
    kill = orjson.dumps({"id": "story-9", "pubstatus": "canceled"})
    out = list(enrich([article(0), kill], Settings()))
    assert isinstance(out[0], EnrichedRecord) and isinstance(out[1], Withdrawal) and out[1].id == "story-9"


@pytest.fixture(scope="module")
def pool():
    """One NLP child process with a short article budget, shared by the process tests.

    The hooks stay in the environment while the pool lives: a restarted child reads them again.
    """
    os.environ["WIRESTREAM_FAULT_HOOKS"] = "hang:entities:SLOWPOKE,crash:entities:SEGV,crash:quotes:KABOOM"
    p = ProcessPool(Settings(article_timeout_s=4.0), size=1).start()
    yield p
    p.close()
    del os.environ["WIRESTREAM_FAULT_HOOKS"]
    faults.hooks.cache_clear()


def test_pool_gives_the_same_records_as_in_process(pool) -> None:
    values = [article(i) for i in range(3)]
    here = [r for r in enrich(values, Settings()) if isinstance(r, EnrichedRecord)]
    there = [r for r in enrich(values, Settings(), pool) if isinstance(r, EnrichedRecord)]
    assert [r.processing.content_hash for r in here] == [r.processing.content_hash for r in there]


def test_an_article_over_its_budget_is_dead_lettered_and_the_rest_go_on(pool) -> None:
    start = time.monotonic()
    out = list(enrich([article(0), article(1, "SLOWPOKE"), article(2)], Settings(), pool))
    assert summary(out) == [("EnrichedRecord", "a-0"), ("DeadLetter", "processing_timeout"), ("EnrichedRecord", "a-2")]
    assert "budget" in out[1].error
    assert time.monotonic() - start < 60  # two budgets and a restart, not the hook's hour


def test_a_crash_of_the_nlp_process_is_that_articles_dead_letter(pool) -> None:
    out = list(enrich([article(0), article(1, "SEGV"), article(2), article(3, "KABOOM"), article(4)], Settings(), pool))
    assert summary(out) == [
        ("EnrichedRecord", "a-0"),
        ("DeadLetter", "nlp_process_crashed"),
        ("EnrichedRecord", "a-2"),
        ("DeadLetter", "nlp_process_crashed"),
        ("EnrichedRecord", "a-4"),
    ]
    assert "SIGKILL" in out[1].error and out[3].stage == "quotes"


def test_a_dead_nlp_process_is_replaced_by_the_spare_loaded_before_it_died(pool) -> None:
    list(enrich([article(0)], Settings(), pool))
    [child] = list(pool._idle.queue)
    assert child.proc is not None and child._spare is not None
    spare_pid = child._spare.result()[0].pid  # loaded while the working child was busy
    os.kill(child.proc.pid, signal.SIGKILL)
    child.proc.wait(10)
    out = list(enrich([article(1)], Settings(), pool))
    assert summary(out) == [("EnrichedRecord", "a-1")]
    assert child.proc.pid == spare_pid  # no model load between the death and the next article
    assert child._spare is not None and child._spare.result()[0].pid != spare_pid  # the next spare


def test_a_sigterm_to_the_whole_process_group_leaves_the_nlp_process_working(pool) -> None:
    """systemd stops a service by signalling every process in it; the worker stops gracefully and
    needs its NLP process until the batch in flight is done (a chaos run: the child died of the
    SIGTERM, the batch was never acked and the stop waited on it)."""
    list(enrich([article(0)], Settings(), pool))
    [child] = list(pool._idle.queue)
    assert child.proc is not None
    working = child.proc.pid
    os.kill(working, signal.SIGTERM)
    time.sleep(0.5)
    out = list(enrich([article(1)], Settings(), pool))
    assert summary(out) == [("EnrichedRecord", "a-1")]
    assert child.proc.pid == working
