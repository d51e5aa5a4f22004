"""The ballot upload page: a CSV or .xlsx pile imported all or nothing, and who may use it."""

import html
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from ballots.models import Ballot, Mark
from ballots.services import ballot_record
from ballots.views.upload import BallotUploadForm
from sessions.models import AuditEntry, Role, SessionStatus
from sessions.services.sessions import session_start_voting
from tests.ballots import entry, make_counting_session
from tests.factories import make_committee_member, make_ready_session, make_user

CSV_OK = "ballot,1,2,3,4,5,invalid_reason\n1,H,H,M,L,H,\n2,h,,X,H,m,\n3,,,,,,not_issued\n"


def url(session):
    return reverse("ballots:upload", args=[session.pk])


def csv_file(text: str, name="phieu.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, name="phieu.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def problems(response) -> list[tuple]:
    return [(p.row, p.column, p.message) for p in response.context["problems"]]


def form_errors(response) -> list[str]:
    return [e for errors in response.context["form"].errors.values() for e in errors]


def state(session):
    return (
        Ballot.objects.filter(session=session).count(),
        Mark.objects.filter(ballot__session=session).count(),
        AuditEntry.objects.filter(session=session, action="ballot.import").count(),
    )


@pytest.fixture
def counting(org, chair, counting_member):
    """Counting open, double entry, 28 ballots issued, 5 officials; counting_member sits on
    the committee."""
    return make_counting_session(org, chair=chair, members=[counting_member])


# -- The page ------------------------------------------------------------------------------


def test_page_shows_the_format_for_this_session_and_both_passes(login, counting_member, counting):
    response = login(counting_member).get(url(counting))
    assert response.status_code == 200
    text = page_text(response)
    assert "ballot,1,2,3,4,5,invalid_reason\n1,H,H,H,H,H,\n2,H,M,L,,X,\n3,,,,,,not_issued" in text
    for code, meaning in [
        ("H", "High confidence"),
        ("M", "Confidence"),
        ("L", "Low confidence"),
        ("X", "Several boxes ticked"),
        ("(empty)", "No box ticked"),
    ]:
        assert f"<code>{code}</code></td><td>{meaning}</td>" in text
    for reason in ("not_issued", "name_crossed_out", "name_added", "other"):
        assert f"<code>{reason}</code>" in text
    assert "Trần Văn Cán 5" in text
    form = response.context["form"]
    assert form.fields["entry_pass"].choices == [(1, "First entry"), (2, "Second entry")]
    assert form["entry_pass"].value() == 1
    assert 'type="file"' in text


def test_default_pass_is_the_one_the_user_already_entered_in(login, counting_member, counting):
    ballot_record(user=counting_member, session=counting, entry_pass=2, entry=entry(1))
    response = login(counting_member).get(url(counting))
    assert response.context["form"]["entry_pass"].value() == 2
    assert '<option value="2" selected>' in response.content.decode()


def test_single_entry_session_offers_pass_one_only(login, org, chair, counting_member):
    session = make_counting_session(org, chair=chair, members=[counting_member], double_entry=False)
    response = login(counting_member).get(url(session))
    field = response.context["form"].fields["entry_pass"]
    assert field.choices == [(1, "First entry")]
    assert field.disabled
    # A posted pass 2 is ignored: the ballots go into the only pass.
    response = login(counting_member).post(
        url(session), {"entry_pass": "2", "file": csv_file(CSV_OK)}
    )
    assert response.status_code == 302
    assert list(Ballot.objects.filter(session=session).values_list("entry_pass", flat=True)) == [
        1,
        1,
        1,
    ]


# -- Happy paths ---------------------------------------------------------------------------


def test_csv_upload_imports_every_ballot_and_redirects_to_the_count(
    login, counting_member, counting
):
    client = login(counting_member)
    response = client.post(url(counting), {"entry_pass": "1", "file": csv_file(CSV_OK)})

    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{counting.pk}/count/"
    assert message_texts(response) == ["3 ballots imported into pass 1."]
    ballots = list(Ballot.objects.filter(session=counting).order_by("number"))
    assert [(b.entry_pass, b.number, b.invalid_reason) for b in ballots] == [
        (1, 1, ""),
        (1, 2, ""),
        (1, 3, "not_issued"),
    ]
    assert {b.entered_by for b in ballots} == {counting_member}
    assert dict(ballots[1].marks.values_list("official__order", "value")) == {
        1: "high",
        2: "none",
        3: "several",
        4: "high",
        5: "medium",
    }
    # 5 marks on each valid ballot, none on the invalid one.
    assert state(counting) == (3, 10, 1)
    audit = AuditEntry.objects.get(session=counting, action="ballot.import")
    assert audit.user == counting_member
    assert audit.data == {"pass": 1, "count": 3}


def test_xlsx_upload_into_the_second_pass(login, chair, counting, chair_types):
    rows = [["ballot", 1, 2, 3, 4, 5, "invalid_reason"]]
    rows += [[n, "H", "M", "L", None, "x", None] for n in range(1, 5)]
    rows.append([5, None, None, None, None, None, "other"])
    response = login(chair).post(url(counting), {"entry_pass": "2", "file": xlsx_file(rows)})

    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{counting.pk}/count/"
    assert message_texts(response) == ["5 ballots imported into pass 2."]
    assert list(Ballot.objects.filter(session=counting).values_list("entry_pass", "number")) == [
        (2, 1),
        (2, 2),
        (2, 3),
        (2, 4),
        (2, 5),
    ]
    assert state(counting) == (5, 20, 1)
    assert Mark.objects.filter(ballot__session=counting, value="none").count() == 4
    assert Mark.objects.filter(ballot__session=counting, value="several").count() == 4


def test_one_ballot_message_is_singular(login, counting_member, counting):
    response = login(counting_member).post(
        url(counting), {"entry_pass": "1", "file": csv_file("ballot,1,2,3,4,5\n9,H,H,H,H,H\n")}
    )
    assert message_texts(response) == ["1 ballot imported into pass 1."]
    assert state(counting) == (1, 5, 1)


# -- Refusals: nothing saved ---------------------------------------------------------------


def test_a_bad_code_lists_its_row_and_column_and_saves_nothing(login, counting_member, counting):
    text = "ballot,1,2,3,4,5,invalid_reason\n1,H,H,H,H,H,\n2,H,Q,H,H,H,\n3,H,H,H,H,Z,\n"
    response = login(counting_member).post(
        url(counting), {"entry_pass": "1", "file": csv_file(text)}
    )

    assert response.status_code == 200
    assert problems(response) == [
        (
            3,
            "C ('2')",
            "Row 3, column C ('2'): unknown mark 'Q'; use H, M, L, X, or leave it empty for no "
            "box ticked.",
        ),
        (
            4,
            "F ('5')",
            "Row 4, column F ('5'): unknown mark 'Z'; use H, M, L, X, or leave it empty for no "
            "box ticked.",
        ),
    ]
    page = page_text(response)
    assert "Nothing was imported from phieu.csv." in page
    assert "Row 3, column C (&#x27;2&#x27;): unknown mark" in response.content.decode()
    assert state(counting) == (0, 0, 0)


def test_a_missing_official_column_saves_nothing(login, counting_member, counting):
    text = "ballot,1,2,3,4\n1,H,H,H,H\n"
    response = login(counting_member).post(
        url(counting), {"entry_pass": "1", "file": csv_file(text)}
    )

    assert response.status_code == 200
    assert problems(response) == [
        (1, None, "Row 1: no column for the officials with ballot order 5.")
    ]
    assert state(counting) == (0, 0, 0)


def test_more_ballots_than_issued_saves_nothing(login, org, chair, counting_member):
    session = make_counting_session(org, chair=chair, members=[counting_member], issued=3)
    ballot_record(user=counting_member, session=session, entry_pass=1, entry=entry(1))
    text = "ballot,1,2,3,4,5\n2,H,H,H,H,H\n3,M,M,M,M,M\n4,L,L,L,L,L\n"
    response = login(counting_member).post(
        url(session), {"entry_pass": "1", "file": csv_file(text)}
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        "That would make 4 ballots in entry 1: more ballots than issued (3)."
    ]
    assert "more ballots than issued (3)" in page_text(response)
    assert state(session) == (1, 5, 0)


def test_a_number_already_entered_saves_nothing(login, counting_member, counting):
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(2))
    response = login(counting_member).post(
        url(counting), {"entry_pass": "1", "file": csv_file(CSV_OK)}
    )

    assert response.status_code == 200
    assert form_errors(response) == ["Ballots 2 are already entered in entry 1."]
    assert list(Ballot.objects.filter(session=counting).values_list("number", flat=True)) == [2]
    assert state(counting) == (1, 5, 0)


