"""python manage.py verify_document FILE.pdf: exit 0 only for an authentic file."""

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


def refused(path) -> CommandError:
    with pytest.raises(CommandError) as caught, translation.override("en"):
        call_command("verify_document", str(path), stdout=io.StringIO())
    assert caught.value.returncode == 1
    return caught.value


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
    assert "MODIFIED" in str(refused(path))


def test_resigned_with_another_certificate_is_modified(org, signing_dir, tmp_path):
    _session, pdf, _signed = certify(org)
    path = tmp_path / "forged.pdf"
    path.write_bytes(resigned_with_another_certificate(pdf))
    assert "MODIFIED" in str(refused(path))


def test_superseded_version_exits_1(org, signing_dir, tmp_path):
    session, pdf, old = certify(org)
    new = reopen_and_recertify(session, pdf)
    path = tmp_path / "old.pdf"
    path.write_bytes(old)
    message = str(refused(path))
    assert "SUPERSEDED" in message
    assert "version 1; a newer version 2 exists." in message
    current = tmp_path / "new.pdf"
    current.write_bytes(new)
    assert "version 2; not superseded" in verify(current)


def test_random_bytes_are_unknown(db, tmp_path):
    path = tmp_path / "random.pdf"
    path.write_bytes(bytes(range(256)) * 10)
    assert "UNKNOWN" in str(refused(path))


def test_missing_file_is_a_clear_error(db, tmp_path):
    message = str(refused(tmp_path / "nowhere.pdf"))
    assert "Cannot read" in message
    assert "nowhere.pdf" in message


def test_exit_status_from_the_command_line(org, signing_dir, tmp_path, capsys):
    """run_from_argv: stderr and exit status 1 for a non-authentic file."""
    from django.core.management import ManagementUtility

    path = tmp_path / "random.pdf"
    path.write_bytes(b"not a pdf")
    with pytest.raises(SystemExit) as exited, translation.override("en"):
        ManagementUtility(["manage.py", "verify_document", str(path)]).execute()
    assert exited.value.code == 1
    assert "UNKNOWN" in capsys.readouterr().err
