"""Benchmark: how well and how fast scanned ballot papers are read.

Renders the session's machine-readable ballot paper once, rasterises it at 150 and 300 dpi,
and makes BALLOTS filled-in ballots with known truth: marks drawn with Pillow as voters make
them (ticks, crosses, filled boxes, light pencil, felt tip; a few rows left empty or marked
twice), then put through a scanner: skew up to 3 degrees, scale within 2 %, grey noise, JPEG
(grey scans) or a 1-bit threshold (black-and-white scans), some pages upside down. Pages go
into multi-page PDF and TIFF files of FILE_PAGES pages, read by the engine
(ballots.scanning.reader.read_file), which is timed. DOUBTFUL more ballots carry what a person
must look at (a faint dot in a box, a name crossed out, a name added) and must all be held.

    DJANGO_SETTINGS_MODULE=confidence_vote.settings nice .venv/bin/python bench/scan_accuracy.py

The last line is JSON: wrong_saved (readings counted without review that differ from the
truth: must be 0), held_clean_pct (clean ballots held: at most 2), doubtful_held_pct and
crossed_held_pct (names struck through; must be 100), pages_per_second (reading, decoding
included, one process: at least 5).
"""

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, make_counting_session  # noqa: E402 - sets up Django
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from PIL import ImageDraw  # noqa: E402

sys.path.insert(0, str(ROOT))
from ballots.scanning.reader import prepare_template, read_file  # noqa: E402
from reports.documents import ballot_layout  # noqa: E402
from tests.scanning.synthetic import (  # noqa: E402
    PENS,
    STYLES,
    jpeg_round_trip,
    mark_pages,
    random_marks,
    rasterise,
    scan,
    to_file,
)

SEED = 2026
FILE_PAGES = 50


def _doubt(page, layout, kind: str, truth: dict[int, str], *, dpi: int, rng: random.Random):
    """Draw something a person must look at onto the page of a one-page ballot; return the
    pen it was drawn with."""
    k = dpi / 25.4
    draw = ImageDraw.Draw(page)
    rows = layout.pages[0].rows
    row = rng.choice([r for r in rows if truth[r.order] != "X"])
    if kind == "dot":
        empty = [level for level in ("H", "M", "L") if level != truth[row.order]]
        box = row.boxes[rng.choice(empty)]
        x, y = (box.x + box.width * rng.uniform(0.3, 0.7)) * k, (box.y + box.height / 2) * k
        r = rng.uniform(0.6, 0.8) * k
        draw.ellipse([x - r, y - r * 0.8, x + r, y + r * 0.8], fill=rng.randint(40, 90))
        return "dot"
    if kind == "crossed":
        label = row.label
        y = (label.y + label.height * rng.uniform(0.4, 0.6)) * k
        x0, x1 = (label.x + 9) * k, (label.x + rng.uniform(40, 60)) * k
        pen = PENS[rng.choice(("tick", "pencil", "felt"))]
        width = max(2, round(pen.width_mm * k))
        draw.line([(x0, y), (x1, y + rng.uniform(-3, 3))], fill=pen.grey, width=width)
        return "ballpoint" if pen.style == "tick" else pen.style
    # a name added in the space below the list, beside the code
    qr = layout.pages[0].qr
    x, y = qr.x + qr.width + rng.uniform(8, 40), qr.y + rng.uniform(2, 12)
    draw.text((x * k, y * k), "Nguyen Van Them", fill=25, font_size=round(4.5 * k))
    return "ballpoint"


def make_pile(*, pdf, layout, ballots: int, doubtful: int, rng: random.Random):
    """[(image, truth, doubt, dpi, pen, 1-bit, doubt's pen)] in scan order: truth
    {order: letter}, doubt "" or its kind."""
    clean = {dpi: rasterise(pdf, dpi=dpi) for dpi in (150, 300)}
    kinds = [""] * ballots + [("dot", "crossed", "added")[i % 3] for i in range(doubtful)]
    rng.shuffle(kinds)
    pile = []
    for doubt in kinds:
        dpi = rng.choice((150, 300))
        pen = PENS[rng.choice(STYLES)]
        truth = random_marks(layout.orders, rng)
        pages = mark_pages(clean[dpi], layout, truth, dpi=dpi, rng=rng, pen=pen)
        doubt_pen = _doubt(pages[0], layout, doubt, truth, dpi=dpi, rng=rng) if doubt else ""
        bilevel = rng.random() < 0.5
        for page in pages:
            image = scan(
                page,
                rng=rng,
                skew=rng.uniform(-3, 3),
                scale=rng.uniform(0.98, 1.02),
                noise=rng.uniform(0, 10),
                bilevel=bilevel,
                upside_down=rng.random() < 0.03,
            )
            if not bilevel:
                image = jpeg_round_trip(image, rng.randint(50, 90))
            pile.append((image, truth, doubt, dpi, pen.style, bilevel, doubt_pen))
    return pile


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(int(q * len(ordered)), len(ordered) - 1)], 4)


