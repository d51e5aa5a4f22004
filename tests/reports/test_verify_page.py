"""The public /verify/ page: no login, the verdicts, the fingerprint lookup, the rate limit."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.timezone import localtime

from reports.selectors import tally_for_session
from tests.reports.test_verification import (
    certify,
    one_byte_changed,
    reopen_and_recertify,
    resigned_with_another_certificate,
)

URL = "/verify/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def signing_dir(settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"
    return settings.SIGNING_DIR


def upload(client, content: bytes, url=URL):
    return client.post(url, {"document": SimpleUploadedFile("report.pdf", content)})


def test_the_url_is_public_and_named(db, login):
    assert reverse("verify") == URL
    response = login(None).get(URL)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert "Verify a document" in response.content.decode()
    assert 'name="document"' in response.content.decode()


def test_vietnamese_is_the_default(db):
    response = Client().get(URL)
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


def test_an_authentic_report_shows_only_what_the_document_shows(org, signing_dir, login):
    session, _pdf, signed = certify(org)
    response = upload(login(None), signed)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="authentic"' in html
    assert "Authentic: this document was issued by this system" in html
    assert session.title in html
    assert org.name in html
    assert localtime(session.starts_at).strftime("%d/%m/%Y") in html
    assert "Result report" in html
    # Who certified is not shown: the document does not print it.
    assert "certifier-1-report" not in html


def test_a_superseded_report_names_the_newer_version(org, signing_dir, login):
    session, pdf, old = certify(org)
    reopen_and_recertify(session, pdf)
    html = upload(login(None), old).content.decode()
    assert 'data-status="superseded"' in html
    assert "A newer version 2 exists." in html
    assert session.title in html


def test_one_byte_changed_and_resigned_are_modified(org, signing_dir, login):
    session, pdf, signed = certify(org)
    client = login(None)
    for content in (one_byte_changed(signed), resigned_with_another_certificate(pdf)):
        html = upload(client, content).content.decode()
        assert 'data-status="modified"' in html
        assert "Modified: this file is not the document that was issued." in html
        assert session.title not in html


def test_garbage_is_refused_as_not_a_pdf(db, login):
    # The upload validator decides the type by content: no verdict for what is not a PDF.
    response = upload(login(None), b"\x00\x01 random bytes, not a PDF")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file must be a PDF document; this file is not a PDF." in html
    assert "data-status" not in html


def test_a_pdf_not_issued_here_is_unknown(db, login):
    response = upload(login(None), b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="unknown"' in html
    assert "Unknown: this file was not issued by this system." in html


def test_no_file_is_a_form_error(db, login):
    response = login(None).post(URL, {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert "data-status" not in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(db, login, settings):
    settings.DOSSIER_MAX_BYTES = 1024
    response = upload(login(None), b"%PDF-1.7\n" + b"0" * 2000)
    html = response.content.decode()
    assert "The file is 2.0\xa0KB; at most 1.0\xa0KB is accepted." in html
    assert "data-status" not in html


def test_post_needs_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    response = upload(client, b"%PDF-1.7\n")
    assert response.status_code == 403


def test_other_methods_are_405(db, login):
    assert login(None).put(URL).status_code == 405


def test_rate_limit_is_per_client_address(db, login, settings):
    settings.VERIFY_RATE_LIMIT = 2
    client = login(None)
    assert upload(client, b"garbage").status_code == 200
    assert upload(client, b"garbage").status_code == 200
    response = upload(client, b"garbage")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many checks from your address: at most 2 every 10 minutes." in html
    assert "data-status" not in html
    # Fingerprint lookups count too; the plain form does not.
    assert client.get(URL, {"fp": "0" * 64}).status_code == 429
    assert client.get(URL).status_code == 200
    # Another address has its own allowance.
    other = Client(REMOTE_ADDR="10.0.0.9", headers={"accept-language": "en"})
    assert upload(other, b"garbage").status_code == 200


def test_fingerprint_lookup_says_which_session_and_version(org, signing_dir, login):
    session, pdf, _signed = certify(org)
    fingerprint = tally_for_session(session=session).fingerprint()
    client = login(None)
    html = client.get(URL, {"fp": fingerprint}).content.decode()
    assert "A certified result with this fingerprint exists:" in html
    assert f"{session.title} ({org.name}), version 1." in html
    assert "superseded" not in html.lower()
    reopen_and_recertify(session, pdf)
    html = client.get(URL, {"fp": fingerprint}).content.decode()
    assert "version 2." in html


@pytest.mark.parametrize("fp", ["0" * 64, "abc", "<script>"])
def test_fingerprint_lookup_of_an_unknown_result(db, login, fp):
    response = login(None).get(URL, {"fp": fp})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No certified result with this fingerprint exists." in html
    assert "A certified result" not in html


def test_upload_after_following_the_qr_code_keeps_the_fingerprint(org, signing_dir, login):
    session, _pdf, signed = certify(org)
    fingerprint = tally_for_session(session=session).fingerprint()
    html = upload(login(None), signed, url=f"{URL}?fp={fingerprint}").content.decode()
    assert 'data-status="authentic"' in html
    assert "A certified result with this fingerprint exists:" in html


def test_an_empty_file_is_a_clear_answer(db, login):
    response = upload(login(None), b"")
    assert response.status_code == 200
    assert "data-status" not in response.content.decode()


def test_a_draft_says_draft(org, signing_dir, login):
    from reports.documents import render_document
    from tests.reports.test_documents import seed_session

    session = seed_session(org, close=True)
    html = upload(login(None), render_document(session=session, kind="report")).content.decode()
    assert 'data-status="draft"' in html
    assert "A draft: not an official result." in html


def test_a_scan_says_scan(org, signing_dir, login):
    from tests.reports.test_verification import store

    certified, _pdf, _signed = certify(org)
    scan = b"%PDF-1.4\n% a photo of anything\n%%EOF\n"
    store(certified, scan, kind="paper_minutes")
    html = upload(login(None), scan).content.decode()
    assert 'data-status="scan"' in html
    assert "not vouched for" in html
