"""The sign-off page's document details (POST, the committee chair only): the count's end and
the announcement, witnesses and complaints, each document's number; for an elected body the
confirming resolution, which certification then signs and archives with the minutes and
report. Bad input: a clear message, nothing saved."""

import datetime as dt

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reports.models import DocumentKind, ResultDetails, SignedDocument
from reports.services import result_certify
from sessions.models import AuditEntry
from tests.reports.test_certify_views import (
    chair,  # noqa: F401 (fixture)
    confirm_all,
    counted,  # noqa: F401 (fixture)
    messages_of,
    signing_dir,  # noqa: F401 (fixture)
)
from tests.reports.test_council_documents import council  # noqa: F401 (fixture)


def details_url(session):
    return reverse("reports:signoff_details", kwargs={"pk": session.pk})


def test_chair_records_the_details(login, chair, counted):  # noqa: F811
    page = login(chair).get(reverse("reports:signoff", kwargs={"pk": counted.pk}))
    assert 'data-testid="details-form"' in page.content.decode()
    # The form offers now's time on the session's day.
    initial = page.context["details_form"].initial["count_ended_at"]
    assert initial.date() == dt.date(2023, 7, 3)
    response = login(chair).post(
        details_url(counted),
        {
            "count_ended_at": "2023-07-03T09:40",
            "announced_at": "2023-07-03T09:55",
            "minutes_number": "05",
            "report_number": "06",
            "witnesses": "",
            "complaints": "",
        },
        follow=True,
    )
    assert "The document details were saved." in messages_of(response)
    details = ResultDetails.objects.get(session=counted)
    assert (details.minutes_number, details.report_number) == ("05", "06")
    assert AuditEntry.objects.filter(session=counted, action="result.details").count() == 1
    # A Party session's form has no resolution fields.
    assert "resolution_number" not in response.context["details_form"].fields


def test_members_see_the_details_but_no_form(login, counting_member, counted):  # noqa: F811
    body = (
        login(counting_member)
        .get(reverse("reports:signoff", kwargs={"pk": counted.pk}))
        .content.decode()
    )
    assert 'data-testid="details"' in body
    assert 'data-testid="details-form"' not in body


def test_end_before_the_start_is_refused_and_nothing_saved(login, chair, counted):  # noqa: F811
    response = login(chair).post(
        details_url(counted),
        {"count_ended_at": "2023-07-03T07:00", "announced_at": "2023-07-03T09:55"},
        follow=True,
    )
    assert any("before the session starts" in m for m in messages_of(response))
    assert not ResultDetails.objects.filter(session=counted).exists()


def test_end_before_the_start_in_vietnamese(login, chair, counted):  # noqa: F811
    response = login(chair, lang="vi").post(
        details_url(counted), {"count_ended_at": "2023-07-03T07:00"}, follow=True
    )
    assert any("không thể trước khi hội nghị bắt đầu" in m for m in messages_of(response))
    assert not ResultDetails.objects.filter(session=counted).exists()


def test_resolution_for_a_party_session_is_refused(chair, counted):  # noqa: F811
    from reports.details import result_details_update
    from sessions.errors import DomainError

    with pytest.raises(DomainError, match="elected bodies|cơ quan dân cử"):
        result_details_update(user=chair, session=counted, resolution_votes_for=20)
    assert not ResultDetails.objects.filter(session=counted).exists()


def test_approval_over_the_deputies_is_refused(login, council):  # noqa: F811
    response = login(council.chair_user, lang="vi").post(
        details_url(council),
        {
            "count_ended_at": "2023-12-08T10:05",
            "announced_at": "2023-12-08T10:30",
            "resolution_votes_for": "48",
            "resolution_number": "45",
            "meeting_body": "Hội đồng nhân dân tỉnh Vĩnh Phúc khóa XVII, kỳ họp thứ 14",
        },
        follow=True,
    )
    assert any("lớn hơn tổng số đại biểu" in m for m in messages_of(response))
    assert not ResultDetails.objects.filter(session=council).exists()
    council.refresh_from_db()
    assert council.meeting_body.endswith("kỳ họp thứ 13")


def test_elected_certification_signs_the_resolution_too(login, council, signing_dir):  # noqa: F811
    chair_user = council.chair_user
    login(chair_user).post(
        details_url(council),
        {
            "count_ended_at": "2023-12-08T10:05",
            "announced_at": "2023-12-08T10:30",
            "resolution_number": "45",
            "resolution_votes_for": "44",
            "resolution_passed_on": "2023-12-08",
            "meeting_body": "Hội đồng nhân dân tỉnh Vĩnh Phúc khóa XVII, kỳ họp thứ 13",
        },
    )
    for member in council.committee_members.all():
        if member.user is None:
            from tests.factories import make_user

            member.user = make_user(
                f"uv-{member.pk}", organization=council.organization, roles=["counting"]
            )
            member.save(update_fields=["user"])
    confirm_all(council)
    from reports.key_services import trial_signer_install

    trial_signer_install(organization=council.organization)
    documents = result_certify(user=chair_user, session=council)
    assert {d.kind for d in documents} == {"minutes", "report", "resolution"}
    resolution = SignedDocument.objects.get(session=council, kind=DocumentKind.RESOLUTION)
    assert resolution.file_name == "Nghị quyết xác nhận kết quả lấy phiếu tín nhiệm - v1.pdf"
    reader = PdfReader(__import__("io").BytesIO(bytes(resolution.content)))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Số: 45/NQ-HĐND" in text
    assert "KẾT QUẢ CHÍNH THỨC" in text and "DỰ THẢO" not in text
    # Downloaded beside the minutes, by whoever sees the results.
    page = login(chair_user).get(reverse("reports:signoff", kwargs={"pk": council.pk}))
    assert f"signed/{resolution.pk}/" in page.content.decode()


def test_the_signed_resolution_verifies_and_a_changed_byte_does_not(council, signing_dir):  # noqa: F811
    from reports.key_services import trial_signer_install
    from reports.verification import document_verify
    from tests.factories import make_user

    enter = {"resolution_number": "45", "resolution_votes_for": 44}
    from reports.details import result_details_update

    result_details_update(user=council.chair_user, session=council, **enter)
    for member in council.committee_members.filter(user__isnull=True):
        member.user = make_user(
            f"uv-{member.pk}", organization=council.organization, roles=["counting"]
        )
        member.save(update_fields=["user"])
    confirm_all(council)
    trial_signer_install(organization=council.organization)
    result_certify(user=council.chair_user, session=council)
    resolution = SignedDocument.objects.get(session=council, kind=DocumentKind.RESOLUTION)
    content = bytes(resolution.content)
    verdict = document_verify(content)
    assert verdict.status == "authentic" and verdict.kind == "resolution"
    assert verdict.signer
    changed = bytearray(content)
    changed[len(changed) // 2] ^= 1
    assert document_verify(bytes(changed)).status == "modified"
