"""Quote-attribution evaluation against PolNeAR, with a textacy baseline in the same run.

The corpus is never copied into the project: `load_gold` reads it at run time from
the folder the user names (`wirestream evaluate --polnear DIR`).

What counts as a gold quote (so numbers compare with published ones):

* an attribution is **direct** when its Content text holds a double quote mark
  (" “ ” „ « »), whatever its cue;
* otherwise it is **indirect** when its Cue is a speech or reporting verb/phrase
  (`is_speech_cue`);
* everything else (beliefs, intentions, endorsements: think, believe, hope, want,
  know, expect, ...) is left out.

A predicted quote (``mixed`` counts as direct) matches the unused gold quote of its
kind with the highest Jaccard over lowercase alphanumeric tokens, if that is at least
0.5; predictions are taken in order and each gold quote is used once. Precision,
recall and F1 are micro-averaged over articles, per kind and overall. Speaker accuracy
is the fraction of matched quotes whose gold Source content words (alphanumeric tokens
less stopwords) meet the words of the predicted speaker's mention or name; matched
quotes whose gold attribution has no Source span are left out of it (nothing to
compare with) and counted apart.

Systems: ``wirestream`` runs the library functions the Kafka agents' stages run (cleaning,
the spaCy parse through its wire encoding, entities, quotes: `parse_cache.enriched_quotes`);
``textacy`` (an optional benchmark extra, imported lazily) runs
`textacy.extract.triples.direct_quotations` on a parse of the same body with the
same spaCy model. An article whose run raises (or, for wirestream, dead-letters)
counts as an error and is scored with no predictions.
"""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipeline.config import Settings

Kind = Literal["direct", "indirect"]
KINDS: tuple[Kind, Kind] = ("direct", "indirect")
SYSTEMS = ("wirestream", "textacy")
MATCH_THRESHOLD = 0.5

# ── gold ─────────────────────────────────────────────────────────────────────

QUOTE_MARKS = frozenset('"“”„«»')

# Reporting verbs, by base form; inflections are reduced with `_stems`.
SPEECH_VERBS = frozenset(
    """
    say tell add state claim argue announce explain insist note write warn confirm deny
    ask reply respond answer retort counter tweet retweet post blog email report testify
    suggest acknowledge admit concede declare describe mention recall recount remark
    repeat reiterate stress emphasize emphasise underscore urge call comment predict
    promise vow pledge swear complain boast brag contend maintain assert allege charge
    accuse blame criticize criticise slam blast praise thank apologize apologise quip
    joke shout yell scream chant whisper mutter exclaim speak talk discuss address
    lament lecture mock ridicule tout hail applaud condemn denounce decry dismiss reject
    refuse decline demand request instruct advise recommend propose invite implore plead
    beg threaten caution alert inform notify disclose reveal leak quote cite affirm
    reaffirm attest assure reassure guarantee forecast query question rebut refute
    dispute challenge contradict clarify elaborate summarize summarise conclude
    interject interrupt tease taunt proclaim pronounce indicate observe opine
    speculate rant gush marvel sneer scoff snap fume object
    protest insinuate imply hint
""".split()
)

# Multi-word cues, matched as contiguous lowercase word sequences.
SPEECH_PHRASES = (
    ("according", "to"),
    ("point", "out"),
    ("points", "out"),
    ("pointed", "out"),
    ("pointing", "out"),
    ("in", "a", "statement"),
    ("in", "an", "interview"),
    ("in", "a", "tweet"),
    ("in", "an", "email"),
    ("in", "a", "speech"),
    ("in", "remarks"),
    ("in", "a", "post"),
    ("in", "a", "letter"),
    ("in", "a", "memo"),
    ("in", "a", "report"),
    ("in", "a", "release"),
    ("in", "a", "video"),
    ("in", "an", "op", "ed"),
    ("made", "clear"),
    ("make", "clear"),
    ("makes", "clear"),
    ("making", "clear"),
    ("spoke", "of"),
    ("weighed", "in"),
    ("weigh", "in"),
    ("weighs", "in"),
    ("fired", "back"),
    ("shot", "back"),
    ("hit", "back"),
    ("hits", "back"),
    ("lashed", "out"),
    ("lash", "out"),
    ("spoke", "out"),
    ("speak", "out"),
    ("speaks", "out"),
    ("chimed", "in"),
)

