"""Names and texts as they are stored: invisible and direction characters gone, NFC, bounded."""

import unicodedata

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from sessions.errors import DomainError
from sessions.models import LEGAL_BASIS_MAX_LENGTH, AuditEntry, Delegate, VoteSession
from sessions.services import committee as committee_services
from sessions.services import delegates as delegate_services
from sessions.services import officials as official_services
from sessions.services.sessions import session_create, session_update

ZWSP, SOFT_HYPHEN = "\u200b", "\u00ad"
# Right-to-left override, pop directional formatting, left-to-right isolate, pop isolate.
RLO, PDF_MARK, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"
VALID = {
    "title": "Hội nghị lấy phiếu tín nhiệm năm 2023",
    "rule_profile": "party-96-2023",
    "legal_basis": "Kế hoạch số 72-KH/BCSĐ, ngày 01/6/2023",
    "starts_at": "2023-07-03T08:00",
    "venue": "Hội trường",
    "chair_name": "Nguyễn Văn Chủ",
    "chair_position": "Viện trưởng",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_zero_width_space_does_not_make_a_second_delegate(session, secretariat):
    delegate_services.delegate_create(
        user=secretariat, session=session, full_name="Nguyễn Văn An", position="Trưởng phòng"
    )
    for sneaky in (f"Nguyễn Văn{ZWSP} An", f"Nguy{SOFT_HYPHEN}ễn Văn An", "Nguyễn Văn An\ufeff"):
        with pytest.raises(DomainError, match="is already on the list"):
            delegate_services.delegate_create(
                user=secretariat, session=session, full_name=sneaky, position="Trưởng phòng"
            )
    assert Delegate.objects.count() == 1


def test_a_decomposed_name_is_the_same_delegate(session, secretariat):
    delegate_services.delegate_create(user=secretariat, session=session, full_name="Lê Thị Hồng")
    with pytest.raises(DomainError, match="is already on the list"):
        delegate_services.delegate_create(
            user=secretariat, session=session, full_name=unicodedata.normalize("NFD", "Lê Thị Hồng")
        )


def test_a_right_to_left_override_cannot_reverse_an_official_on_the_ballot(session, secretariat):
    official = official_services.official_create(
        user=secretariat,
        session=session,
        full_name=f"{RLO}Trần Thị Bình{PDF_MARK}",
        position=f"Phó {LRI}Viện trưởng{PDI}\u200e",
    )
    official.refresh_from_db()
    assert (official.full_name, official.position) == ("Trần Thị Bình", "Phó Viện trưởng")
    assert unicodedata.is_normalized("NFC", official.full_name)


def test_committee_members_and_units_are_cleaned(session, secretariat):
    delegate = delegate_services.delegate_create(
        user=secretariat,
        session=session,
        full_name="Phạm Văn Dũng",
        unit=f"Phòng{ZWSP} 1{RLO}",
        group=f"Công{SOFT_HYPHEN}chức",
    )
    assert (delegate.unit, delegate.group) == ("Phòng 1", "Côngchức")
    member = committee_services.committee_member_add(
        user=secretariat, session=session, full_name=f"{RLO}Vũ Đức Đam", position="Thư\u200bký"
    )
    assert (member.full_name, member.position) == ("Vũ Đức Đam", "Thưký")


def test_session_texts_are_cleaned_and_the_legal_basis_keeps_its_lines(org, secretariat):
    session = session_create(
        user=secretariat,
        organization=org,
        title=f"Hội nghị{ZWSP} {RLO}2023",
        starts_at="2023-07-03T08:00+07:00",
        rule_profile="party-96-2023",
        legal_basis="Kế hoạch số 72-KH/BCSĐ;\r\n\r\n\r\n  Kế hoạch\u00ad số 19-KH/BCSĐ  ",
        chair_name=f"Lương Phúc Sơn{PDF_MARK}",
    )
    session.refresh_from_db()
    assert session.title == "Hội nghị 2023"
    assert session.chair_name == "Lương Phúc Sơn"
    assert session.legal_basis == "Kế hoạch số 72-KH/BCSĐ;\n\nKế hoạch số 19-KH/BCSĐ"
    session_update(user=secretariat, session=session, venue=f"{LRI}Hội trường{PDI}")
    session.refresh_from_db()
    assert session.venue == "Hội trường"


def test_a_legal_basis_of_a_few_paragraphs_fits_and_one_more_character_does_not(
    login, secretariat, org
):
    paragraph = "Căn cứ Quy định số 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị. " * 10
    fits = "\n".join([paragraph.strip()] * 8)[: LEGAL_BASIS_MAX_LENGTH - 1] + "."
    client = login(secretariat)
    response = client.post("/sessions/new/", {**VALID, "legal_basis": fits, "organization": org.pk})
    assert response.status_code == 302
    assert len(VoteSession.objects.get().legal_basis) == LEGAL_BASIS_MAX_LENGTH

    too_long = "x" * (LEGAL_BASIS_MAX_LENGTH + 1)
    response = client.post(
        "/sessions/new/", {**VALID, "legal_basis": too_long, "organization": org.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["legal_basis"] == [
        "Ensure this value has at most 4000 characters (it has 4001)."
    ]
    assert 'maxlength="4000"' in response.content.decode()
    assert VoteSession.objects.count() == 1


def test_the_database_refuses_an_overlong_legal_basis(session):
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteSession.objects.filter(pk=session.pk).update(
            legal_basis="x" * (LEGAL_BASIS_MAX_LENGTH + 1)
        )


def test_the_database_refuses_an_overlong_audit_reason(session, org):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.create(organization=org, action="x", reason="x" * 2001)


def test_organization_names_in_the_admin_are_cleaned(db):
    from sessions.admin import OrganizationForm

    form = OrganizationForm(
        {
            "name": f"Viện kiểm sát{ZWSP} nhân dân tỉnh Quảng Ninh",
            "issuing_body": f"{RLO}Ban Cán sự Đảng VKSND tỉnh Quảng Ninh{PDF_MARK}",
            "parent_body": "",
            "place": f"Quảng{SOFT_HYPHEN} Ninh",
            "style": "party",
            "code": "BCSĐ",
        }
    )
    assert form.is_valid(), form.errors
    organization = form.save()
    assert organization.name == "Viện kiểm sát nhân dân tỉnh Quảng Ninh"
    assert organization.issuing_body == "Ban Cán sự Đảng VKSND tỉnh Quảng Ninh"
    assert organization.place == "Quảng Ninh"
