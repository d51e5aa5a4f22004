"""Several documents laid out at once (certification): in a worker process, or here when none
can be had; the PDFs are the same bytes either way, and the same as one render_pdf each."""

from concurrent.futures import ProcessPoolExecutor

import pytest

from confidence_vote.lib import pdf
from confidence_vote.lib.pdf import PdfSource, render_pdf, render_pdfs

SOURCES = [
    PdfSource(html="<h1>Biên bản kiểm phiếu</h1><p>Nguyễn Thị Hương: 28 phiếu</p>"),
    PdfSource(html="<h1>Báo cáo kết quả</h1><table><tr><td>Trần Đức Thắng</td></tr></table>"),
    PdfSource(html="<p>Nghị quyết</p>", stylesheet="p { font-weight: bold; }", copies=2),
]


def one_by_one() -> list[bytes]:
    return [render_pdf(s.html, stylesheet=s.stylesheet, copies=s.copies) for s in SOURCES]


def test_a_worker_process_gives_the_same_pdfs(settings):
    settings.DOCUMENT_RENDER_PROCESSES = 1
    # No database in the worker: it gets HTML and CSS only (this test's database is SQLite
    # in memory, which another process could not open anyway).
    assert render_pdfs(SOURCES) == one_by_one()
    assert pdf._render_pool() is not None


def test_without_workers_the_documents_are_rendered_here(settings, monkeypatch):
    settings.DOCUMENT_RENDER_PROCESSES = 0

    def no_pool():
        raise AssertionError("no pool when DOCUMENT_RENDER_PROCESSES is 0")

    monkeypatch.setattr(pdf, "ProcessPoolExecutor", no_pool)
    assert pdf._render_pool() is None
    assert render_pdfs(SOURCES) == one_by_one()


def test_a_pool_that_cannot_take_work_falls_back_to_rendering_here(settings, monkeypatch, caplog):
    settings.DOCUMENT_RENDER_PROCESSES = 1
    closed = ProcessPoolExecutor(max_workers=1)
    closed.shutdown()
    monkeypatch.setattr(pdf, "_render_pool", lambda: closed)
    assert render_pdfs(SOURCES) == one_by_one()
    assert "rendering here" in caplog.text


def test_a_pool_that_cannot_start_falls_back_to_rendering_here(settings, monkeypatch, caplog):
    settings.DOCUMENT_RENDER_PROCESSES = 1

    def cannot_start(*args, **kwargs):
        raise OSError("no more processes")

    monkeypatch.setattr(pdf, "_pool", None)
    monkeypatch.setattr(pdf, "ProcessPoolExecutor", cannot_start)
    assert pdf._render_pool() is None
    assert render_pdfs(SOURCES) == one_by_one()
    assert "cannot be started" in caplog.text


def test_the_collector_is_back_on_after_a_render():
    import gc

    assert gc.isenabled()
    render_pdfs(SOURCES[:1])
    assert gc.isenabled()
    gc.disable()
    try:
        render_pdf("<p>x</p>")
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_copies_below_one_are_refused():
    with pytest.raises(ValueError):
        render_pdfs([PdfSource(html="<p>x</p>", copies=0)])
