"""Human-readable views of enriched records and dead letters for the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text


def render(record: dict[str, Any]) -> Panel:
    """A panel for one record from any Wirestream topic."""
    if "reason" in record and "stage" in record:
        return render_dead_letter(record)
    return render_enriched(record)


def render_enriched(rec: dict[str, Any]) -> Panel:
    dateline = rec.get("dateline") or {}
    meta = Text(
        f"{rec['id']}  language={rec.get('language')}  "
        f"dateline={'/'.join(dateline.get('places', [])) or '-'} ({dateline.get('source') or '-'})",
        style="dim",
    )
    quotes = Table(title=f"{len(rec.get('quotes', []))} quotes", show_lines=False, expand=True)
    quotes.add_column("speaker", ratio=1)
    quotes.add_column("type", width=8)
    quotes.add_column("quote", ratio=3)
    for q in rec.get("quotes", []):
        sp = q.get("speaker") or {}
        who = sp.get("name") or sp.get("mention") or "?"
        if sp.get("mention") and sp.get("mention") != who:
            who += f" ({sp['mention']})"
        quotes.add_row(f"[{sp.get('id') or '-'}] {who}", q["type"], q["text"])
    ents = Table(title="entities", expand=True)
    for col in ("canonical", "label", "count"):
        ents.add_column(col)
    for c in sorted(rec.get("entity_clusters", []), key=lambda c: -c["count"])[:12]:
        ents.add_row(c["canonical"], c["label"], str(c["count"]))
    timings = rec.get("processing", {}).get("timings_ms", {})
    foot = Text("timings ms: " + ", ".join(f"{k}={v:.1f}" for k, v in timings.items()), style="dim")
    return Panel(Group(meta, quotes, ents, foot), title=rec.get("headline") or "(no headline)")


def render_dead_letter(rec: dict[str, Any]) -> Panel:
    body = Text(f"stage={rec['stage']} reason={rec['reason']}\n{rec['error']}")
    return Panel(body, title=f"dead letter {rec.get('id') or ''}", style="red")
