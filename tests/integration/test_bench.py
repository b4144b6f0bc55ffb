"""The benchmark's pure parts: corpus loading, partition balancing, percentiles, ratios and the table.

No timing assertions: speed is measured by `make bench`, never asserted in tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tools import bench
from tools.bench import Article, Row


def test_read_corpus_takes_headline_from_first_line(tmp_path: Path) -> None:
    (tmp_path / "b-second.txt").write_text("Second headline\n\nBody two has four words.\n", encoding="utf-8")
    (tmp_path / "a-first.txt").write_text("\ufeffFirst headline\nBody one.\n\nMore of body one.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("Only a headline\n\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    articles = bench.read_corpus(tmp_path)
    assert [a.id for a in articles] == ["a-first", "b-second"]  # name order; empty bodies skipped
    assert articles[0].headline == "First headline"
    assert articles[0].body == "Body one.\n\nMore of body one."
    assert articles[1].words == 5


def test_load_corpus_prefers_folder_then_polnear_then_generated(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("H\nSome body text here.", encoding="utf-8")
    articles, description = bench.load_corpus(tmp_path)
    assert len(articles) == 1 and str(tmp_path) in description
    fallback = tmp_path / "texts"
    fallback.mkdir()
    (fallback / "y.txt").write_text("H\nAnother body.", encoding="utf-8")
    articles, description = bench.load_corpus(None, fallback=fallback)
    assert [a.id for a in articles] == ["y"] and "PolNeAR" in description
    articles, description = bench.load_corpus(None, fallback=tmp_path / "missing")
    assert "generated" in description and len(articles) == 60
    with pytest.raises(FileNotFoundError):
        bench.load_corpus(tmp_path / "texts" / "nothing-here")


def test_generated_corpus_is_deterministic_and_sized() -> None:
    one, two = bench.generated_corpus(5, seed=3), bench.generated_corpus(5, seed=3)
    assert one == two
    assert bench.generated_corpus(5, seed=4) != one
    assert all(500 <= a.words < 700 for a in one)
    assert len({a.id for a in one}) == 5
    assert one[0].body.split(" - ", 1)[0].endswith("(Wirestream)")  # a dateline, as wire copy has


def test_article_value_is_raw_json() -> None:
    value = json.loads(Article("id-1", "Head", "Body text.").value(published_at="2026-01-01T00:00:00Z"))
    assert value == {"id": "id-1", "headline": "Head", "body": "Body text.", "published_at": "2026-01-01T00:00:00Z"}


def test_repeat_gives_unique_ids() -> None:
    corpus = [Article("a", "h", "x y"), Article("b", "h", "z")]
    out = bench.repeat(corpus, 5, "r")
    assert [a.body for a in out] == ["x y", "z", "x y", "z", "x y"]
    assert len({a.id for a in out}) == 5


def test_balance_spreads_words_and_keys_land_on_their_partition() -> None:
    corpus = [Article(f"art-{i}", "h", "w " * (50 + 37 * (i % 7))) for i in range(40)]
    placed = bench.balance(corpus, 3)
    loads = [0, 0, 0]
    for article, partition in placed:
        assert bench.partition_of(article.id.encode(), 3) == partition
        assert article.id.startswith("art-")
        loads[partition] += article.words
    assert max(loads) - min(loads) <= max(a.words for a in corpus)


def test_partition_of_matches_kafka_default_partitioner() -> None:
    from aiokafka.partitioner import DefaultPartitioner

    for key in (b"a", b"article-17", "ünïcode".encode()):
        assert bench.partition_of(key, 4) == DefaultPartitioner()(key, [0, 1, 2, 3], [0, 1, 2, 3])


def test_percentile_interpolates_like_numpy() -> None:
    data = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert bench.percentile(data, 0) == 1.0
    assert bench.percentile(data, 50) == 3.0
    assert bench.percentile(data, 100) == 5.0
    assert bench.percentile(data, 25) == 2.0
    assert bench.percentile([1.0, 2.0], 99) == pytest.approx(1.99)
    assert bench.percentile([7.0], 95) == 7.0
    assert math.isnan(bench.percentile([], 50))
    with pytest.raises(ValueError):
        bench.percentile(data, 101)


def test_latency_summary() -> None:
    summary = bench.latency_summary([0.1 * i for i in range(1, 101)])
    assert summary["count"] == 100
    assert summary["p50"] == pytest.approx(5.05)
    assert summary["p99"] == pytest.approx(9.901)
    assert summary["max"] == pytest.approx(10.0)
    assert math.isnan(bench.latency_summary([])["p99"])


def rows() -> list[Row]:
    return [
        Row("a", "bare spaCy", 100, 80_000, 10.0, cpu_seconds=9.5, load_before=0.5, load_after=0.7),
        Row("b", "enrich", 100, 80_000, 9.0),
        Row("c", "one worker", 200, 160_000, 25.0, peak_rss_mb=[612.4]),
        Row("d", "two workers", 200, 160_000, 12.5, workers=2, peak_rss_mb=[600.0, 655.5]),
        Row("a", "bare spaCy again", 100, 80_000, 12.5),
    ]


def test_rates_and_ratios() -> None:
    r = rows()
    assert r[0].articles_per_s == 10.0 and r[0].words_per_s == 8000.0
    assert r[0].cpu_ms_per_article == 95.0
    assert bench.reference_rate(r) == 9.0  # mean of the two (a) runs
    assert bench.ratio(16.0, 8.0) == 2.0
    assert math.isnan(bench.ratio(1.0, 0.0))
    assert r[3].to_dict(9.0)["ratio_to_a"] == pytest.approx(16.0 / 9.0, abs=1e-3)
    verdict = bench.verdict(r, {"p99": 1.5})
    assert verdict["c_vs_a"] == {"ratio": 0.889, "target": 0.85, "met": True}
    assert verdict["d_vs_a"]["met"] is True
    assert verdict["p99_latency_s"]["met"] is True
    assert bench.verdict(r[:3], {"p99": 2.5})["p99_latency_s"]["met"] is False


def test_format_table() -> None:
    latency = bench.latency_summary([0.2, 0.4, 0.6, 0.8])
    table = bench.format_table(rows(), latency, 8.0)
    lines = table.splitlines()
    assert lines[0].startswith("| | configuration | articles | articles/s | words/s | × (a) |")
    assert len({line.count("|") for line in lines[:7]}) == 1  # every row has every column
    assert "| (d) | two workers | 200 | 16.00 | 12,800 | 1.78 |" in table
    assert "600 MB / 656 MB" in table
    assert "0.50 → 0.70" in table
    assert "at 8.00 articles/s" in table and "p99 0.79 s" in table


def test_format_components_handles_errors_and_missing_evaluation() -> None:
    costs = {"tokenizer": 5.0, "ner": 45.0, "attribute_ruler": 50.0, "fast attribute ruler": 2.0}
    configs = [
        {
            "label": "stock",
            "evaluation": {
                "direct": {"f1": 0.8},
                "indirect": {"f1": 0.6},
                "speaker": {"accuracy": 0.9},
                "overall": {"tp": 900, "predicted": 1000},
                "errors": 0,
            },
        },
        {"label": "lighter"},
        {"label": "broken", "error": "ValueError('needs tok2vec')"},
    ]
    table = bench.format_components(costs, configs)
    assert "| ner | 45.0 | 45.0 % |" in table  # share of the stock pipeline (the fast ruler is extra)
    assert "| fast attribute ruler | 2.0 | 2.0 % |" in table
    assert "| stock | 0.8000 | 0.6000 | 0.9000 | 900 | 1000 | 0 |" in table
    assert "| lighter | – | – | – | – | – | – |" in table
    assert "cannot run: ValueError('needs tok2vec')" in table


def test_stage_times_come_from_the_records_and_judge_the_quote_stage() -> None:
    timings = [{"clean": 1.0, "parse": 100.0, "quotes": q} for q in (6.0, 8.0, 13.0)] + [{"clean": 2.0}]
    stages = bench.stage_summary(timings)
    assert list(stages) == ["clean", "parse", "quotes"]
    assert stages["quotes"] == {"mean": 9.0, "p50": 8.0, "p95": 12.5}
    assert stages["clean"]["mean"] == 1.25  # a kill, which only cleaning sees, counts there alone
    r = rows()
    r[1].stages_ms = stages
    assert bench.verdict(r, None)["quotes_ms_per_article"] == {"value": 9.0, "target": 10.0, "met": True}
    assert "| quotes | 9.00 | 8.00 | 12.50 |" in bench.format_table(r)
    r[1].stages_ms = bench.stage_summary([{"quotes": 10.5}])
    assert bench.verdict(r, None)["quotes_ms_per_article"]["met"] is False
