"""A held scanned ballot made directly (the reader's own tests read real scans): a batch, the
machine's reading and a page image in the storage."""

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from ballots.models import ScanBatch, ScannedBallot, ScanStatus
from ballots.scanning.reader import PX_PER_MM

# Officials 1-5 as the machine read them: row 2 unclear, row 4 no mark.
READING = {"1": "H", "2": "?", "3": "M", "4": "", "5": "L"}
REASONS = ["row 2: a box is neither clearly empty nor clearly marked"]


def page_jpeg(width_mm: float = 210, height_mm: float = 297) -> bytes:
    """A white page as the reader stores it (PX_PER_MM pixels a millimetre)."""
    size = (round(width_mm * PX_PER_MM), round(height_mm * PX_PER_MM))
    out = io.BytesIO()
    Image.new("L", size, 255).save(out, "JPEG")
    return out.getvalue()


def make_held(
    session,
    *,
    entry_pass=1,
    number=1,
    marks=None,
    layout=None,
    sha="a" * 64,
    imported_by=None,
    ballot=None,
):
    """A scanned ballot held for review; its file uploaded by `imported_by` (that pass's typist
    then), or by an operator's command. With `ballot`: a scan the machine read and saved as
    that ballot (the same number)."""
    batch = ScanBatch.objects.create(
        imported_by=imported_by,
        session=session,
        entry_pass=entry_pass,
        file_name="may-quet.pdf",
        sha256=sha,
        fingerprint="0123456789abcdef",
        pages=1,
        saved=0,
        held=1,
        layout=layout or {},
    )
    name = default_storage.save(
        f"scans/{session.pk}/{sha[:16]}/{number:05d}-1.jpg", ContentFile(page_jpeg())
    )
    return ScannedBallot.objects.create(
        batch=batch,
        session=session,
        entry_pass=entry_pass,
        number=number,
        status=ScanStatus.HELD if ballot is None else ScanStatus.SAVED,
        reading={"marks": dict(marks or READING), "pages": [1]},
        reasons=list(REASONS) if ballot is None else [],
        images=[name],
        ballot=ballot,
    )


def scanned_pile(pdf: bytes, layout, truths, *, doubtful=(), kind="pdf", dpi=150, seed=1) -> bytes:
    """A scan file of ballots marked with `truths` ([{order: "H"/"M"/"L"/""/"X"}, …]); the
    ballots at positions in `doubtful` get a faint dot in an empty box of the first row of
    their last page (the reader holds them)."""
    import random

    from PIL import ImageDraw

    from tests.scanning.synthetic import PENS, mark_pages, rasterise, scan, to_file

    rng = random.Random(seed)
    clean = rasterise(pdf, dpi=dpi)
    images = []
    for position, truth in enumerate(truths):
        pages = mark_pages(clean, layout, truth, dpi=dpi, rng=rng, pen=PENS["cross"])
        if position in doubtful:
            row = layout.pages[-1].rows[0]
            level = "M" if truth.get(row.order) != "M" else "L"
            box = row.boxes[level]
            k = dpi / 25.4
            x, y = (box.x + box.width / 2) * k, (box.y + box.height / 2) * k
            ImageDraw.Draw(pages[-1]).ellipse([x - 4, y - 3, x + 4, y + 3], fill=60)
        images += [scan(page, rng=rng, skew=rng.uniform(-2, 2), noise=4) for page in pages]
    return to_file(images, kind)
