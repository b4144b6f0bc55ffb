"""Build `pipeline/entities/data/given_names.tsv`: given names of the world and the gender they
usually go with, for telling "she" from "he" when the US census lists do not know a name.

A development tool, not part of the installed package: it reads the name data of the PyPI package
nomquamgender (MIT licence; Van Buskirk, Clauset and Larremore's aggregation of name-gender
sources from many countries) from a path or from its wheel, keeps the names seen at least
MIN_COUNT times whose share of women is at most 0.1 or at least 0.9, folds their accents as the
lookup does, drops a folded name whose spellings disagree, and writes one "name<TAB>f|m" line
each, sorted. Run: `python -m tools.given_names_table PATH/TO/name_data.json`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.entities.given_names import unaccented

OUT = Path(__file__).resolve().parents[1] / "pipeline" / "entities" / "data" / "given_names.tsv"
MIN_COUNT = 20  # people counted across the sources: rarer spellings are as likely a typo as a name
CLEAR = 0.1  # a share of women at most this is a man's name, at least 1 - this a woman's


def table(data: dict[str, list]) -> dict[str, str]:
    out: dict[str, str] = {}
    clash: set[str] = set()
    for name, row in data.items():
        count, share = row[1], row[2]
        key = unaccented(name.lower())
        if count < MIN_COUNT or not key.replace("-", "").replace("'", "").isalpha() or not key.isascii():
            continue
        gender = "f" if share >= 1 - CLEAR else "m" if share <= CLEAR else None
        if gender is None or out.get(key, gender) != gender:
            clash.add(key)
            continue
        out[key] = gender
    return {k: v for k, v in out.items() if k not in clash}


def main(path: str) -> None:
    rows = table(json.loads(Path(path).read_text(encoding="utf-8")))
    OUT.write_text("".join(f"{name}\t{gender}\n" for name, gender in sorted(rows.items())), encoding="ascii")
    print(f"{len(rows)} names -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
