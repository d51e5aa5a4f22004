"""sessions.services.imports: all rows or none, checked again inside the transaction."""

import unicodedata

import pytest
from django.utils import translation

from sessions.errors import DomainError
from sessions.importing import ImportRow
from sessions.models import AuditEntry, Delegate, Official, SessionStatus
from sessions.services.imports import (
    delegates_import,
    existing_identities,
    import_preview,
    list_state,
    officials_import,
)
from tests.factories import make_delegate, make_official

LOCKED = "Voting has started: the lists are locked. Unlock them first, with a reason."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def delegate_rows(count, start_row=2):
    return [
        ImportRow(start_row + n, f"Hoàng Thị Mỹ {n + 1}", "Chuyên viên", f"Phòng {n + 1}", "")
        for n in range(count)
    ]


def snapshot(session):
    return (
        list(session.delegates.values_list("full_name", "order")),
        list(session.officials.values_list("full_name", "order")),
        AuditEntry.objects.filter(session=session).count(),
    )


def test_delegates_import_appends_after_the_last_order_and_audits(session, secretariat):
    make_delegate(session, full_name="Đã Có 1")
    make_delegate(session, full_name="Đã Có 2", order=7)

    created = delegates_import(
        user=secretariat, session=session, rows=delegate_rows(3), file_name="dai-bieu.xlsx"
    )

    assert [(d.full_name, d.order) for d in created] == [
        ("Hoàng Thị Mỹ 1", 8),
        ("Hoàng Thị Mỹ 2", 9),
        ("Hoàng Thị Mỹ 3", 10),
    ]
    assert session.delegates.count() == 5
    saved = session.delegates.get(order=9)
    assert (saved.position, saved.unit, saved.attendance) == ("Chuyên viên", "Phòng 2", "unknown")
    entry = AuditEntry.objects.get(session=session, action="import.delegates")
    assert entry.data == {"rows": 3, "file": "dai-bieu.xlsx"}
    assert entry.user == secretariat


def test_officials_import_keeps_row_order_after_existing(session, secretariat):
    make_official(session, full_name="Nguyễn Văn An", position="Viện trưởng")
    rows = [
        ImportRow(2, "Trần Thị Bình", "Phó Viện trưởng"),
        ImportRow(3, "Lê Văn Cường", "Phó Viện trưởng"),
    ]

    officials_import(user=secretariat, session=session, rows=rows, file_name="can-bo.csv")

    assert list(session.officials.values_list("order", "full_name", "position")) == [
        (1, "Nguyễn Văn An", "Viện trưởng"),
        (2, "Trần Thị Bình", "Phó Viện trưởng"),
        (3, "Lê Văn Cường", "Phó Viện trưởng"),
    ]
    entry = AuditEntry.objects.get(session=session, action="import.officials")
    assert entry.data == {"rows": 2, "file": "can-bo.csv"}


def test_officials_import_keeps_the_block(session, secretariat):
    rows = [
        ImportRow(2, "Nguyễn Văn An", "Chủ tịch HĐND tỉnh", block="Khối HĐND"),
        ImportRow(3, "Trần Thị Bình", "Chủ tịch UBND tỉnh", block=" Khối UBND "),
    ]

    officials_import(user=secretariat, session=session, rows=rows, file_name="can-bo.xlsx")

    assert list(session.officials.values_list("full_name", "block")) == [
        ("Nguyễn Văn An", "Khối HĐND"),
        ("Trần Thị Bình", "Khối UBND"),
    ]


def test_text_is_cleaned_to_nfc(session, secretariat):
    nfd = unicodedata.normalize("NFD", "Nguyễn  Thị Ánh ")
    delegates_import(
        user=secretariat,
        session=session,
        rows=[ImportRow(2, nfd, " Trưởng   phòng", "", "")],
        file_name="x.csv",
    )

    delegate = session.delegates.get()
    assert delegate.full_name == "Nguyễn Thị Ánh"
    assert unicodedata.is_normalized("NFC", delegate.full_name)
    assert delegate.position == "Trưởng phòng"


@pytest.mark.parametrize("status", [SessionStatus.VOTING, SessionStatus.COUNTING])
def test_refused_when_the_lists_are_locked(session, secretariat, status):
    session.status = status
    session.ballots_issued = 1 if status == SessionStatus.COUNTING else None
    session.save()
    before = snapshot(session)

    with pytest.raises(DomainError) as excinfo:
        delegates_import(user=secretariat, session=session, rows=delegate_rows(2), file_name="x")
    assert str(excinfo.value) == LOCKED
    with pytest.raises(DomainError):
        officials_import(
            user=secretariat, session=session, rows=[ImportRow(2, "A", "B")], file_name="x"
        )

    assert snapshot(session) == before


def test_lock_is_read_from_the_database_not_the_callers_copy(session, secretariat):
    stale = type(session).objects.get(pk=session.pk)
    session.status = SessionStatus.VOTING
    session.save()

    with pytest.raises(DomainError, match="lists are locked"):
        delegates_import(user=secretariat, session=stale, rows=delegate_rows(1), file_name="x")
    assert Delegate.objects.count() == 0


