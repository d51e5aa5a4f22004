"""Scans made on the spot, with known truth: the real ballot paper rasterised, marked with
Pillow as voters mark it (ticks, crosses, filled boxes, pencil, felt tip), then put through
what an office scanner does (skew, scale, noise, JPEG, 1-bit). Used by the tests and by
bench/scan_accuracy.py.
"""

import io
import random
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from ballots.scanning.layout import LEVELS, BallotLayout, Rect

STYLES = ("tick", "cross", "fill", "pencil", "felt")


@dataclass(frozen=True)
class Pen:
    style: str
    width_mm: float
    grey: int  # 0 black … 255 paper


PENS = {
    "tick": Pen("tick", 0.5, 40),
    "cross": Pen("cross", 0.5, 40),
    "fill": Pen("fill", 0.5, 30),
    "pencil": Pen("pencil", 0.4, 115),
    "felt": Pen("felt", 1.1, 20),
}


def rasterise(pdf: bytes, *, dpi: int) -> list[Image.Image]:
    """The pages of one copy of the paper, grey, at `dpi`."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [
            document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            for i in range(len(document))
        ]
    finally:
        document.close()


def _box_px(rect: Rect, dpi: int) -> tuple[float, float, float, float]:
    k = dpi / 25.4
    return rect.x * k, rect.y * k, rect.width * k, rect.height * k


def draw_mark(draw: ImageDraw.ImageDraw, rect: Rect, pen: Pen, *, dpi: int, rng: random.Random):
    """One voter's mark inside a box, a little different every time."""
    x, y, w, h = _box_px(rect, dpi)
    width = max(1, round(pen.width_mm * dpi / 25.4))

    def at(fx: float, fy: float) -> tuple[float, float]:
        return (
            x + w * (fx + rng.uniform(-0.05, 0.05)),
            y + h * (fy + rng.uniform(-0.06, 0.06)),
        )

    if pen.style == "fill":
        draw.polygon([at(0.2, 0.2), at(0.8, 0.18), at(0.82, 0.8), at(0.18, 0.82)], fill=pen.grey)
    elif pen.style in ("tick",) or (pen.style == "pencil" and rng.random() < 0.5):
        draw.line([at(0.3, 0.5), at(0.45, 0.78), at(0.72, 0.22)], fill=pen.grey, width=width)
    else:
        draw.line([at(0.3, 0.22), at(0.7, 0.8)], fill=pen.grey, width=width)
        draw.line([at(0.7, 0.22), at(0.3, 0.8)], fill=pen.grey, width=width)


def mark_pages(
    pages: list[Image.Image],
    layout: BallotLayout,
    marks: dict[int, str],
    *,
    dpi: int,
    rng: random.Random,
    pen: Pen | None = None,
) -> list[Image.Image]:
    """Copies of the clean pages with `marks` ({order: "H"/"M"/"L"/""/"X"}) drawn in. "X"
    marks two or three boxes of the row."""
    marked = [page.copy() for page in pages]
    for page_layout, image in zip(layout.pages, marked, strict=True):
        draw = ImageDraw.Draw(image)
        for row in page_layout.rows:
            value = marks.get(row.order, "")
            if value == "X":
                levels = rng.sample(LEVELS, rng.choice((2, 3)))
            elif value:
                levels = [value]
            else:
                levels = []
            for level in levels:
                draw_mark(draw, row.boxes[level], pen or PENS["tick"], dpi=dpi, rng=rng)
    return marked


def scan(
    image: Image.Image,
    *,
    rng: random.Random,
    skew: float = 0.0,
    scale: float = 1.0,
    noise: float = 0.0,
    bilevel: bool = False,
    upside_down: bool = False,
) -> Image.Image:
    """What the scanner makes of a page: turned by `skew` degrees, scaled, with grey noise,
    then 1-bit (a threshold, as document scanners do) or grey."""
    if upside_down:
        image = image.rotate(180)
    if skew:
        image = image.rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=255, expand=True)
    if scale != 1.0:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.BILINEAR)
    if noise:
        pixels = np.asarray(image, dtype=np.float32)
        pixels = pixels + noise * _noise_field(pixels.shape, rng)
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if bilevel:
        image = image.point(lambda v: 255 if v > 160 else 0).convert("1", dither=Image.Dither.NONE)
    return image


_NOISE = np.random.default_rng(0).standard_normal((3900, 2900), dtype=np.float32)


def _noise_field(shape: tuple[int, ...], rng: random.Random) -> np.ndarray:
    """Unit grey noise of `shape`: a random window of one large field (drawing 9 million
    fresh numbers for every 300 dpi page would be most of the benchmark's time)."""
    h, w = shape
    if h > _NOISE.shape[0] or w > _NOISE.shape[1]:
        return np.random.default_rng(rng.randrange(2**32)).standard_normal(shape, np.float32)
    y, x = rng.randrange(_NOISE.shape[0] - h + 1), rng.randrange(_NOISE.shape[1] - w + 1)
    return _NOISE[y : y + h, x : x + w]


def to_file(images: list[Image.Image], kind: str, *, quality: int = 80, dpi: int = 0) -> bytes:
    """The pages as one file: "pdf", "tiff" (multi-page) or, for one page, "png" or "jpeg".
    A PDF's pages get the size of A4 (from the image's width) unless `dpi` is given."""
    buffer = io.BytesIO()
    if kind == "pdf":
        first = images[0] if images[0].mode == "1" else images[0].convert("L")
        rest = [im if im.mode == "1" else im.convert("L") for im in images[1:]]
        resolution = dpi or round(first.width / (210 / 25.4))
        first.save(buffer, "PDF", save_all=True, append_images=rest, resolution=resolution)
    elif kind == "tiff":
        compression = "group4" if all(im.mode == "1" for im in images) else "tiff_deflate"
        images[0].save(
            buffer, "TIFF", save_all=True, append_images=images[1:], compression=compression
        )
    elif kind == "jpeg":
        images[0].convert("L").save(buffer, "JPEG", quality=quality)
    else:
        images[0].save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_round_trip(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def random_marks(orders: list[int], rng: random.Random) -> dict[int, str]:
    """A voter's choices: mostly high, some medium and low, a few rows left empty or marked
    twice (the mix of bench/common.py)."""
    values = ["H"] * 80 + ["M"] * 12 + ["L"] * 5 + [""] * 2 + ["X"]
    return {order: rng.choice(values) for order in orders}
