"""Review of a held scanned ballot: the service's rules, the list of a pass's held ballots,
the review page (the same keyboard widget, prefilled with the machine's reading) and the page
images with the reading drawn on them, served to the pass's typist (and to the chair who
compares the passes: tests/scanning/test_compare_scans.py)."""

import io
import re

import pytest
from django.utils import translation
from PIL import Image

from ballots.models import Ballot, ScanStatus
from ballots.scanning.reader import PX_PER_MM
from ballots.scanning.services import scanned_ballot_review
from ballots.services import ballot_record
from sessions.errors import DomainError
from sessions.models import AuditEntry, SessionStatus, VoteSession
from tests.ballots import entry
from tests.scanning.held import make_held


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def held(counting, media, counting_member):
    # Uploaded by the member who reviews it: the typist of pass 1.
    return make_held(counting, imported_by=counting_member)


def typed_pass_2(session, user):
    ballot_record(user=user, session=session, entry_pass=2, entry=entry(1))


def checked(body):
    found = re.findall(r'<input type="radio"[^>]*name="(\w+)"[^>]*value="(\w*)"[^>]*checked', body)
    return dict(found)


def review_url(scanned, suffix=""):
    return (
        f"/sessions/{scanned.session_id}/count/pass/{scanned.entry_pass}/held/"
        f"{scanned.number}/{suffix}"
    )


def list_url(session, entry_pass=1):
    return f"/sessions/{session.pk}/count/pass/{entry_pass}/held/"


# --- the service ----------------------------------------------------------------------------


def test_review_enters_the_ballot_under_its_number_and_records_who(counting, held, counting_member):
    ballot = scanned_ballot_review(
        user=counting_member,
        session=counting,
        scanned=held,
        entry=entry(None, "high", "low", "medium", "none", "low"),
    )
    assert (ballot.entry_pass, ballot.number, ballot.entered_by) == (1, 1, counting_member)
    assert dict(ballot.marks.values_list("official__order", "value")) == {
        1: "high",
        2: "low",
        3: "medium",
        4: "none",
        5: "low",
    }
    held.refresh_from_db()
    assert held.status == ScanStatus.REVIEWED
    assert held.ballot == ballot
    assert held.reviewed_by == counting_member
    assert held.reviewed_at is not None
    audit = AuditEntry.objects.get(session=counting, action="scan.review")
    assert audit.user == counting_member
    # Row 2 was unread ("?"); the others are the machine's reading, accepted.
    assert audit.data["corrected"] == [2]
    assert audit.data["number"] == 1 and audit.data["pass"] == 1
    assert AuditEntry.objects.filter(session=counting, action="ballot.create").count() == 1


def test_a_reviewed_ballot_cannot_be_reviewed_again(counting, held, counting_member):
    scanned_ballot_review(user=counting_member, session=counting, scanned=held, entry=entry(None))
    with pytest.raises(DomainError, match="already reviewed"):
        scanned_ballot_review(
            user=counting_member, session=counting, scanned=held, entry=entry(None)
        )
    assert Ballot.objects.filter(session=counting).count() == 1


def test_review_refused_when_the_count_is_not_open(counting, held, counting_member):
    VoteSession.objects.filter(pk=counting.pk).update(status=SessionStatus.COUNTED)
    with pytest.raises(DomainError, match="only while the count is open"):
        scanned_ballot_review(
            user=counting_member, session=counting, scanned=held, entry=entry(None)
        )
    held.refresh_from_db()
    assert held.status == ScanStatus.HELD and not Ballot.objects.exists()


def test_review_refused_to_the_other_passs_typist(counting, held, typist2):
    typed_pass_2(counting, typist2)
    with pytest.raises(DomainError, match="pass 2"):
        scanned_ballot_review(user=typist2, session=counting, scanned=held, entry=entry(None))
    held.refresh_from_db()
    assert held.status == ScanStatus.HELD
    assert not Ballot.objects.filter(entry_pass=1).exists()


def test_review_refused_to_the_chair_who_types_nothing(counting, held, chair):
    with pytest.raises(DomainError):
        scanned_ballot_review(user=chair, session=counting, scanned=held, entry=entry(None))
    assert not Ballot.objects.exists()


def test_an_incomplete_review_saves_nothing(counting, held, counting_member):
    partial = entry(None, "high", "high", "high", officials=3)
    with pytest.raises(DomainError):
        scanned_ballot_review(user=counting_member, session=counting, scanned=held, entry=partial)
    held.refresh_from_db()
    assert held.status == ScanStatus.HELD and not Ballot.objects.exists()
    assert not AuditEntry.objects.filter(action="scan.review").exists()