# Irregular forms of verbs in SPEECH_VERBS that suffix stripping cannot reach.
_IRREGULAR = {
    "said": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "spoke": "speak",
    "spoken": "speak",
    "swore": "swear",
    "sworn": "swear",
    "forecast": "forecast",
    "quipped": "quip",
    "snapped": "snap",
}

_WORD = re.compile(r"[^\W_]+")


def words(text: str | None) -> list[str]:
    """Lowercase alphanumeric tokens, in order."""
    return _WORD.findall(text.lower()) if text else []


def _stems(word: str) -> set[str]:
    """Candidate base forms of an English verb form, by simple suffix stripping."""
    out = {word}
    if word in _IRREGULAR:
        out.add(_IRREGULAR[word])
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ying", "y")):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            out.add(word[: -len(suffix)] + repl)
    for suffix in ("s", "es", "ed", "d", "ing"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            out.add(stem)
            if suffix == "ing":
                out.add(stem + "e")  # argu-ing → argue
            if suffix in ("ed", "ing") and len(stem) > 2 and stem[-1] == stem[-2]:
                out.add(stem[:-1])  # admitt-ed → admit
    return out


def is_speech_cue(cue: str | None) -> bool:
    """True when a cue holds a speech/reporting verb or phrase (said, told, according to ...)."""
    toks = words(cue)
    for phrase in SPEECH_PHRASES:
        n = len(phrase)
        if any(tuple(toks[i : i + n]) == phrase for i in range(len(toks) - n + 1)):
            return True
    return any(_stems(tok) & SPEECH_VERBS for tok in toks)


def has_quote_mark(text: str | None) -> bool:
    return text is not None and any(ch in QUOTE_MARKS for ch in text)


def classify_attribution(content: str | None, cue: str | None) -> Kind | None:
    """direct (content holds a double quote mark), indirect (speech cue) or None (left out)."""
    if has_quote_mark(content):
        return "direct"
    if is_speech_cue(cue):
        return "indirect"
    return None


@dataclass(slots=True)
class GoldQuote:
    kind: Kind
    content: str
    source: str
    cue: str
    # (start, end) character spans into `GoldArticle.text`; discontinuous spans give several
    content_spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def start(self) -> int:
        return min((s for s, _ in self.content_spans), default=0)


@dataclass(slots=True)
class GoldArticle:
    id: str
    headline: str
    body: str
    text: str
    quotes: list[GoldQuote] = field(default_factory=list)
    annotator: str | None = None
    attributions: int = 0  # all annotated attributions, including those left out

    @property
    def excluded(self) -> int:
        return self.attributions - len(self.quotes)


def _read_text(path: Path) -> str:
    # newline="" keeps offsets exact: BRAT counts characters of the file as it is
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def _parse_spans(spec: str) -> list[tuple[int, int]]:
    spans = []
    for part in spec.split(";"):
        start, end = part.split()
        spans.append((int(start), int(end)))
    return spans


def parse_brat(ann: str, text: str) -> list[tuple[str | None, str | None, str | None, list[tuple[int, int]]]]:
    """Attributions of a BRAT file as (content, source, cue, content spans) tuples.

    Span text is read from `text` by offset; the fragments of a discontinuous span
    (`start end;start end`) and the parts of a multi-span content (Content, Content2)
    are joined with a space. A missing role gives None.
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    events: list[dict[str, list[str]]] = []
    for line in ann.splitlines():
        cols = line.split("\t")
        if len(cols) < 2:
            continue
        if cols[0].startswith("T"):
            label, _, spec = cols[1].partition(" ")
            try:
                spans[cols[0]] = _parse_spans(spec)
            except ValueError:
                continue
        elif cols[0].startswith("E"):
            roles: dict[str, list[str]] = {}
            for arg in cols[1].split():
                role, _, ref = arg.partition(":")
                if not ref:
                    continue
                base = role.rstrip("0123456789")
                if base.startswith("Attribution"):
                    base = "Attribution"
                roles.setdefault(base, []).append(ref)
            if "Attribution" in roles:
                events.append(roles)

    def span_text(refs: list[str] | None) -> tuple[str | None, list[tuple[int, int]]]:
        if not refs:
            return None, []
        parts: list[tuple[int, int]] = [s for ref in refs for s in spans.get(ref, [])]
        if not parts:
            return None, []
        return " ".join(text[a:b] for a, b in parts), parts

    out = []
    for roles in events:
        content, content_spans = span_text(roles.get("Content"))
        source, _ = span_text(roles.get("Source"))
        cue, _ = span_text(roles.get("Cue"))
        out.append((content, source, cue, content_spans))
    return out


def _annotation_file(ann_dir: Path, article: str) -> tuple[Path, str | None] | None:
    """The article's annotation: `<article>.ann`, else the first `<article>_<annotator>.ann` in sorted order."""
    plain = ann_dir / f"{article}.ann"
    if plain.is_file():
        return plain, None
    prefix = f"{article}_"
    for path in sorted(ann_dir.glob(f"{glob_escape(article)}_*.ann")):
        annotator = path.name[len(prefix) : -len(".ann")]
        if annotator and "_" not in annotator:
            return path, annotator
    return None


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def load_gold(polnear_dir: Path, split: str = "dev") -> list[GoldArticle]:
    """The split's articles with their direct and indirect gold quotes, sorted by id.

    Articles without an annotation file are skipped; with several annotators, the
    first file in sorted order is used.
    """
    base = Path(polnear_dir)
    if (base / "data").is_dir():
        base = base / "data"
    text_dir, ann_dir = base / split / "text", base / split / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise FileNotFoundError(f"no PolNeAR split {split!r} under {polnear_dir} (expected {text_dir} and {ann_dir})")
    articles = []
    for path in sorted(text_dir.glob("*.txt")):
        found = _annotation_file(ann_dir, path.stem)
        if found is None:
            continue
        ann_path, annotator = found
        text = _read_text(path)
        headline, _, body = text.partition("\n")
        article = GoldArticle(id=path.stem, headline=headline, body=body, text=text, annotator=annotator)
        for content, source, cue, content_spans in parse_brat(_read_text(ann_path), text):
            article.attributions += 1
            kind = classify_attribution(content, cue)
            if kind is not None and content:
                article.quotes.append(GoldQuote(kind, content, source or "", cue or "", content_spans))
        article.quotes.sort(key=lambda q: q.start)
        articles.append(article)
    return articles


# ── the metric ───────────────────────────────────────────────────────────────

STOPWORDS = frozenset(
    """
    the a an of and or but nor his her hers its their theirs our ours my mine your yours
    this that these those to in on at for by with from as into about over under than
    who whom whose which what s t mr mrs ms dr
""".split()
)


def content_words(text: str | None) -> set[str]:
    return {w for w in words(text) if w not in STOPWORDS}


def jaccard(a: str | None, b: str | None) -> float:
    sa, sb = set(words(a)), set(words(b))
    if not sa and not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


@dataclass(slots=True)
class Prediction:
    """A system's quote, reduced to what the metric reads."""

    text: str
    kind: Kind
    speaker: str = ""  # mention and name, space-joined
    confidence: float = 0.0
    speaker_confidence: float = 0.0
    evidence: Any = None  # pipeline.quotes.confidence.Evidence, for calibration

    @classmethod
    def of(cls, text: str, type_: str, *speaker: str | None) -> Prediction:
        return cls(text, "indirect" if type_ == "indirect" else "direct", " ".join(s for s in speaker if s))


@dataclass(slots=True)
class Outcome:
    """One prediction and what the metric made of it, for confidence calibration."""

    prediction: Prediction
    matched: bool
    speaker_ok: bool | None  # None: unmatched, or gold has no source words


def speaker_correct(gold_source: str, predicted_speaker: str) -> bool | None:
    """Whether the predicted speaker meets the gold Source; None when gold has no Source words."""
    gold = content_words(gold_source)
    if not gold:
        return None
    return bool(gold & set(words(predicted_speaker)))


@dataclass(slots=True)
class Counts:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "predicted": self.predicted,
            "gold": self.gold,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(slots=True)
class Score:
    """Counts for one article or summed over many."""

    direct: Counts = field(default_factory=Counts)
    indirect: Counts = field(default_factory=Counts)
    speaker_correct: int = 0
    speaker_scored: int = 0
    speaker_unscorable: int = 0  # matched quotes whose gold has no Source words
    outcomes: list[Outcome] = field(default_factory=list)

    def kind(self, kind: Kind) -> Counts:
        return self.direct if kind == "direct" else self.indirect

    @property
    def overall(self) -> Counts:
        total = Counts()
        total.add(self.direct)
        total.add(self.indirect)
        return total

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_correct / self.speaker_scored if self.speaker_scored else 0.0

    @property
    def strict_speaker_accuracy(self) -> float:
        """As a stricter scorer counts it: a matched quote whose gold has no source is wrong too."""
        scored = self.speaker_scored + self.speaker_unscorable
        return self.speaker_correct / scored if scored else 0.0

    def add(self, other: Score) -> None:
        self.direct.add(other.direct)
        self.indirect.add(other.indirect)
        self.speaker_correct += other.speaker_correct
        self.speaker_scored += other.speaker_scored
        self.speaker_unscorable += other.speaker_unscorable
        self.outcomes += other.outcomes


def score_article(
    gold: Sequence[GoldQuote], predicted: Sequence[Prediction], threshold: float = MATCH_THRESHOLD
) -> Score:
    """Greedy one-to-one matching of predictions (in order) to gold quotes of the same kind."""
    score = Score()
    for g in gold:
        score.kind(g.kind).gold += 1
    used = [False] * len(gold)
    for pred in predicted:
        counts = score.kind(pred.kind)
        counts.predicted += 1
        best, best_j = -1, 0.0
        for i, g in enumerate(gold):
            if used[i] or g.kind != pred.kind:
                continue
            j = jaccard(pred.text, g.content)
            if j > best_j:
                best, best_j = i, j
        if best < 0 or best_j < threshold:
            score.outcomes.append(Outcome(pred, False, None))
            continue
        used[best] = True
        counts.tp += 1
        ok = speaker_correct(gold[best].source, pred.speaker)
        score.outcomes.append(Outcome(pred, True, ok))
        if ok is None:
            score.speaker_unscorable += 1
        else:
            score.speaker_scored += 1
            score.speaker_correct += int(ok)
    return score


# ── systems ──────────────────────────────────────────────────────────────────

Tick = Callable[[], None]


def quote_content(body: str, quote: Any) -> str:
    """A quote's words: its parts joined (a split quote without the cue between), else its text."""
    parts = getattr(quote, "parts", None) or []
    pieces = [body[s:e] for s, e in parts if 0 <= s < e <= len(body)]
    return " ".join(pieces) if pieces else quote.text


def predictions_of(record: Any) -> list[Prediction]:
    """An enriched record's quotes, the headline's then the body's, as the metric reads them (with
    their evidence when the record carries it, as `parse_cache.QuotedArticle` does)."""
    return [
        *_predictions(
            record.headline, getattr(record, "headline_quotes", []), getattr(record, "headline_evidence", None)
        ),
        *_predictions(record.body, record.quotes, getattr(record, "evidence", None)),
    ]


def _predictions(text: str, quotes: Sequence[Any], evidence: Sequence[Any] | None) -> list[Prediction]:
    out = []
    for q, e in zip(quotes, evidence or [None] * len(quotes)):
        pred = Prediction.of(quote_content(text, q), q.type, q.speaker.mention, q.speaker.name)
        pred.confidence, pred.speaker_confidence, pred.evidence = q.confidence, q.speaker.confidence, e
        out.append(pred)
    return out


def run_wirestream(
    articles: Sequence[GoldArticle],
    settings: Settings,
    tick: Tick,
    parse_cache: Path | None = None,
    quote_ms: list[float] | None = None,
) -> list[list[Prediction] | None]:
    """Cleaning, parse, entities and quotes (`parse_cache.enriched_quotes`) per article; an
    article the stages would dead-letter scores as an error. With a `parse_cache` folder (dev
    only) the spaCy parses come from there; `quote_ms` collects the quote stage's time per article."""
    from pipeline.evaluation.parse_cache import enriched_quotes
    from pipeline.nlp.model import model_for
    from pipeline.records import RawArticle

    raws = [(a.id, RawArticle(body=a.body, id=a.id, headline=a.headline)) for a in articles]
    out: list[list[Prediction] | None] = []
    for quoted in enriched_quotes(raws, model_for(settings), settings, parse_cache):
        out.append(None if quoted is None else predictions_of(quoted))
        if quoted is not None and quote_ms is not None:
            quote_ms.append(quoted.quote_ms)
        tick()
    return out


def textacy_available() -> bool:
    try:
        importlib.import_module("textacy.extract.triples")
    except Exception:  # noqa: BLE001 - missing, or broken against this spaCy
        return False
    return True


def run_textacy(articles: Sequence[GoldArticle], settings: Settings, tick: Tick) -> list[list[Prediction] | None]:
    """textacy's rule-based direct quotations on a parse of the same body by the same model."""
    triples = importlib.import_module("textacy.extract.triples")
    from pipeline.nlp.model import load_model

    nlp = load_model(settings.model)
    out: list[list[Prediction] | None] = []
    docs = nlp.pipe((a.body for a in articles), batch_size=settings.batch_size)
    for _article, doc in zip(articles, docs):
        try:
            preds = [
                Prediction(dq.content.text, "direct", " ".join(t.text for t in dq.speaker))
                for dq in triples.direct_quotations(doc)
            ]
        except Exception:  # noqa: BLE001 - e.g. its ValueError on an odd number of quote marks
            preds = None
        out.append(preds)
        tick()
    return out


RUNNERS: dict[str, Callable[[Sequence[GoldArticle], Settings, Tick], list[list[Prediction] | None]]] = {
    "wirestream": run_wirestream,
    "textacy": run_textacy,
}


# ── the report ───────────────────────────────────────────────────────────────


@dataclass(slots=True)
class SystemResult:
    name: str
    available: bool = True
    note: str | None = None
    score: Score = field(default_factory=Score)
    errors: int = 0
    error_articles: list[str] = field(default_factory=list)
    articles: int = 0
    seconds: float = 0.0
    per_article: list[Score] = field(default_factory=list)
    quote_ms: float | None = None  # mean CPU time of the quote stage per article (wirestream)
    folds: list[Score] = field(default_factory=list)  # with evaluate(folds=N): the score of each fold
    confidence: list[Any] = field(default_factory=list)  # calibration.ThresholdRow, shipped weights
    confidence_cv: list[Any] = field(default_factory=list)  # the same, cross-validated over the folds

    def to_dict(self) -> dict[str, Any]:
        s = self.score
        return {
            "system": self.name,
            "available": self.available,
            "note": self.note,
            "direct": s.direct.to_dict(),
            "indirect": s.indirect.to_dict(),
            "overall": s.overall.to_dict(),
            "speaker": {
                "accuracy": round(s.speaker_accuracy, 4),
                "strict_accuracy": round(s.strict_speaker_accuracy, 4),
                "correct": s.speaker_correct,
                "scored": s.speaker_scored,
                "unscorable": s.speaker_unscorable,
            },
            "errors": self.errors,
            "error_articles": self.error_articles,
            "articles": self.articles,
            "seconds": round(self.seconds, 2),
            "quote_ms_per_article": None if self.quote_ms is None else round(self.quote_ms, 2),
            "folds": [
                {
                    "direct_f1": round(f.direct.f1, 4),
                    "indirect_f1": round(f.indirect.f1, 4),
                    "speaker_accuracy": round(f.speaker_accuracy, 4),
                }
                for f in self.folds
            ],
            "precision_by_confidence": [asdict(r) for r in self.confidence],
            "precision_by_confidence_cv": [asdict(r) for r in self.confidence_cv],
        }


@dataclass(slots=True)
class EvaluationReport:
    split: str
    polnear_dir: str
    articles: int
    gold_direct: int
    gold_indirect: int
    excluded: int  # attributions that are neither direct nor indirect (beliefs, endorsements, ...)
    model: str
    systems: list[SystemResult] = field(default_factory=list)

    def system(self, name: str) -> SystemResult:
        for result in self.systems:
            if result.name == name:
                return result
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "corpus": "PolNeAR",
            "split": self.split,
            "polnear_dir": self.polnear_dir,
            "articles": self.articles,
            "model": self.model,
            "gold": {"direct": self.gold_direct, "indirect": self.gold_indirect, "excluded": self.excluded},
            "metric": {"match": f"greedy one-to-one, token Jaccard >= {MATCH_THRESHOLD}", "mixed_counts_as": "direct"},
            "systems": [s.to_dict() for s in self.systems],
        }