def test_blind_rule_a_pass_one_typist_cannot_upload_into_pass_two(login, counting_member, counting):
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(1))
    response = login(counting_member).post(
        url(counting), {"entry_pass": "2", "file": csv_file(CSV_OK)}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["entry_pass"] == [
        "You entered ballots in pass 1; with double entry each member enters one pass only, "
        "so that the two passes stay independent."
    ]
    assert not Ballot.objects.filter(session=counting, entry_pass=2).exists()
    assert state(counting) == (1, 5, 0)


def test_a_pass_that_does_not_exist_is_refused(login, counting_member, counting):
    response = login(counting_member).post(
        url(counting), {"entry_pass": "3", "file": csv_file(CSV_OK)}
    )
    assert response.status_code == 200
    assert "entry_pass" in response.context["form"].errors
    assert state(counting) == (0, 0, 0)


def test_no_file_is_refused(login, counting_member, counting):
    response = login(counting_member).post(url(counting), {"entry_pass": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["This field is required."]
    assert state(counting) == (0, 0, 0)


def test_a_file_over_the_limit_is_refused(login, counting_member, counting, settings):
    settings.IMPORT_MAX_BYTES = 1024
    text = "ballot,1,2,3,4,5\n" + "".join(f"{n},H,H,H,H,H\n" for n in range(1, 100))
    assert len(text.encode()) > 1024
    response = login(counting_member).post(
        url(counting), {"entry_pass": "1", "file": csv_file(text)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file is 1.3\xa0KB; at most 1.0\xa0KB is accepted."
    ]
    assert state(counting) == (0, 0, 0)


def test_a_file_larger_than_its_declared_size_is_refused(counting, settings):
    settings.IMPORT_MAX_BYTES = 1024
    content = b"ballot,1,2,3,4,5\n" + b"1,H,H,H,H,H\n" * 100
    upload = InMemoryUploadedFile(io.BytesIO(content), "file", "phieu.csv", "text/csv", 100, None)
    form = BallotUploadForm({"entry_pass": "1"}, {"file": upload}, session=counting)
    assert not form.is_valid()
    assert form.errors["file"] == ["The file is larger than 1.0\xa0KB, the most accepted."]


def test_a_file_that_is_not_a_spreadsheet_is_refused(login, counting_member, counting):
    garbage = SimpleUploadedFile("phieu.csv", b"\xff\xfe\x00garbage\x81")
    response = login(counting_member).post(url(counting), {"entry_pass": "1", "file": garbage})
    assert response.status_code == 200
    assert [p.message for p in response.context["problems"]] == [
        "The file is not UTF-8 text or an .xlsx spreadsheet. In Excel, save as 'CSV UTF-8' "
        "or .xlsx."
    ]
    assert state(counting) == (0, 0, 0)


def test_many_problems_are_cut_to_the_first_hundred(login, counting_member, counting):
    text = "ballot,1,2,3,4,5\n" + "".join(f"{n},Q,Q,H,H,H\n" for n in range(1, 61))
    response = login(counting_member).post(
        url(counting), {"entry_pass": "1", "file": csv_file(text)}
    )
    assert len(response.context["problems"]) == 100
    assert response.context["more_problems"] == 20
    assert "… and 20 more problems." in page_text(response)
    assert state(counting) == (0, 0, 0)


# -- Session state -------------------------------------------------------------------------


def test_before_counting_opens_the_page_says_so(login, org, counting_member):
    session = make_ready_session(org)
    make_committee_member(session, user=counting_member)
    session_start_voting(user=None, session=session)
    client = login(counting_member)

    response = client.get(url(session))
    assert response.status_code == 200
    assert "Counting has not opened for this session." in page_text(response)
    assert 'data-testid="upload-form"' not in response.content.decode()

    response = client.post(url(session), {"entry_pass": "1", "file": csv_file(CSV_OK)})
    assert response.status_code == 200
    assert "Counting has not opened for this session." in page_text(response)
    assert state(session) == (0, 0, 0)


def test_after_the_count_closed_the_page_says_so(login, counting_member, counting):
    type(counting).objects.filter(pk=counting.pk).update(status=SessionStatus.COUNTED)
    client = login(counting_member)

    response = client.get(url(counting))
    assert "The count is closed: ballots can no longer change." in page_text(response)
    assert 'data-testid="upload-form"' not in response.content.decode()

    response = client.post(url(counting), {"entry_pass": "1", "file": csv_file(CSV_OK)})
    assert "The count is closed: ballots can no longer change." in page_text(response)
    assert state(counting) == (0, 0, 0)


# -- Who may -------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(login, counting):
    response = login(None).get(url(counting))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = login(None).post(url(counting), {"entry_pass": "1", "file": csv_file(CSV_OK)})
    assert response.status_code == 302
    assert state(counting) == (0, 0, 0)


def test_outsider_gets_404(login, outsider, counting):
    assert login(outsider).get(url(counting)).status_code == 404
    response = login(outsider).post(url(counting), {"entry_pass": "1", "file": csv_file(CSV_OK)})
    assert response.status_code == 404
    assert state(counting) == (0, 0, 0)


@pytest.mark.parametrize("who", ["secretariat", "leader"])
def test_secretariat_and_leadership_get_403(login, request, counting, who):
    user = request.getfixturevalue(who)
    assert login(user).get(url(counting)).status_code == 403
    response = login(user).post(url(counting), {"entry_pass": "1", "file": csv_file(CSV_OK)})
    assert response.status_code == 403
    assert state(counting) == (0, 0, 0)


def test_counting_user_without_a_committee_seat_gets_403(login, org, counting):
    seatless = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    assert login(seatless).get(url(counting)).status_code == 403
    response = login(seatless).post(url(counting), {"entry_pass": "1", "file": csv_file(CSV_OK)})
    assert response.status_code == 403
    assert state(counting) == (0, 0, 0)


def test_other_methods_are_not_allowed(login, counting_member, counting):
    assert login(counting_member).put(url(counting)).status_code == 405


def test_a_spreadsheet_bomb_is_refused_on_the_file_field(login, counting_member, counting):
    from tests.spreadsheet_bombs import huge_shared_string

    bomb = SimpleUploadedFile("phieu.xlsx", huge_shared_string())
    response = login(counting_member).post(url(counting), {"entry_pass": "1", "file": bomb})
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert error.startswith("The spreadsheet expands to more than the server accepts")
    assert state(counting) == (0, 0, 0)
