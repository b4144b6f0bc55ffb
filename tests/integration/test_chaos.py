"""Nothing lost: the accounting of the chaos harness, and a small chaos run on a real broker.

The run (its own broker, a real `python -m wirestream worker` under its
supervisor) kills the worker with SIGKILL mid-stream, stops it with SIGTERM
mid-stream (graceful shutdown) and restarts the broker once, then checks that
every article sent came out enriched or dead-lettered with its expected
reason, and that duplicates are byte-for-byte the same content.
"""

from __future__ import annotations

import shutil

import orjson
import pytest

from tools.chaos import ChaosConfig, account, dedupe, make_articles, run_chaos


def test_account_counts_outcomes_losses_and_duplicates():
    sent = ["a", "b", "c", "d", "e"]
    enriched = [("a", "h1"), ("a", "h1"), ("b", "h2"), ("zz", "h9")]  # a twice; zz is another run's
    dead = [("c", "empty_body"), ("c", "empty_body"), (None, "invalid_json")]
    t = account(sent, enriched, dead, {"a": "enriched", "b": "enriched", "c": "empty_body",
                                       "d": "enriched", "e": "enriched"})
    assert (t.sent, t.enriched, t.dead_lettered, t.lost) == (5, 2, 1, 2)
    assert t.lost_ids == ["d", "e"]
    assert (t.duplicated, t.duplicated_ids, t.conflicting, t.both) == (2, 2, 0, 0)
    assert t.wrong_outcome == 0 and not t.ok


def test_account_flags_conflicting_duplicates_and_wrong_outcomes():
    t = account(["a", "b"], [("a", "h1"), ("a", "h2"), ("b", "h3")], [("b", "schema_invalid")],
                {"a": "enriched", "b": "enriched"})
    assert t.lost == 0 and t.conflicting == 1 and t.both == 1 and t.wrong_outcome == 1 and not t.ok


def test_account_of_a_clean_run_is_ok():
    t = account(["a", "b"], [("a", "h")], [("b", "empty_body")], {"a": "enriched", "b": "empty_body"})
    assert t.ok and t.lost == 0 and t.duplicated == 0


def test_dedupe_keeps_one_record_per_id_and_content_hash():
    r = lambda i, h: {"id": i, "processing": {"content_hash": h}}
    kept = dedupe([r("a", "h1"), r("a", "h1"), r("a", "h2"), r("b", "h1")])
    assert [(x["id"], x["processing"]["content_hash"]) for x in kept] == [("a", "h1"), ("a", "h2"), ("b", "h1")]


def test_made_up_articles_are_deterministic_and_mixed():
    a, b = make_articles(100, "r", 7), make_articles(100, "r", 7)
    assert a == b and len({aid for aid, _, _ in a}) == 100
    outcomes = {o for _, _, o in a}
    assert outcomes == {"enriched", "empty_body", "schema_invalid"}
    body = orjson.loads(a[0][1])["body"]
    assert "\u201c" in body and "Reporting by" in body


@pytest.mark.broker
@pytest.mark.skipif(shutil.which("java") is None, reason="java not installed")
def test_small_chaos_run_loses_nothing(tmp_path):
    report = run_chaos(ChaosConfig(articles=60, kills=1, term_restarts=1, broker_restarts=1, seed=11,
                                   chunks=4, drain_timeout=300, data_dir=tmp_path, quiet=True))
    t = report.tally
    assert report.drained, report.events
    assert t.lost == 0, t.lost_ids
    assert t.sent == 60 and t.enriched + t.dead_lettered == 60
    assert t.wrong_outcome == 0 and t.conflicting == 0 and t.both == 0
    assert report.worker_unexpected_exits == []  # the worker rode out the broker restart on its own
    kinds = [e["event"] for e in report.events]
    assert kinds.count("worker_sigkill") == 1 and kinds.count("broker_restart_done") == 1
    term = next(e for e in report.events if e["event"] == "worker_sigterm")
    assert term["exit_code"] == 0  # graceful: stopped, committed what was acked, exited cleanly
    assert report.worker_peak_rss_mb > 50