def _progress(enabled: bool | None) -> Any:
    if not enabled:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )


def score_system(
    name: str, gold: Sequence[GoldArticle], predictions: Sequence[list[Prediction] | None], seconds: float = 0.0
) -> SystemResult:
    result = SystemResult(name=name, articles=len(gold), seconds=seconds)
    for article, preds in zip(gold, predictions):
        if preds is None:
            result.errors += 1
            result.error_articles.append(article.id)
            preds = []
        score = score_article(article.quotes, preds)
        result.per_article.append(score)
        result.score.add(score)
    return result


def fold_scores(per_article: Sequence[Score], folds: int) -> list[Score]:
    """The summed score of each fold (article k in fold k mod folds, articles in id order)."""
    out = [Score() for _ in range(folds)]
    for k, score in enumerate(per_article):
        out[k % folds].add(score)
    return out


def add_confidence(result: SystemResult, folds: int = 0) -> None:
    """Precision by confidence threshold with the shipped weights, and with folds > 1 the
    fold scores and the cross-validated table (weights fitted on the other folds)."""
    from pipeline.evaluation import calibration

    outcomes = [o for score in result.per_article for o in score.outcomes]
    if not any(o.prediction.evidence is not None for o in outcomes):
        return
    result.confidence = calibration.precision_by_confidence(outcomes)
    if folds > 1:
        result.folds = fold_scores(result.per_article, folds)
        result.confidence_cv = calibration.precision_by_confidence(
            calibration.cross_validated([s.outcomes for s in result.per_article], folds)
        )


