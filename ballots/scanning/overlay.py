"""The machine's reading drawn on a stored page image, for the person who reviews a held
ballot: the box read as marked framed in green, every box of a row read as several marks in
orange, a row the machine could not read framed in red with a "?".

The stored page image is the page mapped onto the paper's own coordinates (reader.PX_PER_MM
pixels a millimetre), so the layout's rectangles are drawn as they are.
"""

import io

from PIL import Image, ImageDraw

from ballots.scanning.layout import LEVELS, BallotLayout, PageLayout, Rect
from ballots.scanning.reader import PX_PER_MM, SEVERAL, UNCLEAR

MARKED = (0, 140, 60)
SEVERAL_COLOUR = (230, 120, 0)
UNCLEAR_COLOUR = (210, 0, 0)
LINE = 4


def _box(rect: Rect, grow_mm: float = 0.8) -> list[float]:
    return [
        (rect.x - grow_mm) * PX_PER_MM,
        (rect.y - grow_mm) * PX_PER_MM,
        (rect.x + rect.width + grow_mm) * PX_PER_MM,
        (rect.y + rect.height + grow_mm) * PX_PER_MM,
    ]


def _row_span(label: Rect, boxes: dict[str, Rect]) -> Rect:
    right = max(rect.x + rect.width for rect in boxes.values())
    return Rect(label.x, label.y, right - label.x, label.height)


def _draw_page(draw: ImageDraw.ImageDraw, page: PageLayout, marks: dict[str, str]) -> None:
    for row in page.rows:
        letter = marks.get(str(row.order), "")
        if letter in LEVELS:
            draw.rectangle(_box(row.boxes[letter]), outline=MARKED, width=LINE)
        elif letter == SEVERAL:
            for rect in row.boxes.values():
                draw.rectangle(_box(rect), outline=SEVERAL_COLOUR, width=LINE)
        elif letter == UNCLEAR:
            span = _row_span(row.label, row.boxes)
            draw.rectangle(_box(span, 0.4), outline=UNCLEAR_COLOUR, width=LINE)
            x0, y0, _x1, _y1 = _box(span, 0.4)
            draw.text((x0 - 8 * PX_PER_MM, y0), "?", fill=UNCLEAR_COLOUR, font_size=8 * PX_PER_MM)


def page_number(name: str) -> int:
    """The page of the ballot paper an image shows, from its storage name (…-<k>.jpg)."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return int(stem.rsplit("-", 1)[-1])


def reading_overlay(image: bytes, *, layout: dict, page: int, marks: dict[str, str]) -> bytes:
    """The page image (JPEG bytes) with the reading drawn on it, as PNG. Without a layout
    (a batch imported before layouts were kept) the page comes back as it is."""
    with Image.open(io.BytesIO(image)) as source:
        picture = source.convert("RGB")
    if layout:
        ballot_layout = BallotLayout.from_dict(layout)
        pages = [p for p in ballot_layout.pages if p.number == page]
        if pages:
            _draw_page(ImageDraw.Draw(picture), pages[0], marks)
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=False, compress_level=3)
    return out.getvalue()
