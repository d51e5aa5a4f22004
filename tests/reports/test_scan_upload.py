"""Uploading a scan file in the browser: checked, queued, read outside the request (here in
the caller's thread: SCAN_WORKER_SYNC), its progress followed on a page and a JSON answer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ballots.models import Ballot, ScanBatch, ScanBatchStatus, ScannedBallot, ScanStatus
from ballots.scanning.reader import prepare_template, read_file
from ballots.services import ballot_record
from reports.documents import ballot_layout
from sessions.models import Role, SessionStatus, VoteSession
from tests.ballots import entry, make_chair_user, make_counting_session
from tests.factories import make_user
from tests.scanning.held import scanned_pile

TRUTHS = [
    {1: "H", 2: "M", 3: "L", 4: "", 5: "H"},
    {1: "M", 2: "M", 3: "H", 4: "X", 5: "L"},
    {1: "L", 2: "H", 3: "H", 4: "M", 5: "H"},
]
LETTERS = {"high": "H", "medium": "M", "low": "L", "none": "", "several": "X"}


@pytest.fixture(autouse=True)
def _sync_worker(settings, tmp_path):
    settings.SCAN_WORKER_SYNC = True
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def chair(org):
    return make_chair_user(org)


@pytest.fixture
def typist2(org):
    return make_user("nhap-2", organization=org, roles=[Role.COUNTING])


@pytest.fixture
def counting(org, chair, counting_member, typist2):
    return make_counting_session(org, chair=chair, members=[counting_member, typist2])


@pytest.fixture
def scan_file(counting):
    layout, pdf = ballot_layout(session=counting)
    return scanned_pile(pdf, layout, TRUTHS, doubtful=(1,))


def upload_url(session):
    return f"/sessions/{session.pk}/count/scans/upload/"


def upload(client, session, content, name="may-quet.pdf", entry_pass=1):
    return client.post(
        upload_url(session),
        {"entry_pass": entry_pass, "file": SimpleUploadedFile(name, content)},
    )


def test_upload_reads_the_file_and_shows_the_result(login, counting, counting_member, scan_file):
    client = login(counting_member)
    response = upload(client, counting, scan_file)
    batch = ScanBatch.objects.get(session=counting)
    assert response.status_code == 302
    assert response.url == f"/sessions/{counting.pk}/count/scans/{batch.pk}/"
    assert batch.status == ScanBatchStatus.DONE
    assert (batch.pages, batch.pages_done, batch.pages_total) == (3, 3, 3)
    assert (batch.saved, batch.held, batch.imported_by) == (2, 1, counting_member)
    assert batch.layout["fingerprint"] == batch.fingerprint
    assert [r["status"] for r in batch.result["readings"]] == ["saved", "held", "saved"]
    # Saved ballots are exactly what was marked; the doubtful one is held, not counted.
    stored = {}
    for ballot in Ballot.objects.filter(session=counting, entry_pass=1):
        stored[ballot.number] = {
            order: LETTERS[value]
            for order, value in ballot.marks.values_list("official__order", "value")
        }
    assert stored == {1: TRUTHS[0], 3: TRUTHS[2]}
    held = ScannedBallot.objects.get(session=counting, status=ScanStatus.HELD)
    assert held.number == 2

    page = client.get(response.url).content.decode()
    assert 'data-testid="scan-done"' in page
    assert "2 ballots read with certainty and entered." in page
    assert "1 ballot held for review." in page
    assert f'href="/sessions/{counting.pk}/count/pass/1/held/"' in page
    assert "js/scan-progress.js" not in page  # finished: nothing to poll

    state = client.get(f"{response.url}progress.json").json()
    assert state["status"] == "done" and state["finished"] is True
    assert (state["saved"], state["held"], state["percent"]) == (2, 1, 100)
    assert state["held_url"] == f"/sessions/{counting.pk}/count/pass/1/held/"


def test_reading_reports_progress_after_every_page(counting, scan_file):
    layout, pdf = ballot_layout(session=counting)
    calls = []
    read_file(
        scan_file,
        name="a.pdf",
        template=prepare_template(layout, pdf),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_progress_page_polls_while_the_batch_is_read(login, counting, counting_member):
    batch = ScanBatch.objects.create(
        session=counting,
        entry_pass=1,
        file_name="lon.pdf",
        sha256="c" * 64,
        fingerprint="",
        status=ScanBatchStatus.READING,
        pages_done=3,
        pages_total=12,
        imported_by=counting_member,
    )
    client = login(counting_member)
    page = client.get(f"/sessions/{counting.pk}/count/scans/{batch.pk}/").content.decode()
    assert "js/scan-progress.js" in page
    assert 'value="25"' in page and "3 of 12 pages read" in page
    assert f'data-url="/sessions/{counting.pk}/count/scans/{batch.pk}/progress.json"' in page
    state = client.get(f"/sessions/{counting.pk}/count/scans/{batch.pk}/progress.json").json()
    assert (state["status"], state["finished"], state["percent"]) == ("reading", False, 25)


def test_a_file_that_is_not_a_scan_is_refused(login, counting, counting_member):
    response = upload(login(counting_member), counting, b"ballot,1,2\n1,H,H\n", name="a.csv")
    assert response.status_code == 200
    assert "A scan must be a PDF, TIFF, JPEG or PNG file" in response.content.decode()
    assert not ScanBatch.objects.exists()


def test_a_file_too_large_is_refused(login, counting, counting_member, settings, scan_file):
    settings.SCAN_MAX_BYTES = 1024
    response = upload(login(counting_member), counting, scan_file)
    assert response.status_code == 200
    assert "at most 1.0\xa0KB is accepted" in response.content.decode()
    assert not ScanBatch.objects.exists()


def test_the_same_file_twice_is_refused_at_once(login, counting, counting_member, scan_file):
    client = login(counting_member)
    upload(client, counting, scan_file)
    response = upload(client, counting, scan_file, name="lan-2.pdf")
    assert response.status_code == 200
    assert "This file was already imported into pass 1 (as may-quet.pdf)" in (
        response.content.decode()
    )
    assert ScanBatch.objects.count() == 1
    assert Ballot.objects.count() == 2


def test_a_file_with_no_ballot_fails_and_may_be_sent_again(
    login, counting, counting_member, scan_file
):
    from PIL import Image

    from tests.scanning.synthetic import to_file

    blank = to_file([Image.new("L", (1240, 1754), 255)], "pdf")
    client = login(counting_member)
    response = upload(client, counting, blank, name="trang.pdf")
    batch = ScanBatch.objects.get()
    assert batch.status == ScanBatchStatus.FAILED
    assert "No ballot could be read from trang.pdf" in batch.error
    page = client.get(response.url).content.decode()
    assert 'data-testid="scan-failed"' in page and "Nothing was saved from this file." in page
    assert not Ballot.objects.exists() and not ScannedBallot.objects.exists()
    # A failed file saved nothing: sending it again is allowed (and fails again, honestly).
    assert upload(client, counting, blank, name="trang.pdf").status_code == 302
    assert ScanBatch.objects.filter(status=ScanBatchStatus.FAILED).count() == 2


def test_the_other_passs_typist_cannot_upload_into_pass_1(login, counting, typist2, scan_file):
    ballot_record(user=typist2, session=counting, entry_pass=2, entry=entry(1))
    with translation.override("en"):
        response = upload(login(typist2), counting, scan_file, entry_pass=1)
    assert response.status_code == 200
    assert "You entered ballots in pass 2" in response.content.decode()
    assert not ScanBatch.objects.exists()


def test_upload_closed_when_the_count_is_not_open(login, counting, counting_member, scan_file):
    VoteSession.objects.filter(pk=counting.pk).update(status=SessionStatus.COUNTED)
    client = login(counting_member)
    assert 'data-testid="upload-closed"' in client.get(upload_url(counting)).content.decode()
    upload(client, counting, scan_file)
    assert not ScanBatch.objects.exists()


def test_count_page_links_the_upload_for_a_typist(login, counting, counting_member, chair):
    url = f"/sessions/{counting.pk}/count/"
    assert 'data-testid="scan-upload-link"' in login(counting_member).get(url).content.decode()
    assert 'data-testid="scan-upload-link"' not in login(chair).get(url).content.decode()


# --- permissions ----------------------------------------------------------------------------


@pytest.fixture
def batch(counting, counting_member):
    return ScanBatch.objects.create(
        session=counting,
        entry_pass=1,
        file_name="a.pdf",
        sha256="d" * 64,
        fingerprint="",
        status=ScanBatchStatus.QUEUED,
        imported_by=counting_member,
    )


def urls(session, batch):
    base = f"/sessions/{session.pk}/count/scans/"
    return [base + "upload/", f"{base}{batch.pk}/", f"{base}{batch.pk}/progress.json"]


def test_another_organization_gets_404(login, counting, batch, outsider):
    client = login(outsider)
    assert [client.get(url).status_code for url in urls(counting, batch)] == [404, 404, 404]


@pytest.mark.parametrize("who", ["secretariat", "leader", "chair"])
def test_a_member_who_does_not_type_gets_403(login, counting, batch, who, request):
    client = login(request.getfixturevalue(who))
    assert [client.get(url).status_code for url in urls(counting, batch)] == [403, 403, 403]


def test_the_other_passs_typist_cannot_follow_a_pass_1_file(login, counting, batch, typist2):
    ballot_record(user=typist2, session=counting, entry_pass=2, entry=entry(1))
    client = login(typist2)
    statuses = [client.get(url).status_code for url in urls(counting, batch)]
    # The upload page is theirs (for pass 2); pass 1's file is not.
    assert statuses == [200, 403, 403]


def test_anonymous_is_sent_to_login(login, counting, batch):
    client = login(None)
    for url in urls(counting, batch):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.url


def test_a_batch_of_another_session_is_404(login, org, counting, batch, counting_member):
    other = make_counting_session(org, members=[counting_member])
    url = f"/sessions/{other.pk}/count/scans/{batch.pk}/"
    assert login(counting_member).get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_without_the_sync_setting_the_file_is_read_in_a_background_thread(
    login, org, settings, counting_member
):
    import threading

    settings.SCAN_WORKER_SYNC = False
    session = make_counting_session(org, members=[counting_member])
    layout, pdf = ballot_layout(session=session)
    content = scanned_pile(pdf, layout, TRUTHS[:2])
    response = upload(login(counting_member), session, content)
    assert response.status_code == 302
    batch = ScanBatch.objects.get(session=session)
    workers = [t for t in threading.enumerate() if t.name == f"scan-batch-{batch.pk}"]
    for worker in workers:
        worker.join(timeout=60)
    batch.refresh_from_db()
    assert batch.status == ScanBatchStatus.DONE, batch.error
    assert (batch.saved, batch.held, batch.pages_done) == (2, 0, 2)


def test_the_uploader_is_that_passs_typist(login, counting, counting_member, scan_file):
    from sessions.errors import DomainError

    client = login(counting_member)
    upload(client, counting, scan_file)
    # May list and correct pass 1's ballots; may not type in pass 2 (blind double entry).
    assert client.get(f"/sessions/{counting.pk}/count/pass/1/ballots/").status_code == 200
    assert client.get(f"/sessions/{counting.pk}/count/pass/2/").status_code == 403
    with translation.override("en"), pytest.raises(DomainError, match="pass 1"):
        ballot_record(user=counting_member, session=counting, entry_pass=2, entry=entry(1))
    layout, pdf = ballot_layout(session=counting)
    other = scanned_pile(pdf, layout, TRUTHS[:1], seed=7)
    response = upload(client, counting, other, name="luot-2.pdf", entry_pass=2)
    assert response.status_code == 200
    assert "You entered ballots in pass 1" in response.content.decode()
