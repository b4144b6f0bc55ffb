"""Every article gets its outcome, in order, under faults: the chaos harness and a small chaos run.

The broker-free tests pin what the harness counts (a loss, a wrong reason, a
story that steps back, a partition that stands still), so a broken harness
cannot report a clean run. The broker test runs the small configuration:
its own broker, two real `python -m wirestream worker` processes in one
group (one SIGKILLed, a third joining), a broker SIGSTOP stall longer than
the send timeout and a broker restart, over single articles, three-revision
stories and poison articles for every stage.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import orjson
import pytest

from tools.chaos import (
    ChaosConfig,
    account,
    check_order,
    dedupe,
    make_articles,
    run_chaos,
    story_order,
)
from tools.chaos.articles import (
    HOOK_REASONS,
    POISON_KINDS,
    fault_hooks_env,
    interleave,
    poisons,
    revision_in,
    singles,
    stories,
)
from tools.chaos.outcomes import Outcome, later_revisions, tally_outcomes
from tools.chaos.plan import plan_faults
from tools.chaos.progress import PartitionClock, longest_per_topic

# ── accounting ───────────────────────────────────────────────────────────────


def test_account_counts_outcomes_losses_and_duplicates():
    sent = ["a", "b", "c", "d", "e"]
    enriched = [("a", "h1"), ("a", "h1"), ("b", "h2"), ("zz", "h9")]  # a twice; zz is another run's
    dead = [("c", "empty_body"), ("c", "empty_body"), (None, "invalid_json")]
    t = account(
        sent, enriched, dead, {"a": "enriched", "b": "enriched", "c": "empty_body", "d": "enriched", "e": "enriched"}
    )
    assert (t.sent, t.enriched, t.dead_lettered, t.lost) == (5, 2, 1, 2)
    assert t.lost_ids == ["d", "e"]
    assert (t.duplicated, t.duplicated_ids, t.conflicting, t.both) == (2, 2, 0, 0)
    assert t.dead_by_reason == {"empty_body": 1}
    assert t.wrong_outcome == 0 and not t.ok


def test_account_flags_conflicting_duplicates_and_wrong_reasons():
    t = account(
        ["a", "b", "c"],
        [("a", "h1"), ("a", "h2"), ("b", "h3")],
        [("b", "schema_invalid"), ("c", "internal_error")],
        {"a": "enriched", "b": "enriched", "c": "processing_timeout"},
    )
    assert t.lost == 0 and t.conflicting == 1 and t.both == 1 and not t.ok
    assert t.wrong_outcome == 2 and t.wrong_ids == ["b", "c"]


def test_an_older_revision_is_superseded_only_when_a_newer_one_came_out():
    newer = {"s@r1": ["s@r2", "s@r3"], "s@r2": ["s@r3"], "s@r3": []}
    want = dict.fromkeys(newer, "enriched")
    t = account(newer, [("s@r1", "h1"), ("s@r3", "h3")], [], want, newer)
    assert (t.superseded, t.lost, t.wrong_outcome) == (1, 0, 0) and t.ok
    t = account(newer, [("s@r1", "h1"), ("s@r2", "h2")], [], want, newer)  # the newest never came out
    assert t.lost == 1 and t.lost_ids == ["s@r3"] and not t.ok


def test_dedupe_keeps_one_record_per_id_and_content_hash():
    def r(i: str, h: str) -> dict:
        return {"id": i, "processing": {"content_hash": h}}

    kept = dedupe([r("a", "h1"), r("a", "h1"), r("a", "h2"), r("b", "h1")])
    assert [(x["id"], x["processing"]["content_hash"]) for x in kept] == [("a", "h1"), ("a", "h2"), ("b", "h1")]


# ── per-key order ────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("revisions", "regressions", "stale"),
    [
        ([1, 2, 3], 0, False),
        ([1, 2, 3, 3], 0, False),  # a replay of the current copy: a duplicate, not a step back
        ([1, 3], 0, False),  # revision 2 superseded: skipped, never after 3
        ([1, 3, 2], 1, True),  # 2 overtaken by 3 and published after it
        ([1, 2, 3, 2, 3], 1, False),  # stepped back, even though the last is right
        ([1, 2, 3, 1], 1, True),
        ([1, 2], 0, True),  # the newest revision never came out
    ],
)
def test_story_order_counts_steps_back_and_stale_last_records(revisions, regressions, stale):
    order = story_order(revisions, latest=3)
    assert (order.regressions, order.stale_last) == (regressions, stale)
    assert order.violated == (regressions > 0 or stale)


def test_check_order_counts_stories_not_records():
    latest = {"a": 3, "b": 3, "c": 3, "d": 2}
    tally = check_order({"a": [1, 2, 3], "b": [1, 3, 2, 1], "c": [1, 2]}, latest)  # d: no output (lost)
    assert (tally.stories, tally.violations, tally.regressions, tally.stale_last) == (4, 2, 2, 2)
    assert tally.examples == {"b": [1, 3, 2, 1], "c": [1, 2]}


def test_tally_reads_story_revisions_from_bodies_and_dead_letter_payloads():
    ((r1, r2, r3),) = stories(1, "run", 3, seed=5)

    def body(p) -> str:
        return orjson.loads(p.value)["body"]

    assert [revision_in(body(p)) for p in (r1, r2, r3)] == [1, 2, 3]
    enriched = [Outcome(r1.id, 1, "h1", None), Outcome(r3.id, 3, "h3", None)]
    dead = [Outcome(r2.id, revision_in(r2.value.decode()), None, "entities_failed")]
    tally, _ = tally_outcomes([r1, r2, r3], enriched, dead)
    assert (tally.sent, tally.enriched, tally.dead_lettered, tally.lost) == (3, 2, 1, 0)
    assert tally.wrong_ids == [r2.copy]  # a story revision must be enriched, not dead-lettered
    assert later_revisions([r1, r2, r3])[r1.copy] == [r2.copy, r3.copy]


# ── the copy ─────────────────────────────────────────────────────────────────


def test_made_up_articles_are_deterministic_and_mixed():
    a, b = make_articles(100, "r", 7), make_articles(100, "r", 7)
    assert a == b and len({aid for aid, _, _ in a}) == 100
    assert {o for _, _, o in a} == {"enriched", "empty_body", "schema_invalid"}
    body = orjson.loads(a[0][1])["body"]
    assert "\u201c" in body and "Reporting by" in body


def test_poison_reaches_its_limit_or_carries_an_armed_marker():
    limit = 2_000
    made = {p.id.split("-poison-")[1].rsplit("-", 1)[0]: p for p in poisons(1, "run", limit, seed=3)}
    assert len(made) == len(POISON_KINDS)
    assert len(orjson.loads(made["oversize"].value)["body"]) > limit
    assert made["oversize"].expected == "body_too_large"
    armed = fault_hooks_env().split(",")
    for (action, stage), reason in HOOK_REASONS.items():
        p = made[f"{action}-{stage}"]
        marker = next(h.split(":")[2] for h in armed if h.startswith(f"{action}:{stage}:"))
        assert marker in orjson.loads(p.value)["body"] and p.expected == reason
        assert len(orjson.loads(p.value)["body"]) < limit
    assert [p.expected for p in poisons(1, "run", limit, 3, hooks=False)] == ["body_too_large"]


def test_interleave_keeps_each_storys_revisions_together_and_in_order():
    chunks = interleave(singles(40, "r", 1), stories(6, "r", 3, 1), poisons(1, "r", 1000, 1), 4, random.Random(2))
    assert len(chunks) == 4 and sum(map(len, chunks)) == 40 + 18 + len(POISON_KINDS)
    for chunk in chunks:
        seen: dict[str, list[int]] = {}
        for p in chunk:
            if p.revision:
                seen.setdefault(p.id, []).append(p.revision)
        assert all(revs == [1, 2, 3] for revs in seen.values())


def test_every_departure_is_followed_by_a_join():
    cfg = ChaosConfig(kills=2, term_restarts=1, stalls=2, broker_restarts=1)
    faults = plan_faults(cfg, random.Random(4))
    assert sorted(faults) == sorted(["kill", "kill", "term", "stall", "stall", "broker", "join", "join", "join"])
    assert all(faults[i + 1] == "join" for i, f in enumerate(faults) if f in ("kill", "term"))


# ── the no-progress clock ────────────────────────────────────────────────────


def test_partition_clock_measures_lag_without_commits_up_to_the_poll_that_sees_progress():
    clock = PartitionClock("articles.raw", 0)
    clock.observe(0.0, 10, 10)  # no lag
    clock.observe(1.0, 10, 15)  # lag appears: stuck from here
    clock.observe(2.0, 10, 20)
    clock.observe(9.5, 10, 20)  # polls failed in between (broker stopped): the clock ran on
    clock.observe(10.0, 14, 20)  # committed moved: 9 s stuck, measured up to this poll
    clock.observe(11.0, 20, 20)  # caught up
    clock.observe(30.0, 20, 20)  # idle without lag is not stuck
    assert clock.longest is not None
    assert (clock.longest.seconds, clock.longest.start, clock.longest.end) == (9.0, 1.0, 10.0)


def test_partition_clock_counts_a_group_that_never_committed():
    clock = PartitionClock("articles.clean", 1)
    clock.observe(0.0, None, 5)
    clock.observe(4.0, None, 5)
    assert clock.longest is not None and clock.longest.seconds == 4.0


def test_longest_per_topic_takes_the_worst_partition():
    a, b, c = PartitionClock("t", 0), PartitionClock("t", 1), PartitionClock("u", 0)
    for clock, stuck_until in ((a, 2.0), (b, 5.0)):
        clock.observe(0.0, 0, 1)
        clock.observe(stuck_until, 1, 1)
    c.observe(0.0, 0, 0)
    worst = longest_per_topic([a, b, c])
    assert worst["t"] is not None and (worst["t"].partition, worst["t"].seconds) == (1, 5.0)
    assert worst["u"] is None


# ── a real run ───────────────────────────────────────────────────────────────

WORKER_STORY = re.compile(
    r"\[(WARNING|ERROR|CRITICAL)\] (?!.*(Kafka|ECONNREFUSED|Connection|connect|metadata|node|fetch))"
    r"|Revoking previously|Joined group|Worker ready|Signal received|\[\^Worker\]: Stopping"
)


def print_worker_story(folder: Path, events: list[dict]) -> None:
    """The harness's events and each worker's rebalances, stops and warnings (not the broker-outage
    noise): what a failed run's cause is read from once its temporary folder is gone."""
    for event in events:
        print(event)
    for log in sorted(folder.rglob("worker*.log")):
        lines = [line for line in log.read_text(errors="replace").splitlines() if WORKER_STORY.search(line)]
        print(f"--- {log.name} ---", *lines[-150:], sep="\n")


