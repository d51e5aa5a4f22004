from sessions.models import AuditEntry, SessionStatus

VALID = {
    "title": "Hội nghị đã sửa tên",
    "rule_profile": "party-96-2023",
    "legal_basis": "Kế hoạch số 72-KH/BCSĐ",
    "starts_at": "2023-07-03T14:30",
    "venue": "Phòng họp số 2",
    "chair_name": "Nguyễn Văn Chủ",
    "chair_position": "Viện trưởng",
}


def test_secretariat_edits_and_the_change_is_audited(login, secretariat, session):
    response = login(secretariat).post(f"/sessions/{session.pk}/edit/", VALID)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Hội nghị đã sửa tên"
    assert session.venue == "Phòng họp số 2"
    entry = AuditEntry.objects.get(action="session.update")
    assert entry.data["title"] == [
        "Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ",
        "Hội nghị đã sửa tên",
    ]
    assert "chair_name" not in entry.data


def test_rule_profile_cannot_change_once_voting(login, secretariat, session):
    session.status = SessionStatus.VOTING
    session.save()
    data = {**VALID, "rule_profile": "assembly-96-2023"}
    response = login(secretariat).post(f"/sessions/{session.pk}/edit/", data)
    assert response.status_code == 200
    assert "The rule profile can only change before voting starts." in response.content.decode()
    session.refresh_from_db()
    assert session.rule_profile == "party-96-2023"
    assert session.title != "Hội nghị đã sửa tên"


def test_empty_title_refused(login, secretariat, session):
    response = login(secretariat).post(f"/sessions/{session.pk}/edit/", {**VALID, "title": " "})
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.title == "Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ"
    assert not AuditEntry.objects.exists()


def test_get_prefills_the_form(login, secretariat, session):
    response = login(secretariat).get(f"/sessions/{session.pk}/edit/")
    assert response.status_code == 200
    assert 'value="2023-07-03T08:00"' in response.content.decode()


def test_permissions(login, counting_member, leader, outsider, session):
    assert login(outsider).get(f"/sessions/{session.pk}/edit/").status_code == 404
    assert login(counting_member).post(f"/sessions/{session.pk}/edit/", VALID).status_code == 403
    assert login(leader).get(f"/sessions/{session.pk}/edit/").status_code == 403
    assert login(None).get(f"/sessions/{session.pk}/edit/").status_code == 302
    assert login(outsider).get("/sessions/999999/edit/").status_code == 404
    session.refresh_from_db()
    assert session.title == "Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ"


def test_double_entry_changes_until_counting_opens(login, secretariat, session):
    client = login(secretariat)
    assert client.post(f"/sessions/{session.pk}/edit/", VALID).status_code == 302
    session.refresh_from_db()
    assert session.double_entry is False  # an unticked box
    session.status = SessionStatus.COUNTING
    session.ballots_issued = 1
    session.save()
    response = client.post(f"/sessions/{session.pk}/edit/", {**VALID, "double_entry": "on"})
    assert "Double entry can only change before counting opens." in response.content.decode()
    session.refresh_from_db()
    assert session.double_entry is False
