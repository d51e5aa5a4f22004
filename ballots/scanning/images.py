"""The pages of a scan file as grey images: a multi-page PDF (rasterised with pypdfium2), a
TIFF (one page per frame), a JPEG or a PNG; 1-bit, grey or colour.

Pages come one at a time, so a 500-page PDF never sits in memory decoded.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
from django.utils.translation import gettext as _
from PIL import Image, ImageSequence

# A scanned PDF's page is rasterised with this many pixels on its longer side: 190 dpi for an
# A4 page (about 7.5 pixels a millimetre, what the reader works at), enough for the code, the
# marks and pencil in the boxes, whatever page size the scanner wrote into the PDF.
PDF_LONG_SIDE = 2220
# More pages than this in one file is not a pile of ballots; refuse the rest clearly.
MAX_PAGES = 2000
# An A4 page at 600 dpi is 35 million pixels; anything larger is not a scan of a ballot.
MAX_PIXELS = 40_000_000


@dataclass
class SourcePage:
    """One page of a file: its position in the file (from 1) and its grey pixels, or why it
    cannot be read."""

    index: int
    image: np.ndarray | None
    problem: str = ""


class ScanFileError(Exception):
    """The file as a whole cannot be read; the message names it."""


def page_count(content: bytes) -> int:
    """How many pages the file holds, as far as a quick look tells (0: unknown), for a
    progress bar; the reading itself decides what each page is."""
    try:
        if content[:5] == b"%PDF-":
            document = pdfium.PdfDocument(content)
            try:
                return min(len(document), MAX_PAGES)
            finally:
                document.close()
        with Image.open(io.BytesIO(content)) as picture:
            frames = getattr(picture, "n_frames", 1) if picture.format == "TIFF" else 1
            return min(int(frames), MAX_PAGES)
    except Exception:  # noqa: BLE001 - untrusted bytes: the reading reports the problem
        return 0


def iter_pages(content: bytes, *, name: str) -> Iterator[SourcePage]:
    if content[:5] == b"%PDF-":
        yield from _pdf_pages(content, name=name)
    else:
        yield from _image_pages(content, name=name)


def _pdf_pages(content: bytes, *, name: str) -> Iterator[SourcePage]:
    try:
        document = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        raise ScanFileError(
            _("%(file)s is not a readable PDF (%(error)s).") % {"file": name, "error": exc}
        ) from None
    try:
        count = len(document)
        for index in range(count):
            if index >= MAX_PAGES:
                yield SourcePage(index + 1, None, _too_many_pages(name))
                return
            try:
                page = document[index]
                width, height = page.get_size()
                scale = PDF_LONG_SIDE / max(width, height, 1)
                bitmap = page.render(scale=scale, grayscale=True)
                array = bitmap.to_numpy()
                image = np.ascontiguousarray(
                    array.reshape(array.shape[0], array.shape[1], -1)[..., 0]
                )
                bitmap.close()
                page.close()
            except Exception as exc:  # noqa: BLE001 - a damaged page of untrusted bytes
                yield SourcePage(index + 1, None, _("the page cannot be drawn (%s)") % exc)
                continue
            yield SourcePage(index + 1, image)
    finally:
        document.close()


def _image_pages(content: bytes, *, name: str) -> Iterator[SourcePage]:
    try:
        picture = Image.open(io.BytesIO(content))
        picture_format = picture.format
    except Exception:  # noqa: BLE001 - any failure to decode untrusted bytes: not readable
        raise ScanFileError(
            _("%(file)s is not a PDF, TIFF, JPEG or PNG file that can be read.") % {"file": name}
        ) from None
    if picture_format not in ("TIFF", "JPEG", "PNG", "MPO"):
        raise ScanFileError(
            _("%(file)s is a %(format)s image: scans are read from PDF, TIFF, JPEG or PNG.")
            % {"file": name, "format": picture_format}
        )
    index = 0
    frames = ImageSequence.Iterator(picture)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - a damaged frame of untrusted bytes
            yield SourcePage(index + 1, None, _("the page cannot be decoded (%s)") % exc)
            return
        index += 1
        if index > MAX_PAGES:
            yield SourcePage(index, None, _too_many_pages(name))
            return
        try:
            if frame.width * frame.height > MAX_PIXELS:
                yield SourcePage(index, None, _("the image is too large for a scanned page"))
                continue
            yield SourcePage(index, np.asarray(frame.convert("L")))
        except Exception as exc:  # noqa: BLE001 - a damaged frame of untrusted bytes
            yield SourcePage(index, None, _("the page cannot be decoded (%s)") % exc)
        if picture_format != "TIFF":
            return


def _too_many_pages(name: str) -> str:
    return _("%(file)s has more than %(max)d pages: split it into several files.") % {
        "file": name,
        "max": MAX_PAGES,
    }
