"""Services for officials and delegates: the rules they enforce, and the audit they leave."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from sessions.errors import DomainError
from sessions.models import AuditEntry, Official
from sessions.services import delegates as delegate_services
from sessions.services import officials as official_services
from tests.factories import make_committee_member, make_delegate, make_official, make_session

PDF = b"%PDF-1.7\n%%EOF\n"
LOCKED = "Voting has started: the lists are locked. Unlock them first, with a reason."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def english():
    # Messages are compared by their English source text (Vietnamese is the default).
    with translation.override("en"):
        yield


def orders(session):
    return list(session.officials.order_by("order").values_list("full_name", "order"))


# Officials


def test_official_create_appends_and_cleans(session, secretariat):
    make_official(session, order=4)
    official = official_services.official_create(
        user=secretariat, session=session, full_name=" Hà  Văn\tSơn ", position=" Phó  Viện trưởng"
    )
    assert (official.full_name, official.position, official.order) == (
        "Hà Văn Sơn",
        "Phó Viện trưởng",
        5,
    )
    entry = AuditEntry.objects.get(action="official.create")
    assert entry.user == secretariat
    assert entry.session == session
    assert entry.data == {
        "full_name": "Hà Văn Sơn",
        "position": "Phó Viện trưởng",
        "block": "",
        "order": 5,
        "delegate_id": None,
        "official_id": official.pk,
    }


@pytest.mark.parametrize(
    ("full_name", "position", "field"),
    [(" \u00a0 ", "Viện trưởng", "full_name"), ("Hà Văn Sơn", "  ", "position")],
)
def test_official_create_requires_name_and_position(
    session, secretariat, full_name, position, field
):
    with pytest.raises(DomainError) as info:
        official_services.official_create(
            user=secretariat, session=session, full_name=full_name, position=position
        )
    assert info.value.field == field
    assert not Official.objects.exists()
    assert not AuditEntry.objects.exists()


def test_official_listed_twice_is_refused(session, secretariat):
    make_official(session, full_name="Hà Văn Sơn", position="Viện trưởng")
    with pytest.raises(DomainError) as info:
        official_services.official_create(
            user=secretariat, session=session, full_name="HÀ VĂN SƠN", position="viện  trưởng"
        )
    assert str(info.value) == "Hà Văn Sơn (Viện trưởng) is already on the ballot, as no. 1."
    # Hùng and Hưng are different names: diacritics count.
    official_services.official_create(
        user=secretariat, session=session, full_name="Hà Văn Sởn", position="Viện trưởng"
    )
    assert session.officials.count() == 2


def test_official_link_rules(session, org, secretariat):
    linked = make_delegate(session)
    first = make_official(session, full_name="Hà Văn Sơn", delegate=linked)
    with pytest.raises(DomainError) as info:
        official_services.official_create(
            user=secretariat,
            session=session,
            full_name="Lê Văn Tám",
            position="Phó",
            delegate=linked,
        )
    assert info.value.field == "delegate"
    assert str(info.value) == f"{linked.full_name} is already linked to the official Hà Văn Sơn."
    foreign = make_delegate(make_session(org))
    with pytest.raises(DomainError) as info:
        official_services.official_update(
            user=secretariat,
            official=first,
            full_name="Hà Văn Sơn",
            position="Phó",
            delegate=foreign,
        )
    assert info.value.field == "delegate"
    first.refresh_from_db()
    assert first.delegate == linked
    # Keeping one's own link is fine.
    official_services.official_update(
        user=secretariat, official=first, full_name="Hà Văn Sơn", position="Phó", delegate=linked
    )


def test_official_update_audits_only_changes(session, secretariat):
    official = make_official(session, full_name="Hà Văn Sơn", position="Phó Viện trưởng")
    official_services.official_update(
        user=secretariat, official=official, full_name="Hà Văn Sơn", position="Phó Viện trưởng"
    )
    assert not AuditEntry.objects.exists()
    official_services.official_update(
        user=secretariat, official=official, full_name="Hà Văn Sơn", position="Viện trưởng"
    )
    entry = AuditEntry.objects.get(action="official.update")
    assert entry.data == {
        "position": ["Phó Viện trưởng", "Viện trưởng"],
        "official_id": official.pk,
    }


def test_official_update_ignores_a_stale_instance(session, secretariat):
    official = make_official(session, full_name="Hà Văn Sơn", position="Phó Viện trưởng")
    official.position = "changed in memory by a form"
    official_services.official_update(
        user=secretariat, official=official, full_name="Hà Văn Sơn", position="Viện trưởng"
    )
    entry = AuditEntry.objects.get(action="official.update")
    assert entry.data["position"] == ["Phó Viện trưởng", "Viện trưởng"]


def test_official_delete_renumbers_gaps(session, secretariat):
    for name, order in [("A", 2), ("B", 5), ("C", 9), ("D", 10)]:
        make_official(session, full_name=name, order=order)
    official_services.official_delete(
        user=secretariat, official=session.officials.get(full_name="B")
    )
    assert orders(session) == [("A", 1), ("C", 2), ("D", 3)]
    entry = AuditEntry.objects.get(action="official.delete")
    assert (entry.data["full_name"], entry.data["order"]) == ("B", 5)


@pytest.mark.parametrize(
    ("name", "direction", "expected"),
    [
        ("B", "up", [("B", 1), ("A", 5), ("C", 9)]),
        ("B", "down", [("A", 1), ("C", 5), ("B", 9)]),
        ("C", "up", [("A", 1), ("C", 5), ("B", 9)]),
    ],
)
def test_official_move_swaps_with_the_neighbour(session, secretariat, name, direction, expected):
    for full_name, order in [("A", 1), ("B", 5), ("C", 9)]:
        make_official(session, full_name=full_name, order=order)
    moved = official_services.official_move(
        user=secretariat, official=session.officials.get(full_name=name), direction=direction
    )
    assert orders(session) == expected
    assert moved.order == dict(expected)[name]
    assert AuditEntry.objects.get(action="official.reorder").data["full_name"] == name


@pytest.mark.parametrize(("index", "direction"), [(0, "up"), (2, "down")])
def test_official_move_at_the_ends_is_refused(session, secretariat, index, direction):
    officials = [make_official(session, full_name=n) for n in "ABC"]
    with pytest.raises(DomainError):
        official_services.official_move(
            user=secretariat, official=officials[index], direction=direction
        )
    assert orders(session) == [("A", 1), ("B", 2), ("C", 3)]
    assert not AuditEntry.objects.exists()


def test_official_move_bad_direction(session, secretariat):
    official = make_official(session)
    with pytest.raises(DomainError) as info:
        official_services.official_move(user=secretariat, official=official, direction="left")
    assert info.value.field == "direction"


def test_dossier_checks(session, secretariat, settings, media):
    settings.DOSSIER_MAX_BYTES = 1024
    official = make_official(session)
    for content, message in [
        (b"", "The dossier file is empty."),
        (b"%PDF", "The file must be a PDF document; this file is not a PDF."),
        (b"<html>%PDF-1.4", "The file must be a PDF document; this file is not a PDF."),
        (PDF.ljust(1025, b" "), "The file is 1.0\xa0KB; at most 1.0\xa0KB is accepted."),
    ]:
        with pytest.raises(DomainError) as info:
            official_services.official_set_dossier(
                user=secretariat, official=official, dossier=SimpleUploadedFile("a.pdf", content)
            )
        assert (str(info.value), info.value.field) == (message, "dossier")
    # Exactly at the limit is accepted.
    official_services.official_set_dossier(
        user=secretariat, official=official, dossier=SimpleUploadedFile("a.pdf", PDF.ljust(1024))
    )
    official.refresh_from_db()
    assert official.dossier.size == 1024


@pytest.mark.parametrize(
    ("uploaded", "stored"),
    [
        # macOS sends decomposed (NFD) names: stored composed (NFC), diacritics intact.
        ("Ho\u0302\u0300 so\u031b.pdf", "Hồ sơ.pdf"),
        ("báo cáo", "báo cáo.pdf"),
        ('a<b>:"c"|?*.PDF', "abc.pdf"),
        ("...pdf", "dossier.pdf"),
        ("  ho so .. .pdf", "ho so.pdf"),
    ],
)
def test_dossier_file_name(session, secretariat, uploaded, stored):
    official = make_official(session)
    official_services.official_set_dossier(
        user=secretariat, official=official, dossier=SimpleUploadedFile(uploaded, PDF)
    )
    official.refresh_from_db()
    assert official_services.dossier_download_name(official) == stored


def test_dossier_long_name_fits_the_field(session, secretariat):
    official = make_official(session)
    long_name = "Báo cáo tự kiểm điểm " * 10 + ".pdf"
    official_services.official_set_dossier(
        user=secretariat, official=official, dossier=SimpleUploadedFile(long_name, PDF)
    )
    official.refresh_from_db()
    assert len(official.dossier.name) <= 100
    name = official_services.dossier_download_name(official)
    assert name.startswith("Báo cáo tự kiểm điểm Báo cáo") and name.endswith(".pdf")


# Delegates


def test_delegate_create_appends_and_cleans(session, secretariat):
    make_delegate(session, order=7)
    delegate = delegate_services.delegate_create(
        user=secretariat,
        session=session,
        full_name="  Đỗ Thị   Hằng",
        position=" Trưởng phòng ",
        unit="Phòng  7",
        group=" Trưởng các phòng",
    )
    assert (
        delegate.full_name,
        delegate.position,
        delegate.unit,
        delegate.group,
        delegate.order,
    ) == (
        "Đỗ Thị Hằng",
        "Trưởng phòng",
        "Phòng 7",
        "Trưởng các phòng",
        8,
    )
    entry = AuditEntry.objects.get(action="delegate.create")
    assert entry.data["order"] == 8 and entry.data["delegate_id"] == delegate.pk


def test_delegate_create_requires_name(session, secretariat):
    with pytest.raises(DomainError) as info:
        delegate_services.delegate_create(user=secretariat, session=session, full_name="\t ")
    assert info.value.field == "full_name"
    assert not session.delegates.exists()


def test_delegate_listed_twice(session, secretariat):
    make_delegate(session, full_name="Đỗ Thị Hằng", position="", unit="")
    with pytest.raises(DomainError) as info:
        delegate_services.delegate_create(
            user=secretariat, session=session, full_name="đỗ thị hằng"
        )
    assert str(info.value) == "Đỗ Thị Hằng is already on the list, as no. 1."
    # Same name, different unit: two people.
    delegate_services.delegate_create(
        user=secretariat, session=session, full_name="Đỗ Thị Hằng", unit="Phòng 2"
    )
    # Another session may list the same person.
    delegate_services.delegate_create(
        user=secretariat, session=make_session(session.organization), full_name="Đỗ Thị Hằng"
    )
    assert session.delegates.count() == 2


def test_delegate_update_may_keep_its_own_identity(session, secretariat):
    delegate = make_delegate(session, full_name="Đỗ Thị Hằng", position="TP", unit="P7", group="")
    delegate_services.delegate_update(
        user=secretariat,
        delegate=delegate,
        full_name="Đỗ Thị Hằng",
        position="TP",
        unit="P7",
        group="Lãnh đạo",
    )
    entry = AuditEntry.objects.get(action="delegate.update")
    assert entry.data == {"group": ["", "Lãnh đạo"], "delegate_id": delegate.pk}


def test_delegate_delete_renumbers_and_records_links(session, secretariat):
    delegates = [make_delegate(session, full_name=f"Đại Biểu {i}") for i in range(1, 4)]
    official = make_official(session, full_name="Cán Bộ", delegate=delegates[0])
    member = make_committee_member(session, full_name="Thành Viên", delegate=delegates[0])
    delegate_services.delegate_delete(user=secretariat, delegate=delegates[0])
    assert list(session.delegates.values_list("full_name", "order")) == [
        ("Đại Biểu 2", 1),
        ("Đại Biểu 3", 2),
    ]
    official.refresh_from_db()
    member.refresh_from_db()
    assert official.delegate is None
    assert (member.full_name, member.delegate) == ("Thành Viên", None)
    data = AuditEntry.objects.get(action="delegate.delete").data
    assert data["unlinked_official"] == "Cán Bộ"
    assert data["committee_member"] == ["Thành Viên"]


# Locked lists: every service refuses.


def test_every_service_refuses_when_locked(org, secretariat):
    session = make_session(org, status="voting")
    official = make_official(session)
    second = make_official(session)
    delegate = make_delegate(session)
    calls = [
        lambda: official_services.official_create(
            user=secretariat, session=session, full_name="A", position="B"
        ),
        lambda: official_services.official_update(
            user=secretariat, official=official, full_name="A", position="B"
        ),
        lambda: official_services.official_delete(user=secretariat, official=official),
        lambda: official_services.official_move(user=secretariat, official=second, direction="up"),
        lambda: official_services.official_set_dossier(
            user=secretariat, official=official, dossier=SimpleUploadedFile("a.pdf", PDF)
        ),
        lambda: delegate_services.delegate_create(user=secretariat, session=session, full_name="A"),
        lambda: delegate_services.delegate_update(
            user=secretariat, delegate=delegate, full_name="A"
        ),
        lambda: delegate_services.delegate_delete(user=secretariat, delegate=delegate),
    ]
    for call in calls:
        with pytest.raises(DomainError) as info:
            call()
        assert str(info.value) == LOCKED
    assert orders(session) == [(official.full_name, 1), (second.full_name, 2)]
    assert session.delegates.count() == 1
    assert not AuditEntry.objects.exists()
