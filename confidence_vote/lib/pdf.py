"""HTML to PDF with WeasyPrint, in the bundled serif font and nothing else.

The font family has a name of our own ("CV Serif") so it can only come from the bundled
files: a machine without Liberation Serif installed prints the same document as one with it.
"""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

FONT_FAMILY = "CV Serif"
# (weight, style) -> the bundled file, as a static path.
FONT_FILES = {
    ("normal", "normal"): "fonts/liberation-serif/LiberationSerif-Regular.ttf",
    ("bold", "normal"): "fonts/liberation-serif/LiberationSerif-Bold.ttf",
    ("normal", "italic"): "fonts/liberation-serif/LiberationSerif-Italic.ttf",
    ("bold", "italic"): "fonts/liberation-serif/LiberationSerif-BoldItalic.ttf",
}


def static_file_uri(path: str) -> str:
    """The absolute file:// URL of a static file; LookupError when it is missing."""
    found = finders.find(path)
    if not found:
        raise LookupError(f"static file not found: {path}")
    return Path(found).resolve().as_uri()


@cache
def font_face_css() -> str:
    """@font-face rules for FONT_FAMILY, one per bundled file."""
    rules = [
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{static_file_uri(path)}"); }}'
        for (weight, style), path in FONT_FILES.items()
    ]
    return "\n".join(rules)


def render_pdf(html: str, *, stylesheet: str = "", copies: int = 1) -> bytes:
    """The PDF bytes of an HTML document.

    `stylesheet` is CSS text added after the fonts. With `copies` > 1 the document is laid
    out and drawn once, and the PDF gets further pages that share the first copy's content
    streams (a whole copy after another): 500 ballot papers cost one render, not 500.
    """
    if copies < 1:
        raise ValueError("copies must be at least 1")
    return write_pdf(layout_document(html, stylesheet=stylesheet), copies=copies)


def layout_document(html: str, *, stylesheet: str = ""):
    """The laid-out WeasyPrint document, for callers that read where things landed
    (`document.pages[i]._page_box`) before writing the PDF with `write_pdf`."""
    font_config = FontConfiguration()
    css = CSS(string=font_face_css() + "\n" + stylesheet, font_config=font_config)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[css], font_config=font_config
    )


def write_pdf(document, *, copies: int = 1) -> bytes:
    """The PDF bytes of a laid-out document, with `copies` copies of every page."""
    if copies < 1:
        raise ValueError("copies must be at least 1")
    return document.write_pdf(finisher=_repeat_pages(copies) if copies > 1 else None)


def _repeat_pages(copies: int):
    """A WeasyPrint finisher that appends `copies - 1` more copies of every page.

    Each new page is a new page object (the page tree stays a tree) pointing at the same
    content stream and resources as the original, so the file barely grows. For documents
    without links or annotations (the ballot paper).
    """

    def finisher(_document, pdf) -> None:
        kids = pdf.pages["Kids"]
        # Kids holds "number 0 R" triples.
        originals = [pdf.objects[kids[i]] for i in range(0, len(kids), 3)]
        for _copy in range(copies - 1):
            for page in originals:
                pdf.add_page(type(page)(page))

    return finisher


# --- measuring text in the bundled face, for lines the documents break themselves ---------


@cache
def _metrics(bold: bool) -> tuple[dict[int, str], dict[str, int], int]:
    from fontTools.ttLib import TTFont

    path = finders.find(FONT_FILES[("bold" if bold else "normal", "normal")])
    font = TTFont(path, lazy=True)
    widths = {name: advance for name, (advance, _lsb) in font["hmtx"].metrics.items()}
    return dict(font.getBestCmap()), widths, font["head"].unitsPerEm


def text_width_mm(text: str, *, size_pt: float, bold: bool = False) -> float:
    """The width of one line of text in the bundled serif, in millimetres."""
    cmap, widths, units = _metrics(bold)
    fallback = cmap.get(ord("?"), "")
    total = sum(widths.get(cmap.get(ord(char), fallback), 0) for char in text)
    return total / units * size_pt * 25.4 / 72


def balanced_lines(text: str, *, width_mm: float, size_pt: float, bold: bool = False) -> list[str]:
    """`text` broken at spaces into the fewest lines that each fit `width_mm`, as even as
    possible, so no line is left with one short word ("…TỐI / CAO"). A word wider than the
    width stays on a line of its own."""
    words = text.split()
    if not words:
        return []
    count = len(words)

    def width(i: int, j: int) -> float:
        return text_width_mm(" ".join(words[i:j]), size_pt=size_pt, bold=bold)

    # best[i] = (lines, widest line, breaks) for words[i:], fewest lines first, then the
    # narrowest widest line: a line too wide is allowed only for a lone word.
    best: list[tuple[int, float, list[int]]] = [(0, 0.0, [])] * (count + 1)
    for i in range(count - 1, -1, -1):
        options = []
        for j in range(i + 1, count + 1):
            line = width(i, j)
            if line > width_mm and j > i + 1:
                break
            rest_lines, rest_widest, rest_breaks = best[j]
            options.append((rest_lines + 1, max(line, rest_widest), [j, *rest_breaks]))
        best[i] = min(options, key=lambda option: (option[0], option[1]))
    lines, start = [], 0
    for end in best[0][2]:
        lines.append(" ".join(words[start:end]))
        start = end
    return lines
