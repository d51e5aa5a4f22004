from sessions.models import AuditEntry, Role, VoteSession
from tests.factories import make_organization, make_user

VALID = {
    "title": "Hội nghị lấy phiếu tín nhiệm năm 2023",
    "rule_profile": "party-96-2023",
    "legal_basis": "Kế hoạch số 72-KH/BCSĐ, ngày 01/6/2023",
    "starts_at": "2023-07-03T08:00",
    "venue": "Hội trường",
    "chair_name": "Nguyễn Văn Chủ",
    "chair_position": "Viện trưởng",
}


def test_secretariat_creates_a_session(login, secretariat, org):
    response = login(secretariat).post("/sessions/new/", {**VALID, "organization": org.pk})
    session = VoteSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.pk}/"
    assert session.organization == org
    assert session.status == "draft"
    assert session.starts_at.isoformat() == "2023-07-03T01:00:00+00:00"  # 08:00 in Hà Nội time
    entry = AuditEntry.objects.get(session=session)
    assert entry.action == "session.create"
    assert entry.user == secretariat


def test_get_shows_the_form(login, secretariat):
    response = login(secretariat).get("/sessions/new/")
    assert response.status_code == 200
    assert 'name="title"' in response.content.decode()


def test_missing_title_is_refused_and_nothing_saved(login, secretariat, org):
    data = {**VALID, "title": "", "organization": org.pk}
    response = login(secretariat).post("/sessions/new/", data)
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert VoteSession.objects.count() == 0


def test_bad_date_is_refused(login, secretariat, org):
    data = {**VALID, "starts_at": "03/07/2023 tám giờ", "organization": org.pk}
    response = login(secretariat).post("/sessions/new/", data)
    assert response.status_code == 200
    assert "Enter a valid date/time" in response.content.decode()
    assert VoteSession.objects.count() == 0


def test_cannot_create_for_another_organization(login, secretariat, other_org):
    response = login(secretariat).post("/sessions/new/", {**VALID, "organization": other_org.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert VoteSession.objects.count() == 0


def test_user_with_two_organizations_chooses(login, org):
    second = make_organization(name="Tòa án nhân dân tỉnh Quảng Ninh")
    user = make_user("hai-noi", organization=org, roles=[Role.SECRETARIAT])
    user.memberships.create(organization=second, role=Role.SECRETARIAT)
    response = login(user).post("/sessions/new/", {**VALID, "organization": second.pk})
    assert response.status_code == 302
    assert VoteSession.objects.get().organization == second


def test_wrong_role_is_forbidden(login, counting_member, leader):
    for user in (counting_member, leader):
        assert login(user).get("/sessions/new/").status_code == 403
        assert login(user).post("/sessions/new/", VALID).status_code == 403
    assert VoteSession.objects.count() == 0


def test_anonymous_is_sent_to_login(login):
    response = login(None).get("/sessions/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