def test_reviewing_makes_the_member_that_passs_typist(counting, held, counting_member):
    scanned_ballot_review(user=counting_member, session=counting, scanned=held, entry=entry(None))
    with pytest.raises(DomainError, match="pass 1"):
        ballot_record(user=counting_member, session=counting, entry_pass=2, entry=entry(1))


# --- the pages --------------------------------------------------------------------------


def test_review_page_prefills_the_machine_reading_and_leaves_unread_rows_empty(
    login, held, counting_member
):
    response = login(counting_member).get(review_url(held))
    body = response.content.decode()
    assert response.status_code == 200
    assert checked(body) == {
        "mark_1": "high",
        "mark_3": "medium",
        "mark_4": "none",
        "mark_5": "low",
        "invalid_reason": "",
    }
    assert body.count('data-testid="official-row"') == 5
    assert 'data-mode="edit"' in body and "js/ballot-entry.js" in body
    assert "row 2: a box is neither clearly empty nor clearly marked" in body
    assert f'src="{review_url(held, "page-1.png")}"' in body
    assert "/media/" not in body


def test_review_page_saves_and_goes_to_the_list(login, held, counting_member):
    client = login(counting_member)
    data = {f"mark_{order}": "high" for order in range(1, 6)}
    response = client.post(review_url(held), data)
    assert response.status_code == 302
    assert response.url == list_url(held.session)
    page = client.get(response.url).content.decode()
    assert "Ballot 1 reviewed and entered in pass 1." in page
    assert 'data-testid="no-held"' in page
    held.refresh_from_db()
    assert held.status == ScanStatus.REVIEWED
    assert "Reviewed by kiem-phieu" in client.get(review_url(held)).content.decode()


def test_review_goes_on_to_the_next_held_ballot(login, counting, held, counting_member):
    second = make_held(counting, number=2, sha="b" * 64, imported_by=counting_member)
    data = {f"mark_{order}": "low" for order in range(1, 6)}
    response = login(counting_member).post(review_url(held), data)
    assert response.status_code == 302
    assert response.url == review_url(second)


def test_review_page_shows_a_missing_row_and_saves_nothing(login, held, counting_member):
    data = {"mark_1": "high", "mark_3": "medium", "mark_4": "none", "mark_5": "low"}
    response = login(counting_member).post(review_url(held), data)
    assert response.status_code == 200
    assert 'data-testid="entry-errors"' in response.content.decode()
    held.refresh_from_db()
    assert held.status == ScanStatus.HELD and not Ballot.objects.exists()


def test_list_shows_held_ballots_with_reasons(login, held, counting_member):
    body = login(counting_member).get(list_url(held.session)).content.decode()
    assert body.count('data-testid="held-row"') == 1
    assert "may-quet.pdf" in body and "row 2: a box" in body
    assert f'href="{review_url(held)}"' in body


def test_count_page_links_the_held_ballots_for_the_passs_typist(
    login, held, counting_member, chair
):
    body = login(counting_member).get(f"/sessions/{held.session_id}/count/").content.decode()
    assert 'data-testid="held-pass-1"' in body and "1 scanned ballot to review" in body
    chair_body = login(chair).get(f"/sessions/{held.session_id}/count/").content.decode()
    assert 'data-testid="held-pass-1"' not in chair_body


