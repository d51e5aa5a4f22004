from sessions.services.sessions import session_update


def test_history_lists_changes_with_who_and_reason(login, secretariat, leader, session):
    session_update(user=secretariat, session=session, venue="Phòng họp lớn")
    response = login(leader).get(f"/sessions/{session.pk}/history/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Session details changed" in body
    assert "van-phong" in body
    assert "Phòng họp lớn" in body


def test_empty_history(login, secretariat, session):
    body = login(secretariat).get(f"/sessions/{session.pk}/history/").content.decode()
    assert "Nothing has been recorded" in body


def test_permissions(login, outsider, session):
    assert login(outsider).get(f"/sessions/{session.pk}/history/").status_code == 404
    assert login(None).get(f"/sessions/{session.pk}/history/").status_code == 302


def test_changes_read_old_to_new(login, secretariat, session):
    session_update(user=secretariat, session=session, venue="Phòng họp lớn")
    body = login(secretariat).get(f"/sessions/{session.pk}/history/").content.decode()
    assert "Hội trường tầng 3 → Phòng họp lớn" in body