def evaluate(
    polnear_dir: Path,
    split: str = "dev",
    systems: Iterable[str] = SYSTEMS,
    settings: Settings | None = None,
    progress: bool | None = None,
    parse_cache: Path | None = None,
    folds: int = 0,
) -> EvaluationReport:
    """Score each system on the split; a system that cannot run is reported unavailable. With
    `folds` > 1, wirestream's figures are also given per fold and its confidence calibration is
    judged by cross-validation (fitted on the other folds, scored on each)."""
    settings = settings or Settings.from_env()
    gold = load_gold(Path(polnear_dir), split)
    names = list(dict.fromkeys(systems))
    unknown = [n for n in names if n not in RUNNERS]
    if unknown:
        raise ValueError(f"unknown system(s) {unknown}; choose from {sorted(RUNNERS)}")

    from pipeline.nlp.model import model_for, model_label

    nlp = model_for(settings)  # loaded once, outside every system's clock
    report = EvaluationReport(
        split=split,
        polnear_dir=str(polnear_dir),
        articles=len(gold),
        gold_direct=sum(q.kind == "direct" for a in gold for q in a.quotes),
        gold_indirect=sum(q.kind == "indirect" for a in gold for q in a.quotes),
        excluded=sum(a.excluded for a in gold),
        model=model_label(nlp),
    )
    with _progress(progress) as bar:
        for name in names:
            if name == "textacy" and not textacy_available():
                report.systems.append(
                    SystemResult(
                        name=name,
                        available=False,
                        articles=len(gold),
                        note="textacy is not installed (pip install 'wirestream[bench]')",
                    )
                )
                continue
            task = bar.add_task(name, total=len(gold)) if bar is not None else None
            tick = (lambda task=task: bar.advance(task)) if bar is not None else (lambda: None)
            start = time.perf_counter()
            quote_ms: list[float] = []
            if RUNNERS[name] is run_wirestream:
                predictions = run_wirestream(gold, settings, tick, parse_cache, quote_ms)
            else:
                predictions = RUNNERS[name](gold, settings, tick)
            result = score_system(name, gold, predictions, time.perf_counter() - start)
            result.quote_ms = sum(quote_ms) / len(quote_ms) if quote_ms else None
            add_confidence(result, folds)
            report.systems.append(result)
    return report