def run(*, ballots: int, doubtful: int, officials: int, keep: Path | None) -> dict:
    rng = random.Random(SEED)
    session, _user = make_counting_session(officials=officials, ballots=ballots + doubtful)
    layout, pdf = ballot_layout(session=session)
    template = prepare_template(layout, pdf)
    if layout.page_count != 1:
        raise SystemExit("use a one-page ballot (at most 14 officials) for this benchmark")

    started = time.perf_counter()
    pile = make_pile(pdf=pdf, layout=layout, ballots=ballots, doubtful=doubtful, rng=rng)
    generated = time.perf_counter() - started

    # Black-and-white scans arrive as TIFF (CCITT G4) or PDF, grey ones as PDF (JPEG inside),
    # FILE_PAGES pages a file of one resolution, in scan order within each file.
    files = []
    for bilevel, dpi in ((True, 150), (True, 300), (False, 150), (False, 300)):
        stream = [item for item in pile if item[5] == bilevel and item[3] == dpi]
        for start in range(0, len(stream), FILE_PAGES):
            chunk = stream[start : start + FILE_PAGES]
            kind = "tiff" if bilevel and len(files) % 2 == 0 else "pdf"
            content = to_file([item[0] for item in chunk], kind)
            files.append((f"pile-{len(files) + 1:03d}.{kind}", content, chunk))
            if keep is not None:
                (keep / files[-1][0]).write_bytes(content)

    wrong_saved = held_clean = clean = doubtful_held = doubtful_total = refused = 0
    reasons: Counter = Counter()
    held_by: Counter = Counter()
    wrong_examples = []
    missed = []
    refused_examples = []
    marked_shares: dict[str, list[float]] = {}
    label_excess: dict[str, list[float]] = {}
    crossed_excess: list[float] = []
    crossed_stroke: list[tuple] = []
    clean_stroke: dict[str, list[float]] = {}
    doubts_by: Counter = Counter()
    doubts_held_by: Counter = Counter()
    empty_shares: dict[str, list[float]] = {}
    reading_time = cpu_time = 0.0
    pages = 0
    for name, content, chunk in files:
        t0, c0 = time.perf_counter(), time.process_time()
        result = read_file(content, name=name, template=template)
        reading_time += time.perf_counter() - t0
        cpu_time += time.process_time() - c0
        refused_examples += result.refused_messages()
        pages += result.pages
        refused += len(result.refused)
        by_index = {ballot.pages[0].index: ballot for ballot in result.ballots}
        for index, item in enumerate(chunk, start=1):
            _image, truth, doubt, dpi, style, bilevel, doubt_pen = item
            mode = f"{dpi} dpi {'1-bit' if bilevel else 'grey'}"
            ballot = by_index.get(index)
            if doubt == "crossed" and ballot is not None:
                crossed_excess.append(max(ballot.pages[0].label_excess.values()))
                stroke = max(ballot.pages[0].stroke.values(), default=0.0)
                crossed_stroke.append((stroke, mode, doubt_pen))
            if doubt:
                doubtful_total += 1
                doubtful_held += ballot is None or ballot.held
                kind = f"{doubt} ({doubt_pen}, {mode})"
                doubts_by[kind] += 1
                doubts_held_by[kind] += ballot is None or ballot.held
                if ballot is not None and not ballot.held:
                    missed.append((name, index, doubt, doubt_pen, dpi, style, bilevel))
                continue
            clean += 1
            if ballot is None or ballot.held:
                held_clean += 1
                held_by[(dpi, style, "1-bit" if bilevel else "grey")] += 1
                for reason in ballot.reasons if ballot else ["page refused"]:
                    reasons[reason.split(":")[-1].strip()] += 1
            elif ballot.marks != truth:
                wrong_saved += 1
                wrong_examples.append((name, index, mode, style, ballot.marks, truth))
            if ballot is not None:
                excess = ballot.pages[0].label_excess.values()
                label_excess.setdefault(f"{dpi}{'b' if bilevel else 'g'}", []).extend(excess)
                clean_stroke.setdefault(mode, []).extend(ballot.pages[0].stroke.values())
                for order, shares in ballot.pages[0].ink.items():
                    if truth[order] == "X":
                        continue
                    for level, share in shares.items():
                        target = marked_shares if truth[order] == level else empty_shares
                        target.setdefault(style, []).append(share)
    return {
        "ballots": len(pile),
        "clean": clean,
        "doubtful": doubtful_total,
        "pages": pages,
        "refused_pages": refused,
        "wrong_saved": wrong_saved,
        "held_clean": held_clean,
        "held_clean_pct": round(100 * held_clean / max(clean, 1), 2),
        "doubtful_held_pct": round(100 * doubtful_held / max(doubtful_total, 1), 2),
        "pages_per_second": round(pages / reading_time, 2),
        "pages_per_cpu_second": round(pages / cpu_time, 2),
        "reading_seconds": round(reading_time, 1),
        "reading_cpu_seconds": round(cpu_time, 1),
        "generating_seconds": round(generated, 1),
        "held_clean_by": {f"{d} dpi {s} {m}": n for (d, s, m), n in held_by.most_common()},
        "held_clean_reasons": dict(reasons.most_common(6)),
        "wrong_examples": wrong_examples[:5],
        "missed_doubts": missed[:10],
        "label_excess": {
            key: [_quantile(v, 0.5), _quantile(v, 0.99), _quantile(v, 0.999), max(v)]
            for key, v in label_excess.items()
        },
        "crossed_excess": sorted(crossed_excess)[:5],
        "stroke_clean": {
            key: [_quantile(v, 0.99), _quantile(v, 0.999), max(v)]
            for key, v in sorted(clean_stroke.items())
        },
        "stroke_crossed_lowest": sorted(crossed_stroke)[:8],
        "doubts_held": {
            kind: f"{doubts_held_by[kind]}/{total}" for kind, total in sorted(doubts_by.items())
        },
        "crossed_held_pct": round(
            100
            * sum(doubts_held_by[k] for k in doubts_by if k.startswith("crossed"))
            / max(sum(n for k, n in doubts_by.items() if k.startswith("crossed")), 1),
            2,
        ),
        "ink": {
            style: {
                "marked_min": round(min(marked_shares.get(style, [1])), 4),
                "marked_p1": _quantile(marked_shares.get(style, [1]), 0.01),
                "empty_max": round(max(empty_shares.get(style, [0])), 4),
            }
            for style in STYLES
        },
        "refused_examples": refused_examples[:10],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=2000, help="Clean ballots (known truth).")
    parser.add_argument("--doubtful", type=int, default=150, help="Ballots a person must see.")
    parser.add_argument("--officials", type=int, default=14, help="Rows (one page: at most 14).")
    parser.add_argument("--keep", help="Write the generated scan files into this folder.")
    args = parser.parse_args()
    keep = Path(args.keep) if args.keep else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)

    db = connection.settings_dict
    temp_dir = tempfile.TemporaryDirectory(prefix="bench-scan-")
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = str(Path(temp_dir.name) / "bench.sqlite3")
    old_name = db["NAME"]
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        result = run(
            ballots=args.ballots, doubtful=args.doubtful, officials=args.officials, keep=keep
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        temp_dir.cleanup()

    print(
        f"Python {platform.python_version()}, Django {django.get_version()}: "
        f"{result['ballots']} ballots x {args.officials} officials, {result['pages']} pages; "
        f"generated in {result['generating_seconds']} s, read in {result['reading_seconds']} s"
    )
    print(f"Clean ballots held, by scan: {result['held_clean_by']}")
    print(f"Reasons they were held: {result['held_clean_reasons']}")
    print(f"Ink share in the boxes, by pen: {result['ink']}")
    print(f"Name cells' ink beyond print (median, p99, p99.9, max): {result['label_excess']}")
    print(f"... on a crossed-out name (lowest): {result['crossed_excess']}")
    print(f"Stroke along a name (mm), clean rows (p99, p99.9, max): {result['stroke_clean']}")
    print(f"... on a crossed-out name (lowest): {result['stroke_crossed_lowest']}")
    print(f"Doubtful ballots held, by kind: {result['doubts_held']}")
    for example in result["wrong_examples"]:
        print(f"WRONG: {example}")
    for example in result["missed_doubts"]:
        print(f"Doubt not held: {example}")
    for example in result["refused_examples"]:
        print(f"Refused: {example}")
    print(
        f"Reading: {result['reading_seconds']} s wall clock, {result['reading_cpu_seconds']} s "
        f"CPU ({result['pages_per_cpu_second']} pages per CPU second)"
    )
    summary = {
        key: result[key]
        for key in (
            "ballots",
            "clean",
            "doubtful",
            "pages",
            "refused_pages",
            "wrong_saved",
            "held_clean_pct",
            "doubtful_held_pct",
            "crossed_held_pct",
            "pages_per_second",
            "pages_per_cpu_second",
        )
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
