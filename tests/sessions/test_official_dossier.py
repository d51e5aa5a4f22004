"""Dossier PDFs: uploaded on the edit page, downloaded through a permission-checked view."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sessions.models import AuditEntry
from tests.factories import make_official, make_session

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
VIETNAMESE_NAME = "Hồ sơ tự kiểm điểm - Nguyễn Văn Trưởng (2023).pdf"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOSSIER_MAX_BYTES = 2048
    return tmp_path


@pytest.fixture
def official(session):
    return make_official(session, full_name="Nguyễn Văn Trưởng", position="Viện trưởng")


def edit_url(official):
    return reverse("vote_sessions:official_edit", args=[official.session_id, official.pk])


def dossier_url(official):
    return reverse("vote_sessions:official_dossier", args=[official.session_id, official.pk])


def upload(official, client, content=PDF, name=VIETNAMESE_NAME, **extra):
    data = {"full_name": official.full_name, "position": official.position, **extra}
    if content is not None:
        data["dossier"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(edit_url(official), data)


def attach(official, name="ho-so.pdf", content=PDF):
    official.dossier.save(f"abc/{name}", ContentFile(content), save=True)
    return official


def test_upload_keeps_the_vietnamese_name(official, secretariat, login, media):
    response = upload(official, login(secretariat))
    assert response.status_code == 302
    official.refresh_from_db()
    stored = Path(official.dossier.name)
    assert stored.name == VIETNAMESE_NAME
    assert official.dossier.name.startswith(f"dossiers/session-{official.session_id}/")
    assert (media / official.dossier.name).read_bytes() == PDF
    entry = AuditEntry.objects.get(action="official.dossier")
    assert entry.data["size"] == len(PDF)
    assert len(entry.data["sha256"]) == 64
    # Nothing else changed, so no "official.update" entry.
    assert not AuditEntry.objects.filter(action="official.update").exists()


def test_download_with_rfc5987_file_name(official, secretariat, leader, counting_member, login):
    upload(official, login(secretariat))
    for user in (secretariat, leader, counting_member):
        response = login(user).get(dossier_url(official))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment; filename*=utf-8''")
        assert "H%E1%BB%93%20s%C6%A1%20t%E1%BB%B1%20ki%E1%BB%83m" in disposition


def test_list_links_to_the_dossier(official, counting_member, login):
    attach(official)
    html = (
        login(counting_member)
        .get(reverse("vote_sessions:officials", args=[official.session_id]))
        .content.decode()
    )
    assert dossier_url(official) in html


def test_not_a_pdf_is_refused(official, secretariat, login, media):
    response = upload(
        official,
        login(secretariat),
        content=b"PK\x03\x04 a zip",
        name="ho-so.pdf",
        full_name="Tên Khác",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["dossier"] == [
        "The file must be a PDF document; this file is not a PDF."
    ]
    official.refresh_from_db()
    # All or nothing: the name in the same request was not saved either.
    assert official.full_name == "Nguyễn Văn Trưởng"
    assert not official.dossier
    assert not any(media.rglob("*.pdf"))
    assert not AuditEntry.objects.exists()


def test_too_large_is_refused(official, secretariat, login, media):
    response = upload(official, login(secretariat), content=PDF.ljust(3 * 1024, b"0"))
    assert response.status_code == 200
    assert response.context["form"].errors["dossier"] == [
        "The file is 3.0\xa0KB; at most 2.0\xa0KB is accepted."
    ]
    official.refresh_from_db()
    assert not official.dossier
    assert not any(media.rglob("*"))


def test_replace_and_remove(
    official, secretariat, login, media, django_capture_on_commit_callbacks
):
    client = login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        upload(official, client, name="cu.pdf")
    official.refresh_from_db()
    old = media / official.dossier.name
    with django_capture_on_commit_callbacks(execute=True):
        upload(official, client, content=PDF + b"%new", name="moi.pdf")
    official.refresh_from_db()
    assert Path(official.dossier.name).name == "moi.pdf"
    assert not old.exists()
    new = media / official.dossier.name
    with django_capture_on_commit_callbacks(execute=True):
        upload(official, client, content=None, remove_dossier="on")
    official.refresh_from_db()
    assert not official.dossier
    assert not new.exists()
    assert AuditEntry.objects.filter(action="official.dossier").count() == 2
    assert AuditEntry.objects.filter(action="official.dossier_remove").count() == 1


def test_no_dossier_is_404(official, secretariat, login):
    assert login(secretariat).get(dossier_url(official)).status_code == 404


def test_missing_file_is_404(official, secretariat, login, media):
    attach(official)
    (media / official.dossier.name).unlink()
    assert login(secretariat).get(dossier_url(official)).status_code == 404


def test_anonymous_is_sent_to_login(official, login):
    attach(official)
    response = login(None).get(dossier_url(official))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_outsider_gets_404(official, outsider, login):
    attach(official)
    assert login(outsider).get(dossier_url(official)).status_code == 404


def test_read_only_roles_cannot_upload(official, leader, login, media):
    assert upload(official, login(leader)).status_code == 403
    official.refresh_from_db()
    assert not official.dossier
    assert not any(media.rglob("*"))


def test_post_on_download_is_not_allowed(official, secretariat, login):
    attach(official)
    assert login(secretariat).post(dossier_url(official)).status_code == 405


def test_locked_session_refuses_upload(org, secretariat, login, media):
    session = make_session(org, status="voting")
    official = make_official(session)
    response = upload(official, login(secretariat))
    assert response.status_code == 200
    assert "Unlock them first, with a reason." in response.content.decode()
    official.refresh_from_db()
    assert not official.dossier
    assert not any(media.rglob("*"))
