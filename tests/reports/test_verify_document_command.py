"""python manage.py verify_document FILE.pdf: exit 0 only for an authentic file; 1 modified,
2 superseded, 3 draft, 4 scan, 5 unknown, 6 unreadable."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.reports.test_verification import (
    certify,
    one_byte_changed,
    reopen_and_recertify,
    resigned_with_another_certificate,
)


@pytest.fixture
def signing_dir(settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"
    return settings.SIGNING_DIR


def verify(path) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("verify_document", str(path), stdout=out)
    return out.getvalue()


def refused(path, status: int) -> str:
    """The command's verdict line for a file that is not authentic, after its exit status."""
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited, translation.override("en"):
        call_command("verify_document", str(path), stdout=io.StringIO(), stderr=err)
    assert exited.value.code == status
    return err.getvalue()


def test_authentic_file_exits_0(org, signing_dir, tmp_path):
    session, _pdf, signed = certify(org)
    path = tmp_path / "report.pdf"
    path.write_bytes(signed)
    out = verify(path)
    assert "AUTHENTIC" in out
    assert f'Result report of session {session.pk} "{session.title}", version 1' in out
    assert "not superseded" in out


def test_one_byte_changed_is_modified(org, signing_dir, tmp_path):
    _session, _pdf, signed = certify(org)
    path = tmp_path / "changed.pdf"
    path.write_bytes(one_byte_changed(signed))
    assert "MODIFIED" in refused(path, 1)


def test_resigned_with_another_certificate_is_modified(org, signing_dir, tmp_path):
    _session, pdf, _signed = certify(org)
    path = tmp_path / "forged.pdf"
    path.write_bytes(resigned_with_another_certificate(pdf))
    assert "MODIFIED" in refused(path, 1)


def test_superseded_version_exits_2(org, signing_dir, tmp_path):
    session, pdf, old = certify(org)
    new = reopen_and_recertify(session, pdf)
    path = tmp_path / "old.pdf"
    path.write_bytes(old)
    message = refused(path, 2)
    assert "SUPERSEDED" in message
    assert "version 1; a newer version 2 exists." in message
    current = tmp_path / "new.pdf"
    current.write_bytes(new)
    assert "version 2; not superseded" in verify(current)


def test_random_bytes_are_unknown(db, tmp_path):
    path = tmp_path / "random.pdf"
    path.write_bytes(bytes(range(256)) * 10)
    assert "UNKNOWN" in refused(path, 5)


def test_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError) as caught, translation.override("en"):
        call_command("verify_document", str(tmp_path / "nowhere.pdf"))
    assert caught.value.returncode == 6
    message = str(caught.value)
    assert "Cannot read" in message
    assert "nowhere.pdf" in message


def test_exit_status_from_the_command_line(org, signing_dir, tmp_path, capsys):
    """run_from_argv: stderr and exit status 5 for a file not from this system."""
    from django.core.management import ManagementUtility

    path = tmp_path / "random.pdf"
    path.write_bytes(b"not a pdf")
    with pytest.raises(SystemExit) as exited, translation.override("en"):
        ManagementUtility(["manage.py", "verify_document", str(path)]).execute()
    assert exited.value.code == 5
    assert "UNKNOWN" in capsys.readouterr().err


def test_an_unsigned_draft_is_a_draft_not_modified(org, signing_dir, tmp_path):
    from reports.documents import render_document
    from tests.reports.test_documents import seed_session

    session = seed_session(org, close=True)
    path = tmp_path / "draft.pdf"
    path.write_bytes(render_document(session=session, kind="minutes"))
    assert "DRAFT" in refused(path, 3)


def test_an_uploaded_scan_is_never_authentic(org, signing_dir, tmp_path):
    from tests.reports.test_verification import store

    session, _pdf, _signed = certify(org)
    scan = b"%PDF-1.4\n% anything at all, uploaded by the chair\n%%EOF\n"
    store(session, scan, kind="paper_minutes")
    path = tmp_path / "scan.pdf"
    path.write_bytes(scan)
    message = refused(path, 4)
    assert "SCAN" in message and "not vouched for" in message