def test_someone_added_the_same_delegate_after_the_preview(session, secretariat):
    rows = delegate_rows(4)
    # Between preview and confirm, a colleague typed row 4's person in by hand.
    make_delegate(session, full_name="hoàng thị mỹ 3", position="Chuyên viên", unit="Phòng 3")
    before = snapshot(session)

    with pytest.raises(DomainError) as excinfo:
        delegates_import(user=secretariat, session=session, rows=rows, file_name="x.xlsx")

    assert str(excinfo.value) == (
        "Nothing was imported. Row 4, column 'Họ và tên': Hoàng Thị Mỹ 3 is already on this "
        "session's list of delegates."
    )
    assert snapshot(session) == before


def test_official_with_same_name_and_position_is_refused(session, secretariat):
    make_official(session, full_name="Nguyễn Văn An", position="Viện trưởng")
    rows = [
        ImportRow(2, "Trần Thị Bình", "Phó Viện trưởng"),
        ImportRow(3, "NGUYỄN VĂN AN", "viện trưởng"),
    ]

    with pytest.raises(DomainError, match=r"Row 3, column 'Họ và tên': NGUYỄN VĂN AN"):
        officials_import(user=secretariat, session=session, rows=rows, file_name="x")

    assert session.officials.count() == 1
    assert not AuditEntry.objects.filter(action="import.officials").exists()


def test_one_bad_row_saves_none(session, secretariat):
    rows = [*delegate_rows(30), ImportRow(40, "", "Chuyên viên", "", "")]

    with pytest.raises(DomainError) as excinfo:
        delegates_import(
            user=secretariat,
            session=session,
            rows=rows,
            file_name="x.xlsx",
            columns={"full_name": "Full name"},
        )

    assert str(excinfo.value) == (
        "Nothing was imported. Row 40, column 'Full name': the name is empty."
    )
    assert Delegate.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_duplicates_within_the_rows_are_refused(session, secretariat):
    rows = [ImportRow(2, "Lê Văn Hùng", "X", "P", ""), ImportRow(9, "Lê  Văn Hùng", "x", "p", "")]

    with pytest.raises(DomainError, match="listed twice in the file, on rows 2 and 9"):
        delegates_import(user=secretariat, session=session, rows=rows, file_name="x")
    assert Delegate.objects.count() == 0


def test_officials_need_a_position(session, secretariat):
    with pytest.raises(DomainError, match="Row 5, column 'Chức vụ': the position is empty."):
        officials_import(
            user=secretariat,
            session=session,
            rows=[ImportRow(5, "Trần Văn Tư", " ")],
            file_name="x",
        )
    assert Official.objects.count() == 0


def test_too_long_a_name_is_refused(session, secretariat):
    rows = [ImportRow(2, "A" * 201, "", "", "")]

    with pytest.raises(DomainError, match="201 characters; at most 200 are allowed"):
        delegates_import(user=secretariat, session=session, rows=rows, file_name="x")
    assert Delegate.objects.count() == 0


def test_many_problems_are_summarised(session, secretariat):
    rows = [ImportRow(n, "", "", "", "") for n in range(2, 10)]

    with pytest.raises(DomainError) as excinfo:
        delegates_import(user=secretariat, session=session, rows=rows, file_name="x")

    message = str(excinfo.value)
    assert message.count("the name is empty") == 5
    assert message.endswith("(and 3 more problems)")


def test_nothing_to_import_is_refused(session, secretariat):
    with pytest.raises(DomainError, match="There is nobody to import."):
        delegates_import(user=secretariat, session=session, rows=[], file_name="x")
    assert AuditEntry.objects.count() == 0


def test_import_preview_reads_against_the_session_and_writes_nothing(session):
    make_delegate(session, full_name="Nguyễn Văn An", position="Viện trưởng", unit="Lãnh đạo")
    content = "Họ và tên,Chức vụ,Đơn vị\nNguyễn Văn An,Viện trưởng,Lãnh đạo\nLê Văn Bảy,,\n"

    result = import_preview(
        session=session, kind="delegates", content=content.encode(), file_name="x", max_bytes=10_000
    )

    assert [p.row for p in result.errors] == [2]
    assert len(result.rows) == 2
    assert session.delegates.count() == 1
    assert AuditEntry.objects.count() == 0


def test_import_preview_refused_when_locked(session):
    session.status = SessionStatus.VOTING
    session.save()

    with pytest.raises(DomainError, match="lists are locked"):
        import_preview(
            session=session, kind="officials", content=b"x", file_name="x", max_bytes=10_000
        )


def test_existing_identities_and_list_state(session):
    make_official(session, full_name="Nguyễn Văn An", position="Viện trưởng", order=4)
    make_delegate(session, full_name="Lê Thị Hồng", position="", unit="Phòng 1")

    assert existing_identities(session=session, kind="officials") == {
        ("nguyễn văn an", "viện trưởng")
    }
    assert existing_identities(session=session, kind="delegates") == {
        ("lê thị hồng", "", "phòng 1")
    }
    assert list_state(session=session, kind="officials") == (1, 4)
    assert list_state(session=session, kind="delegates") == (1, 1)
