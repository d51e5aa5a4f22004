"""HTML to PDF with WeasyPrint, in the bundled serif font and nothing else.

The font family has a name of our own ("CV Serif") so it can only come from the bundled
files: a machine without Liberation Serif installed prints the same document as one with it.
"""

import gc
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

logger = logging.getLogger(__name__)

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
    with _collector_paused():
        return write_pdf(layout_document(html, stylesheet=stylesheet), copies=copies)


def layout_document(html: str, *, stylesheet: str = ""):
    """The laid-out WeasyPrint document, for callers that read where things landed
    (`document.pages[i]._page_box`) before writing the PDF with `write_pdf`."""
    return _layout(html, css=_full_css(stylesheet), base_url=str(settings.BASE_DIR))


def _full_css(stylesheet: str) -> str:
    return font_face_css() + "\n" + stylesheet


def _layout(html: str, *, css: str, base_url: str):
    """WeasyPrint's layout of `html` with the whole of its CSS: no Django here, so a worker
    process without settings can run it."""
    font_config = FontConfiguration()
    stylesheet = CSS(string=css, font_config=font_config)
    return HTML(string=html, base_url=base_url).render(
        stylesheets=[stylesheet], font_config=font_config
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


# --- several documents at once, in worker processes ----------------------------------------


@dataclass(frozen=True)
class PdfSource:
    """What render_pdfs lays out: the HTML, the CSS added after the fonts, the copies."""

    html: str
    stylesheet: str = ""
    copies: int = 1


@dataclass
class _Workers:
    """This process's pool of PDF workers (by process id: a pool does not survive a fork);
    `ready` once each has laid out a first document (WeasyPrint and the fonts loaded)."""

    pid: int
    pool: ProcessPoolExecutor
    ready: threading.Event = field(default_factory=threading.Event)


_workers: _Workers | None = None
_workers_lock = threading.Lock()
# Processes whose workers are being started in the background.
_warming: set[int] = set()
# A worker is replaced after this many documents (WeasyPrint's caches stay bounded).
WORKER_MAX_DOCUMENTS = 200
WARM_UP_HTML = "<p>Biên bản kiểm phiếu</p>"


def render_pdfs(sources: Sequence[PdfSource]) -> list[bytes]:
    """The PDFs of several documents, in their order, each exactly as render_pdf makes it.

    Laying out a document is CPU-bound Python; to use a free core, the documents after the
    first go to worker processes (settings.DOCUMENT_RENDER_PROCESSES of them, kept) while
    this process lays out the first. The workers get plain HTML and CSS and never touch the
    database. When no core is free (_core_free), until the workers are ready (the first call
    starts them in the background, as does the sign-off page), with none configured, or when
    they cannot be started or die, the documents are rendered here, one after the other (a
    failure is logged).

    Workers are started with multiprocessing's "forkserver" method: like any program using
    it, a script that calls this must keep its top level under `if __name__ == "__main__":`
    (manage.py, gunicorn and pytest do)."""
    jobs = [(source.html, _full_css(source.stylesheet), source.copies) for source in sources]
    base_url = str(settings.BASE_DIR)
    futures: list[Future | None] = [None] * len(jobs)
    workers = _ready_workers() if len(jobs) > 1 else None
    if workers is not None:
        try:
            for index, (html, css, copies) in enumerate(jobs[1:], start=1):
                futures[index] = workers.pool.submit(_render_job, html, css, base_url, copies)
        except (BrokenProcessPool, RuntimeError, OSError):
            logger.warning("PDF worker processes unavailable; rendering here", exc_info=True)
            _drop_workers(workers)
    results = []
    for (html, css, copies), future in zip(jobs, futures, strict=True):
        if future is not None:
            try:
                results.append(future.result())
                continue
            except BrokenProcessPool:
                logger.warning("a PDF worker process died; rendering here", exc_info=True)
                _drop_workers(workers)
        with _collector_paused():
            results.append(_render_job(html, css, base_url, copies))
    return results


def _render_job(html: str, css: str, base_url: str, copies: int) -> bytes:
    return write_pdf(_layout(html, css=css, base_url=base_url), copies=copies)


_paused = 0
_paused_lock = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a document is laid out here: a layout
    makes hundreds of thousands of small objects, and each collection they set off walks the
    whole of a web process's memory (a quarter of a layout's time, measured). The garbage is
    collected once the collector is back on."""
    global _paused
    with _paused_lock:
        was_off = _paused == 0 and not gc.isenabled()
        if not was_off:
            _paused += 1
            gc.disable()
    try:
        yield
    finally:
        if not was_off:
            with _paused_lock:
                _paused -= 1
                if _paused == 0:
                    gc.enable()


def _ready_workers() -> _Workers | None:
    """The workers if a core is free for them and they are ready; else None (having them
    started in the background when a core is free)."""
    if not _core_free():
        return None
    workers = _workers_get()
    if workers is None or workers.ready.is_set():
        return workers
    render_pool_start_soon()
    return None


def _core_free() -> bool:
    """Whether the machine has a core to spare: its load over the last minute is below its
    number of cores less one. A second process only helps then: on a busy machine the two
    layouts share the same CPU time and take longer than one after the other (measured,
    docs/performance.md)."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        return False
    return load < (os.cpu_count() or 1) - 1


