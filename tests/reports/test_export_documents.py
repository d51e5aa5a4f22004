"""manage.py export_documents SESSION_ID -o DIR: the current signed PDFs, under their names."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from reports.models import DocumentKind, SignedDocument
from reports.services import paper_minutes_upload, result_reopen
from tests.reports import test_certify_views as certification

# Fixtures shared with the sign-off views' tests.
certified = certification.certified
chair = certification.chair
counted = certification.counted
signing_dir = certification.signing_dir


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def export(session_id, folder) -> str:
    out = StringIO()
    call_command("export_documents", str(session_id), "-o", str(folder), stdout=out)
    return out.getvalue()


def test_writes_the_current_signed_pdfs(certified, tmp_path):
    folder = tmp_path / "xuat" / "tai-lieu"
    output = export(certified.pk, folder)
    documents = SignedDocument.objects.filter(session=certified)
    assert documents.count() == 2
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted(documents.values_list("file_name", flat=True))
    for document in documents:
        assert (folder / document.file_name).read_bytes() == bytes(document.content)
        assert document.sha256 in output


def test_includes_the_paper_minutes(certified, chair, tmp_path):
    scan = b"%PDF-1.4\n% scan\n%%EOF\n"
    paper_minutes_upload(user=chair, session=certified, content=scan, file_name="Bản quét.pdf")
    folder = tmp_path / "out"
    export(certified.pk, folder)
    assert (folder / "Bản quét.pdf").read_bytes() == scan
    assert len(list(folder.iterdir())) == 3


def test_superseded_documents_are_not_exported(certified, chair, tmp_path):
    result_reopen(user=chair, session=certified, reason="Sửa phiếu")
    with pytest.raises(CommandError, match="has no certified documents"):
        export(certified.pk, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_session_without_certified_documents(counted, tmp_path):
    with pytest.raises(CommandError, match=f"Session {counted.pk} has no certified documents"):
        export(counted.pk, tmp_path)
    assert not SignedDocument.objects.filter(kind=DocumentKind.MINUTES).exists()


def test_unknown_session(db, tmp_path):
    with pytest.raises(CommandError, match="No session with id 987654"):
        export(987654, tmp_path)
