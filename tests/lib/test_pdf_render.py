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


@pytest.fixture
def no_workers_yet(monkeypatch):
    # Each test starts from a process without workers (and puts the real ones back after),
    # on a machine with a core to spare whatever its load.
    monkeypatch.setattr(pdf, "_workers", None)
    monkeypatch.setattr(pdf, "_warming", set())
    monkeypatch.setattr(pdf, "_core_free", lambda: True)


def test_a_worker_process_gives_the_same_pdfs(settings, no_workers_yet):
    settings.DOCUMENT_RENDER_PROCESSES = 1
    pdf.render_pool_start()
    workers = pdf._workers_get()
    assert workers is not None and workers.ready.is_set()
    submitted = []
    real_submit = workers.pool.submit

    def submit(function, *args):
        submitted.append(args[0])
        return real_submit(function, *args)

    workers.pool.submit = submit  # type: ignore[method-assign]
    try:
        # No database in the worker: it gets HTML and CSS only (this test's database is
        # SQLite in memory, which another process could not open anyway).
        assert render_pdfs(SOURCES) == one_by_one()
    finally:
        pdf._drop_workers(workers)
    # The first document laid out here, the others in the worker.
    assert submitted == [source.html for source in SOURCES[1:]]


def test_workers_not_ready_yet_are_started_and_the_documents_rendered_here(
    settings, no_workers_yet, monkeypatch
):
    settings.DOCUMENT_RENDER_PROCESSES = 1
    started = []
    monkeypatch.setattr(pdf, "render_pool_start", lambda: started.append(True))
    monkeypatch.setattr(pdf.threading, "Thread", _RunAtOnce)
    assert render_pdfs(SOURCES) == one_by_one()
    assert started == [True]
    # Once per process.
    render_pdfs(SOURCES[:2])
    assert started == [True]
    pdf._drop_workers(pdf._workers)


class _RunAtOnce:
    def __init__(self, *, target, **kwargs):
        self.target = target

    def start(self):
        self.target()


def test_on_a_busy_machine_the_documents_are_rendered_here(settings, no_workers_yet, monkeypatch):
    settings.DOCUMENT_RENDER_PROCESSES = 1
    monkeypatch.setattr(pdf, "_core_free", lambda: False)

    def no_pool(*args, **kwargs):
        raise AssertionError("no workers started on a busy machine")

    monkeypatch.setattr(pdf, "ProcessPoolExecutor", no_pool)
    pdf.render_pool_start_soon()
    assert render_pdfs(SOURCES) == one_by_one()


def test_a_core_is_free_below_the_cores_less_one(monkeypatch):
    monkeypatch.setattr(pdf.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(pdf.os, "getloadavg", lambda: (0.4, 2.0, 3.0))
    assert pdf._core_free()
    monkeypatch.setattr(pdf.os, "getloadavg", lambda: (1.2, 0.1, 0.1))
    assert not pdf._core_free()
    monkeypatch.setattr(pdf.os, "cpu_count", lambda: 1)
    monkeypatch.setattr(pdf.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert not pdf._core_free()


def test_without_workers_the_documents_are_rendered_here(settings, no_workers_yet, monkeypatch):
    settings.DOCUMENT_RENDER_PROCESSES = 0

    def no_pool():
        raise AssertionError("no pool when DOCUMENT_RENDER_PROCESSES is 0")

    monkeypatch.setattr(pdf, "ProcessPoolExecutor", no_pool)
    assert pdf._workers_get() is None
    pdf.render_pool_start_soon()
    assert render_pdfs(SOURCES) == one_by_one()


def test_workers_that_cannot_take_work_fall_back_to_rendering_here(
    settings, no_workers_yet, monkeypatch, caplog
):
    settings.DOCUMENT_RENDER_PROCESSES = 1
    closed = ProcessPoolExecutor(max_workers=1)
    closed.shutdown()
    broken = pdf._Workers(pid=0, pool=closed)
    broken.ready.set()
    monkeypatch.setattr(pdf, "_workers_get", lambda: broken)
    assert render_pdfs(SOURCES) == one_by_one()
    assert "rendering here" in caplog.text


def test_workers_that_cannot_start_fall_back_to_rendering_here(
    settings, no_workers_yet, monkeypatch, caplog
):
    settings.DOCUMENT_RENDER_PROCESSES = 1

    def cannot_start(*args, **kwargs):
        raise OSError("no more processes")

    monkeypatch.setattr(pdf, "ProcessPoolExecutor", cannot_start)
    assert pdf._workers_get() is None
    pdf.render_pool_start()
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