def _p(counts: Counts) -> str:
    """Precision, or "-" for a system that predicted nothing of that kind (textacy: no indirect)."""
    return f"{counts.precision:.3f}" if counts.predicted else "-"


def format_table(report: EvaluationReport) -> str:
    """A markdown table, one row per system."""
    head = [
        "system",
        "direct P",
        "direct R",
        "direct F1",
        "indirect P",
        "indirect R",
        "indirect F1",
        "speaker acc",
        "errors",
        "articles",
        "seconds",
    ]
    rows = []
    for r in report.systems:
        if not r.available:
            rows.append([r.name, *["n/a"] * 7, "-", str(r.articles), "-"])
            continue
        d, i = r.score.direct, r.score.indirect
        rows.append(
            [
                r.name,
                _p(d),
                f"{d.recall:.3f}",
                f"{d.f1:.3f}",
                _p(i),
                f"{i.recall:.3f}",
                f"{i.f1:.3f}",
                f"{r.score.speaker_accuracy:.3f}",
                str(r.errors),
                str(r.articles),
                f"{r.seconds:.1f}",
            ]
        )
    widths = [max(len(h), *(len(row[k]) for row in rows)) if rows else len(h) for k, h in enumerate(head)]

    def line(cells: list[str]) -> str:
        return (
            "| "
            + " | ".join(c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in enumerate(zip(cells, widths)))
            + " |"
        )

    sep = "|" + "|".join("-" * (w + 1) + ":" if k else ":" + "-" * (w + 1) for k, w in enumerate(widths)) + "|"
    out = [
        f"PolNeAR {report.split}: {report.articles} articles, gold {report.gold_direct} direct / "
        f"{report.gold_indirect} indirect ({report.excluded} other attributions left out); model {report.model}",
        "",
        line(head),
        sep,
        *(line(row) for row in rows),
    ]
    notes = [f"{r.name}: {r.note}" for r in report.systems if r.note]
    if notes:
        out += ["", *notes]
    for r in report.systems:
        out += _system_details(report, r)
    return "\n".join(out)