@pytest.mark.broker
@pytest.mark.timeout(420)
@pytest.mark.skipif(shutil.which("java") is None, reason="java not installed")
def test_small_chaos_run_keeps_every_guarantee(tmp_path):
    cfg = ChaosConfig.small(seed=11, data_dir=tmp_path, quiet=True)
    report = run_chaos(cfg)
    print(f"longest no progress {report.no_progress}, bound {report.no_progress_bound_s} s")  # shown with -rP
    print_worker_story(tmp_path, report.events)  # shown when an assertion fails: read the cause there
    t, order = report.tally, report.order
    assert report.drained, report.events
    assert t.lost == 0, t.lost_ids
    assert t.sent == cfg.articles + cfg.stories * cfg.revisions + len(POISON_KINDS) * cfg.poison_rounds
    assert t.wrong_outcome == 0 and t.conflicting == 0 and t.both == 0, t.wrong_ids
    assert report.poison.sent == len(POISON_KINDS) and report.poison.wrong_outcome == 0, report.poison.wrong_ids
    assert set(HOOK_REASONS.values()) | {"body_too_large"} <= set(t.dead_by_reason)
    assert order.violations == 0, order.examples
    # Stuck no longer than one article's budget plus a dead member's session timeout, plus the
    # longest broker outage (a 7 s stall, or the restart's measured downtime) and a little slack.
    assert report.longest_no_progress_s <= report.no_progress_bound_s, report.no_progress
    assert report.broker_outage_s >= cfg.stall_s  # the stall happened and is part of the bound
    assert report.worker_unexpected_exits == []  # NLP crashes and the broker's faults never took a worker down
    kinds = [e["event"] for e in report.events]
    for kind in ("worker_sigkill", "worker_joined", "broker_sigstop", "broker_sigcont", "broker_restart_done"):
        assert kinds.count(kind) == 1, kind
    assert report.worker_starts == cfg.workers + cfg.kills
    assert report.worker_peak_rss_mb > 50
