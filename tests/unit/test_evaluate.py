"""The PolNeAR evaluation: metric units on tiny hand-written BRAT files, and the full dev run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation import polnear as ev
from pipeline.evaluation.polnear import (
    GoldQuote,
    Prediction,
    classify_attribution,
    format_table,
    is_speech_cue,
    jaccard,
    load_gold,
    quote_content,
    score_article,
    score_system,
    speaker_correct,
)

POLNEAR = Path(__file__).resolve().parents[3] / "shared" / "polnear"


# ── a tiny corpus, written here ──────────────────────────────────────────────


def brat(text: str, attributions: list[dict[str, str | list[str] | None]]) -> str:
    """BRAT lines for attributions given as role → substring(s) of `text` (located by find)."""
    lines, events, n = [], [], 0
    for k, attribution in enumerate(attributions, 1):
        refs = []
        for role, value in attribution.items():
            if value is None:
                continue
            parts = [value] if isinstance(value, str) else value
            spans = []
            for part in parts:
                start = text.index(part)
                spans.append((start, start + len(part)))
            n += 1
            spec = ";".join(f"{a} {b}" for a, b in spans)
            label = "Content" if role.startswith("Content") else role
            lines.append(f"T{n}\t{label} {spec}\t{' '.join(text[a:b] for a, b in spans)}")
            refs.append(f"{role}:T{n}")
        kind = "Attribution" if attribution.get("Source") else "Attribution-no-source"
        n += 1
        cue = attribution["Cue"]
        lines.append(f"T{n}\t{kind} {text.index(cue)} {text.index(cue) + len(cue)}\t{cue}")
        events.append(f"E{k}\t{kind}:T{n} " + " ".join(refs))
    return "\n".join(lines + events) + "\n"


def write_article(root: Path, name: str, headline: str, body: str, annotations: dict[str, list[dict]]) -> str:
    text = f"{headline}\n{body}"
    (root / "data" / "dev" / "text").mkdir(parents=True, exist_ok=True)
    (root / "data" / "dev" / "attributions").mkdir(parents=True, exist_ok=True)
    (root / "data" / "dev" / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
    for annotator, attributions in annotations.items():
        (root / "data" / "dev" / "attributions" / f"{name}_{annotator}.ann").write_text(
            brat(text, attributions), encoding="utf-8"
        )
    return text


HEADLINE = "Harbor council splits over ferry fares"
BODY = (
    "The harbor council voted on Tuesday to raise ferry fares. "
    "“We had no other choice, the boats are old,” said council chair Mara Quill. "
    "Dock workers told reporters that the new fares would hurt commuters. "
    "Quill believes the vote will hold. "
    "The union, for its part, is “deeply disappointed” by the decision, its spokesman "
    "wrote in a letter. "
    "Officials said the fares would return to review in the spring."
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write_article(
        tmp_path,
        "tiny-harbor",
        HEADLINE,
        BODY,
        {
            # the second annotator's file must be ignored: sorted first wins
            "b2": [{"Source": "Mara Quill", "Cue": "said", "Content": "“We had no other choice, the boats are old,”"}],
            "a1": [
                {
                    "Source": "council chair Mara Quill",
                    "Cue": "said",
                    "Content": "“We had no other choice, the boats are old,”",
                },
                {"Source": "Dock workers", "Cue": "told", "Content": "that the new fares would hurt commuters"},
                {"Source": "Quill", "Cue": "believes", "Content": "the vote will hold"},
                # discontinuous content with a quote mark: direct (mixed)
                {
                    "Source": "its spokesman",
                    "Cue": "wrote",
                    "Content": ["The union, for its part, is “deeply disappointed” by the decision,", "in a letter"],
                },
                # no source
                {"Source": None, "Cue": "Officials said", "Content": "the fares would return to review in the spring"},
            ],
        },
    )
    return tmp_path


# ── classification ───────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "cue",
    [
        "said",
        "says",
        "has said",
        "told",
        "tweeted",
        "according to",
        "pointed out",
        "added",
        "denies",
        "replied",
        "testified",
        "admitted",
        "arguing",
        "wrote",
        "in a statement",
        "Said",
    ],
)
def test_speech_cues(cue: str) -> None:
    assert is_speech_cue(cue)


@pytest.mark.parametrize(
    "cue",
    ["believes", "thinks", "hopes", "wants", "fears", "knows", "expects", "felt", "has learned", "shows", "", None],
)
def test_non_speech_cues(cue: str | None) -> None:
    assert not is_speech_cue(cue)


def test_classification() -> None:
    assert classify_attribution("“We are ready,”", "said") == "direct"
    assert classify_attribution('he was "ready"', "believes") == "direct"  # a quote mark decides
    assert classify_attribution("« prêt »", "a dit") == "direct"
    assert classify_attribution("that they were ready", "told") == "indirect"
    assert classify_attribution("that they were ready", "believes") is None
    assert classify_attribution("‘ready’", "hopes") is None  # single quotes are not quote marks here


# ── loading BRAT ─────────────────────────────────────────────────────────────


def test_load_gold(corpus: Path) -> None:
    [article] = load_gold(corpus, "dev")
    assert article.id == "tiny-harbor"
    assert article.annotator == "a1"
    assert article.headline == HEADLINE
    assert article.body == BODY
    assert article.text == f"{HEADLINE}\n{BODY}"
    assert article.attributions == 5 and article.excluded == 1
    kinds = [(q.kind, q.cue) for q in article.quotes]
    assert kinds == [("direct", "said"), ("indirect", "told"), ("direct", "wrote"), ("indirect", "Officials said")]
    mixed = article.quotes[2]
    assert mixed.content == "The union, for its part, is “deeply disappointed” by the decision, in a letter"
    assert len(mixed.content_spans) == 2
    assert article.quotes[0].source == "council chair Mara Quill"
    assert article.quotes[3].source == ""
    # the corpus root or its data/ folder both work
    assert load_gold(corpus / "data", "dev")[0].quotes == article.quotes


def test_load_gold_missing_split(corpus: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_gold(corpus, "test")


def test_discontinuous_and_second_content(tmp_path: Path) -> None:
    text = "Head\nA said “one” and then “two” in the hall."
    ann = (
        "T1\tSource 5 6\tA\nT2\tCue 7 11\tsaid\n"
        "T3\tContent 12 17;27 32\t“one” “two”\n"
        "T4\tContent 40 44\thall\n"
        "T5\tAttribution 7 11\tsaid\n"
        "E1\tAttribution:T5 Source:T1 Cue:T2 Content:T3 Content2:T4\n"
    )
    [(content, source, cue, spans)] = ev.parse_brat(ann, text)
    assert content == "“one” “two” hall"
    assert (source, cue) == ("A", "said")
    assert spans == [(12, 17), (27, 32), (40, 44)]


# ── matching ─────────────────────────────────────────────────────────────────


def gq(content: str, kind: str = "direct", source: str = "Mara Quill") -> GoldQuote:
    return GoldQuote(kind, content, source, "said")  # type: ignore[arg-type]


def test_jaccard() -> None:
    assert jaccard("The boats are OLD!", "“the boats are old”") == 1.0
    assert jaccard("a b", "a c") == pytest.approx(1 / 3)
    assert jaccard("", "") == 0.0


def test_threshold() -> None:
    gold = [gq("alpha beta gamma delta")]
    # 2 shared of 4 → exactly 0.5: a match
    at = score_article(gold, [Prediction("alpha beta", "direct")])
    assert at.direct.tp == 1
    # 2 shared of 5 → 0.4: no match
    below = score_article(gold, [Prediction("alpha beta omega", "direct")])
    assert below.direct.tp == 0 and below.direct.predicted == 1 and below.direct.gold == 1


def test_one_to_one_and_best_match() -> None:
    gold = [gq("one two three four"), gq("one two three four five six")]
    preds = [
        Prediction("one two three four five six", "direct"),
        Prediction("one two three four five six", "direct"),
        Prediction("one two three four five six", "direct"),
    ]
    score = score_article(gold, preds)
    # the first takes the exact gold, the second the remaining one (4/6), the third has none left
    assert (score.direct.tp, score.direct.predicted, score.direct.gold) == (2, 3, 2)
    assert score.direct.precision == pytest.approx(2 / 3)
    assert score.direct.recall == 1.0


def test_kinds_are_matched_separately_and_mixed_is_direct() -> None:
    gold = [gq("the fares will rise", "indirect"), gq("“the fares will rise”", "direct")]
    assert Prediction.of("the fares will rise", "mixed").kind == "direct"
    score = score_article(
        gold,
        [
            Prediction.of("the fares will rise", "mixed"),
            Prediction.of("the fares will rise", "indirect"),
            Prediction.of("the fares will rise", "indirect"),
        ],
    )
    assert (score.direct.tp, score.direct.predicted) == (1, 1)
    assert (score.indirect.tp, score.indirect.predicted, score.indirect.gold) == (1, 2, 1)
    overall = score.overall
    assert (overall.tp, overall.predicted, overall.gold) == (2, 3, 2)


def test_split_quote_is_scored_by_its_parts() -> None:
    from pipeline.records import Quote

    body = "“The ferry runs again,” the captain said, “from Monday on.”"
    start, end = body.index("The"), body.index("on.") + 3
    split = Quote(body[start:end], "direct", start, end, parts=[(start, body.index("”")), (body.index("from"), end)])
    assert quote_content(body, split) == "The ferry runs again, from Monday on."
    whole = Quote(body[start:end], "direct", start, end)
    assert whole.parts == [(start, end)] and quote_content(body, whole) == whole.text
    gold = [gq("“The ferry runs again,” “from Monday on.”")]
    assert score_article(gold, [Prediction.of(quote_content(body, split), "direct")]).direct.tp == 1


def test_speaker_accuracy() -> None:
    assert speaker_correct("council chair Mara Quill", "Quill") is True
    assert speaker_correct("the council", "the mayor") is False  # stopwords do not count
    assert speaker_correct("his spokesman", "a spokesman for the union") is True
    assert speaker_correct("Mr. Quill", "Mr. Fenn") is False
    assert speaker_correct("", "Quill") is None
    gold = [gq("one two", source="Mara Quill"), gq("three four", source="the union"), gq("five six", source="")]
    score = score_article(
        gold,
        [
            Prediction.of("one two", "direct", "she", "Mara Quill"),
            Prediction.of("three four", "direct", "the council"),
            Prediction.of("five six", "direct", "Quill"),
            Prediction.of("seven", "direct", "Quill"),
        ],
    )
    assert score.direct.tp == 3
    assert (score.speaker_correct, score.speaker_scored, score.speaker_unscorable) == (1, 2, 1)
    assert score.speaker_accuracy == 0.5
    assert score.strict_speaker_accuracy == 1 / 3  # the sourceless gold counts as a miss


def test_errors_score_as_empty(corpus: Path) -> None:
    gold = load_gold(corpus)
    result = score_system("x", gold, [None], seconds=1.0)
    assert result.errors == 1 and result.error_articles == ["tiny-harbor"]
    assert result.score.direct.gold == 2 and result.score.direct.predicted == 0
    assert result.score.indirect.recall == 0.0


# ── the report ───────────────────────────────────────────────────────────────


def test_evaluate_with_a_stub_system(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def perfect(articles, settings, tick):
        out = []
        for a in articles:
            out.append([Prediction.of(q.content, q.kind, q.source) for q in a.quotes])
            tick()
        return out

    monkeypatch.setitem(ev.RUNNERS, "wirestream", perfect)
    monkeypatch.setattr(ev, "textacy_available", lambda: False)
    report = ev.evaluate(corpus, systems=("wirestream", "textacy"), progress=True)
    ws, tx = report.systems
    assert ws.score.direct.f1 == 1.0 and ws.score.indirect.f1 == 1.0
    assert ws.score.speaker_accuracy == 1.0 and ws.score.speaker_unscorable == 1
    assert not tx.available and "not installed" in (tx.note or "")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["gold"] == {"direct": 2, "indirect": 2, "excluded": 1}
    assert data["systems"][0]["direct"]["f1"] == 1.0
    assert data["systems"][1]["available"] is False
    table = format_table(report)
    for column in ("system", "direct P", "indirect F1", "speaker acc", "errors", "articles", "seconds"):
        assert column in table
    assert "| wirestream |" in table and "n/a" in table


def test_unknown_system(corpus: Path) -> None:
    with pytest.raises(ValueError):
        ev.evaluate(corpus, systems=("nope",))


def test_wirestream_runs_on_the_tiny_corpus(corpus: Path) -> None:
    report = ev.evaluate(corpus, systems=("wirestream",))
    [ws] = report.systems
    assert ws.articles == 1 and ws.errors == 0
    assert ws.score.direct.gold == 2


def test_confidence_tables_folds_and_quote_time(corpus: Path) -> None:
    report = ev.evaluate(corpus, systems=("wirestream",), folds=2)
    [ws] = report.systems
    assert ws.quote_ms is not None and ws.quote_ms > 0
    assert [r.threshold for r in ws.confidence] == [0.0, 0.5, 0.8, 0.9]
    assert ws.confidence[0].quotes == ws.score.direct.predicted + ws.score.indirect.predicted
    assert len(ws.folds) == 2 and len(ws.confidence_cv) == 4
    table = format_table(report)
    assert "precision by confidence" in table and "cross-validated" in table and "ms CPU per article" in table
    data = report.to_dict()["systems"][0]
    assert data["precision_by_confidence"][0]["threshold"] == 0.0 and len(data["folds"]) == 2


def test_parse_cache_gives_the_same_predictions(corpus: Path, tmp_path: Path) -> None:
    from pipeline.config import Settings

    gold = load_gold(corpus)
    fresh = ev.run_wirestream(gold, Settings.from_env(), lambda: None)
    cache = tmp_path / "cache"
    first = ev.run_wirestream(gold, Settings.from_env(), lambda: None, cache)
    assert len(list(cache.iterdir())) == 2  # the body's parse and the headline's
    again = ev.run_wirestream(gold, Settings.from_env(), lambda: None, cache)
    assert (
        [(p.text, p.kind, p.speaker, p.confidence) for p in fresh[0]]
        == [(p.text, p.kind, p.speaker, p.confidence) for p in first[0]]
        == [(p.text, p.kind, p.speaker, p.confidence) for p in again[0]]
    )


def test_textacy_errors_and_quotes(tmp_path: Path) -> None:
    pytest.importorskip("textacy")
    write_article(tmp_path, "t-ok", "Ok", "“The fares are too high,” said Mara Quill.", {"a": []})
    write_article(tmp_path, "t-odd", "Odd", "Mara Quill said “the fares are too high.", {"a": []})
    report = ev.evaluate(tmp_path, systems=("textacy",))
    [tx] = report.systems
    assert tx.errors == 1 and tx.error_articles == ["t-odd"]
    assert tx.score.direct.predicted == 1


# ── the full dev split ───────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def dev_report() -> ev.EvaluationReport:
    if not (POLNEAR / "data" / "dev").is_dir():
        pytest.skip(f"PolNeAR not found at {POLNEAR}")
    return ev.evaluate(POLNEAR, "dev")


@pytest.mark.polnear
def test_dev_gold_shape(dev_report: ev.EvaluationReport) -> None:
    assert dev_report.articles == 84
    assert dev_report.gold_direct > 500 and dev_report.gold_indirect > 500


@pytest.mark.polnear
def test_textacy_baseline_reproduces(dev_report: ev.EvaluationReport) -> None:
    tx = dev_report.system("textacy")
    if not tx.available:
        pytest.skip("textacy not installed")
    # published for this metric: P 0.50, R 0.34, F1 0.40, errors on 25 of 84
    assert tx.score.direct.f1 == pytest.approx(0.40, abs=0.03)
    assert tx.errors == pytest.approx(25, abs=3)


@pytest.mark.polnear
def test_wirestream_meets_promised_quality(dev_report: ev.EvaluationReport) -> None:
    ws = dev_report.system("wirestream")
    table = format_table(dev_report)
    print("\n" + table)
    direct, indirect, speaker = ws.score.direct.f1, ws.score.indirect.f1, ws.score.speaker_accuracy
    assert ws.errors == 0, f"errors on {ws.error_articles}\n{table}"
    # dev 0.912 / 0.751 / 0.957 at the last change set; a margin of about 0.01 below each
    assert direct >= 0.90, f"direct F1 {direct:.3f} < 0.90\n{table}"
    assert indirect >= 0.74, f"indirect F1 {indirect:.3f} < 0.74\n{table}"
    assert speaker >= 0.94, f"speaker accuracy {speaker:.3f} < 0.94\n{table}"


@pytest.mark.polnear
def test_confidence_is_calibrated_enough_to_trade_recall_for_precision(dev_report: ev.EvaluationReport) -> None:
    ws = dev_report.system("wirestream")
    rows = {r.threshold: r for r in ws.confidence}
    # dev at the last change set: precision 0.846 over all quotes, 0.928 at >= 0.8, 0.970 at >= 0.9
    assert rows[0.8].precision >= rows[0.0].precision + 0.05
    assert rows[0.9].precision >= 0.94 and rows[0.9].share >= 0.3
    assert rows[0.9].speaker_accuracy >= rows[0.0].speaker_accuracy


@pytest.mark.polnear
def test_quote_stage_time_is_reported(dev_report: ev.EvaluationReport) -> None:
    # The 10 ms budget is a benchmark figure (`make bench`), not a timed test: on a shared,
    # loaded machine the CPU time per article moves with the load (12.6 ms seen in a CI run
    # beside three other jobs, under 8 ms alone), so here only that it is measured.
    ws = dev_report.system("wirestream")
    assert ws.quote_ms is not None and ws.quote_ms > 0.0