def _system_details(report: EvaluationReport, r: SystemResult) -> list[str]:
    """Quote-stage time, fold figures and precision-by-confidence tables of one system."""
    from pipeline.evaluation.calibration import format_thresholds

    out: list[str] = []
    if r.quote_ms is not None:
        out += [
            "",
            f"{r.name}: quote stage {r.quote_ms:.2f} ms CPU per article (mean; decoding the parse, then attribution)",
        ]
    if r.score.speaker_unscorable:
        out += [
            "",
            f"{r.name}: speaker accuracy {r.score.speaker_accuracy:.3f} leaves out {r.score.speaker_unscorable} "
            "matched quotes whose gold has no source; counting them wrong (a stricter scorer): "
            f"{r.score.strict_speaker_accuracy:.3f}",
        ]
    if r.folds:
        cells = "; ".join(f"{f.direct.f1:.3f} / {f.indirect.f1:.3f} / {f.speaker_accuracy:.3f}" for f in r.folds)
        out += ["", f"{r.name}: {len(r.folds)} folds, direct F1 / indirect F1 / speaker accuracy: {cells}"]
    if r.confidence:
        out += [
            "",
            format_thresholds(
                r.confidence, f"{r.name} on {report.split}, precision by confidence (weights as shipped):"
            ),
        ]
    if r.confidence_cv:
        out += [
            "",
            format_thresholds(
                r.confidence_cv,
                f"{r.name} on {report.split}, precision by confidence, "
                f"{len(r.folds)}-fold cross-validated (fitted on the "
                "other folds):",
            ),
        ]
    return out
