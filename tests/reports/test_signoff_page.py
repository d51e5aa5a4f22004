"""The sign-off page: clear states before the count closes, who has confirmed, the password
form for a member who has not, the chair's certify button, the certified state and documents."""

import pytest
from django.urls import reverse

from reports.models import SignedDocument
from reports.selectors import tally_for_session
from reports.services import result_confirm, result_reopen
from sessions.models import Role
from tests.ballots import make_counting_session
from tests.factories import PASSWORD, make_session, make_user
from tests.reports import test_certify_views as certification
from tests.reports.test_certify_views import confirm_all

# Fixtures shared with the sign-off views' tests.
certified = certification.certified
chair = certification.chair
counted = certification.counted
signer = certification.signer
signing_dir = certification.signing_dir


def page(session):
    return reverse("reports:signoff", kwargs={"pk": session.pk})


def body_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_draft_session_says_the_count_must_close_first(login, org, counting_member):
    session = make_session(org)
    body = body_of(login(counting_member).get(page(session)))
    assert "The count must be closed before the result can be confirmed." in body
    assert "Counting has not opened yet for this session." in body
    assert 'data-testid="confirm-form"' not in body


def test_open_count_says_the_count_must_close_first(login, org, chair, counting_member):
    session = make_counting_session(org, chair=chair, members=[counting_member])
    # A typist of the open count is blind: the page is for those who may see results.
    assert login(counting_member).get(page(session)).status_code == 403
    body = body_of(login(chair).get(page(session)))
    assert "The count must be closed before the result can be confirmed." in body
    assert "The count is open" in body
    assert 'data-testid="confirm-form"' not in body
    assert 'data-testid="certify-form"' not in body


def test_member_sees_version_fingerprint_and_password_form(login, counting_member, counted):
    body = body_of(login(counting_member).get(page(counted)))
    tally = tally_for_session(session=counted)
    code = tally.draft_code(version=1)
    assert "DỰ THẢO" in body
    assert f'data-testid="fingerprint">{code}<' in body
    # Never the plain SHA-256 of the result data before certification.
    assert tally.fingerprint() not in body
    assert 'data-testid="version">1<' in body
    assert 'data-testid="confirm-form"' in body
    assert 'type="password"' in body
    assert "Đỗ Văn Chánh" in body  # the chair's seat
    assert body.count(">not yet<") == 2
    assert 'data-testid="certify-form"' not in body  # a member never certifies


def test_confirmed_member_sees_no_form(login, counting_member, counted):
    result_confirm(user=counting_member, session=counted, password=PASSWORD)
    body = body_of(login(counting_member).get(page(counted)))
    assert 'data-testid="confirm-form"' not in body
    assert body.count(">confirmed<") == 1
    assert body.count(">not yet<") == 1


def test_chair_waits_for_every_confirmation(login, chair, counted):
    result_confirm(user=chair, session=counted, password=PASSWORD)
    body = body_of(login(chair).get(page(counted)))
    assert 'data-testid="certify-form"' not in body
    assert "You can certify the result once every committee member has confirmed it." in body
    assert "Phạm Văn Kiểm" in body.split('data-testid="missing"')[1]


def test_chair_gets_the_certify_button_when_all_confirmed(login, chair, counted):
    confirm_all(counted)
    body = body_of(login(chair).get(page(counted)))
    assert 'data-testid="certify-form"' in body
    assert "Certify the result" in body
    assert 'data-testid="missing"' not in body


def test_certified_state_documents_and_chair_forms(login, chair, certified):
    body = body_of(login(chair).get(page(certified)))
    assert "KẾT QUẢ CHÍNH THỨC" in body
    assert "DỰ THẢO" not in body
    for document in SignedDocument.objects.filter(session=certified):
        link = reverse(
            "reports:signed_document", kwargs={"pk": certified.pk, "document_id": document.pk}
        )
        assert link in body
        assert document.sha256 in body
    assert 'data-testid="reopen-form"' in body
    assert 'data-testid="paper-form"' in body
    assert 'data-testid="superseded"' not in body


def test_leader_sees_documents_but_no_chair_forms(login, leader, certified):
    body = body_of(login(leader).get(page(certified)))
    assert "KẾT QUẢ CHÍNH THỨC" in body
    assert body.count("Download</a>") == 2
    assert 'data-testid="reopen-form"' not in body
    assert 'data-testid="paper-form"' not in body


def test_superseded_documents_stay_listed_after_the_current_ones(login, org, chair, certified):
    old_ids = set(SignedDocument.objects.filter(session=certified).values_list("pk", flat=True))
    result_reopen(user=chair, session=certified, reason="Sửa phiếu")
    certified.refresh_from_db()
    body = body_of(login(chair).get(page(certified)))
    assert body.count('data-testid="superseded"') == 2
    for pk in old_ids:
        assert f'data-testid="download-{pk}"' in body
    assert "The count must be closed before the result can be confirmed." in body


def test_secretariat_sees_the_page_once_certified(login, secretariat, counted, certified):
    assert login(secretariat).get(page(counted)).status_code == 403
    body = body_of(login(secretariat).get(page(certified)))
    assert "KẾT QUẢ CHÍNH THỨC" in body
    assert 'data-testid="confirm-form"' not in body


def test_permissions(login, outsider, leader, counted):
    anonymous = login(None).get(page(counted))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert login(outsider).get(page(counted)).status_code == 404
    assert login(leader).post(page(counted)).status_code == 405


def test_a_counting_user_of_the_organization_reads_it(login, org, counted):
    reader = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    body = body_of(login(reader).get(page(counted)))
    assert 'data-testid="confirm-form"' not in body  # not on this session's committee


def test_query_count_is_bounded(login, leader, certified, django_assert_max_num_queries):
    client = login(leader)
    with django_assert_max_num_queries(30):
        client.get(page(certified))


@pytest.mark.parametrize("lang", ["vi"])
def test_vietnamese_page_renders(login, leader, certified, lang):
    body = body_of(login(leader, lang=lang).get(page(certified)))
    assert "KẾT QUẢ CHÍNH THỨC" in body