def test_page_image_is_a_png_with_the_reading_drawn(login, counting, counting_member, media):
    from reports.documents import ballot_layout

    layout, _pdf = ballot_layout(session=counting)
    scanned = make_held(counting, layout=layout.as_dict(), imported_by=counting_member)
    response = login(counting_member).get(review_url(scanned, "page-1.png"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    row = {r.order: r for r in layout.pages[0].rows}

    def edge(rect):
        # The frame is drawn 0.8 mm outside the box, 4 px wide.
        return image.getpixel(
            (round((rect.x - 0.8) * PX_PER_MM) + 1, round((rect.y + rect.height / 2) * PX_PER_MM))
        )

    assert edge(row[1].boxes["H"]) == (0, 140, 60)  # read as high: green
    assert edge(row[1].boxes["M"]) == (255, 255, 255)
    assert edge(row[3].boxes["M"]) == (0, 140, 60)
    assert all(edge(box) == (255, 255, 255) for box in row[4].boxes.values())  # no mark
    # Row 2 unread: a red frame around the whole row.
    red = [
        image.getpixel((x, round((row[2].label.y - 0.4) * PX_PER_MM) + 1))
        for x in range(round(row[2].label.x * PX_PER_MM), round(row[2].boxes["L"].x * PX_PER_MM))
    ]
    assert red.count((210, 0, 0)) > len(red) * 0.9


# --- permissions ----------------------------------------------------------------------------

PAGES = ["list", "review", "image"]


def page_url(which, held):
    return {
        "list": list_url(held.session),
        "review": review_url(held),
        "image": review_url(held, "page-1.png"),
    }[which]


@pytest.mark.parametrize("which", PAGES)
def test_another_organization_gets_404(login, held, outsider, which):
    assert login(outsider).get(page_url(which, held)).status_code == 404


@pytest.mark.parametrize("which", PAGES)
@pytest.mark.parametrize("who", ["secretariat", "leader", "chair"])
def test_a_member_who_does_not_type_gets_403(login, held, which, who, request):
    user = request.getfixturevalue(who)
    # The chair compares the passes: they see a scanned ballot's page (beside a difference,
    # tests/scanning/test_compare_scans.py), not the list nor the review.
    expected = 200 if (who, which) == ("chair", "image") else 403
    assert login(user).get(page_url(which, held)).status_code == expected


@pytest.mark.parametrize("which", PAGES)
def test_the_other_passs_typist_gets_403(login, counting, held, typist2, which):
    typed_pass_2(counting, typist2)
    assert login(typist2).get(page_url(which, held)).status_code == 403


def test_the_other_passs_typist_cannot_post_a_review(login, counting, held, typist2):
    typed_pass_2(counting, typist2)
    data = {f"mark_{order}": "high" for order in range(1, 6)}
    assert login(typist2).post(review_url(held), data).status_code == 403
    held.refresh_from_db()
    assert held.status == ScanStatus.HELD


@pytest.mark.parametrize("which", PAGES)
def test_anonymous_is_sent_to_login(login, held, which):
    response = login(None).get(page_url(which, held))
    assert response.status_code == 302 and "/login" in response.url


def test_a_ballot_of_another_pass_number_is_404(login, held, counting_member):
    url = f"/sessions/{held.session_id}/count/pass/1/held/9/"
    assert login(counting_member).get(url).status_code == 404


def test_a_held_number_is_not_given_to_a_keyed_ballot(counting, counting_member):
    from ballots.services import ballots_import

    make_held(counting, number=3, imported_by=counting_member)
    keyed = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(None))
    assert keyed.number == 4
    with pytest.raises(DomainError, match="held for review"):
        ballots_import(user=counting_member, session=counting, entry_pass=1, rows=[entry(3)])
    assert Ballot.objects.filter(session=counting, entry_pass=1).count() == 1


def test_a_held_number_typed_by_hand_is_refused_with_a_clear_message(counting, counting_member):
    """The held ballot's paper is in the pile under its number: typing another ballot under
    it is refused (the review enters it), and the review still works afterwards."""
    held = make_held(counting, number=3, imported_by=counting_member)
    with pytest.raises(DomainError) as refused:
        ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(3))
    assert str(refused.value) == (
        "Ballot 3 of entry 1 is a scanned ballot held for review: its number is kept for it. "
        "Review it in the list of held ballots, or leave the number empty to take the next "
        "free one."
    )
    assert refused.value.field == "number"
    assert not Ballot.objects.filter(session=counting).exists()
    # Other numbers may be typed, and the held one is still reviewed under its number.
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(2))
    ballot = scanned_ballot_review(
        user=counting_member, session=counting, scanned=held, entry=entry(None)
    )
    assert ballot.number == 3


def test_the_chair_cannot_resolve_a_number_held_by_a_scan(
    counting, counting_member, typist2, chair
):
    """Pass 2 has ballot 1, pass 1 holds its scan for review: the difference is resolved
    after the review, not by creating pass 1's ballot 1 over the held scan."""
    from ballots.services import difference_resolve

    make_held(counting, number=1, imported_by=counting_member)
    typed_pass_2(counting, typist2)
    with pytest.raises(DomainError, match="Ballot 1 of entry 1 is a scanned ballot held"):
        difference_resolve(user=chair, session=counting, number=1, entry=entry(None))
    assert not Ballot.objects.filter(session=counting, entry_pass=1).exists()


def test_a_typist_who_typed_nothing_sees_no_held_ballot_of_a_pass(login, counting, held, typist2):
    """Blind double entry: before typing (or uploading) in pass 1, a member who may still type
    either pass sees nothing of pass 1's held ballots, nor their readings."""
    client = login(typist2)
    assert client.get(list_url(counting)).status_code == 403
    assert client.get(review_url(held)).status_code == 403
    assert client.get(review_url(held, "page-1.png")).status_code == 403