def _workers_get() -> _Workers | None:
    """This process's PDF workers, the pool made on first use (its processes start with
    their first job); None when none are wanted or they cannot be had."""
    global _workers
    count = getattr(settings, "DOCUMENT_RENDER_PROCESSES", 0)
    if count < 1:
        return None
    with _workers_lock:
        if _workers is None or _workers.pid != os.getpid():
            try:
                # forkserver: the workers are forked from a small fresh process (WeasyPrint
                # and this module preloaded, when importable from its working directory),
                # never from this one with its threads, database connections and open files.
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["weasyprint", __name__])
                pool = ProcessPoolExecutor(
                    max_workers=count,
                    mp_context=context,
                    initializer=_worker_start,
                    max_tasks_per_child=WORKER_MAX_DOCUMENTS,
                )
            except (OSError, ValueError, RuntimeError):
                logger.warning("PDF worker processes cannot be started", exc_info=True)
                return None
            _workers = _Workers(pid=os.getpid(), pool=pool)
        return _workers


def _drop_workers(workers: _Workers | None) -> None:
    """Forget broken workers (the next certification starts new ones)."""
    global _workers
    with _workers_lock:
        if workers is not None and _workers is workers:
            _workers = None
        _warming.discard(os.getpid())
    if workers is not None:
        workers.pool.shutdown(wait=False, cancel_futures=True)


# The worker's collector runs after this many new objects (Python: 700): a layout makes
# hundreds of thousands, few of them garbage before the layout ends (measured: 10 % less CPU
# a document, 5 MB more memory).
WORKER_GC_THRESHOLD = (20_000, 50, 100)


def _worker_start() -> None:
    # What the worker has imported stays for its life: the collector need not walk it again.
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLD)


def render_pool_start_soon() -> None:
    """render_pool_start in a background thread, once per process (the sign-off page calls
    it when the chair may certify, render_pdfs when it finds the workers not ready yet)."""
    if getattr(settings, "DOCUMENT_RENDER_PROCESSES", 0) < 1 or not _core_free():
        return
    with _workers_lock:
        if os.getpid() in _warming:
            return
        _warming.add(os.getpid())
    threading.Thread(target=render_pool_start, name="pdf-workers-start", daemon=True).start()


def render_pool_start() -> None:
    """Start the PDF workers and have each lay out a line in the bundled font, then mark them
    ready. Blocks until then (a second or two; more on a busy machine): call it from a
    background thread. Does nothing when no workers are configured."""
    workers = _workers_get()
    if workers is None:
        return
    css, base_url = _full_css(""), str(settings.BASE_DIR)
    try:
        futures = [
            workers.pool.submit(_render_job, WARM_UP_HTML, css, base_url, 1)
            for _ in range(settings.DOCUMENT_RENDER_PROCESSES)
        ]
        for future in futures:
            future.result()
    except (BrokenProcessPool, RuntimeError, OSError):
        logger.warning("PDF worker processes unavailable", exc_info=True)
        _drop_workers(workers)
        return
    workers.ready.set()


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
