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


def _count_session(org, counting_member):
    """A session with ballot entries in its record, counted by a chair and `counting_member`."""
    from ballots.services import ballots_import
    from tests.ballots import entry, make_chair_user, make_counting_session

    chair = make_chair_user(org)
    session = make_counting_session(org, chair=chair, members=[counting_member])
    session.committee_members.filter(user=chair).update(typing="any")
    ballots_import(user=chair, session=session, entry_pass=1, rows=[entry(1)])
    return session, chair


def test_leadership_sees_ballot_entries_and_filters_by_action_and_person(
    login, org, leader, counting_member
):
    session, _chair = _count_session(org, counting_member)
    client = login(leader)
    body = client.get(f"/sessions/{session.pk}/history/").content.decode()
    assert "Ballots imported from a file" in body
    assert "Counting opened" in body
    assert '<option value="ballot.import">' in body
    assert '<option value="to-truong">' in body

    body = client.get(f"/sessions/{session.pk}/history/?action=ballot.import").content.decode()
    rows = body.split('data-testid="history-rows"')[1]
    assert "Ballots imported from a file" in rows
    assert "Counting opened" not in rows

    body = client.get(f"/sessions/{session.pk}/history/?user=nobody").content.decode()
    assert "No entry matches this filter." in body


def test_others_do_not_see_ballot_entries(login, org, secretariat, counting_member):
    session, chair = _count_session(org, counting_member)
    for user in (secretariat, counting_member):
        body = login(user).get(f"/sessions/{session.pk}/history/").content.decode()
        assert "Ballots imported from a file" not in body
        assert '<option value="ballot.import">' not in body
        assert "Counting opened" in body
    # The committee chair reads them.
    body = login(chair).get(f"/sessions/{session.pk}/history/").content.decode()
    assert "Ballots imported from a file" in body


def test_ballot_entries_read_as_words_with_officials_by_name(login, org, leader, counting_member):
    """The record and the history show "Trần Văn Cán 1: High confidence", never dicts or keys."""
    from ballots.services import ballot_record
    from tests.ballots import entry

    session, chair = _count_session(org, counting_member)
    ballot_record(user=counting_member, session=session, entry_pass=2, entry=entry(1))
    for url in (f"/sessions/{session.pk}/history/", f"/sessions/{session.pk}/count/log/"):
        body = login(leader).get(url).content.decode()
        assert "1. Trần Văn Cán 1: High confidence" in body
        assert "Entry pass" in body and "Second entry" in body
        table = body.split('-rows"')[-1].split("</table>")[0]
        assert "{" not in table and "marks:" not in table
        assert "&#x27;high&#x27;" not in body and "'high'" not in body
    body = login(leader, lang="vi").get(f"/sessions/{session.pk}/history/").content.decode()
    assert "Tín nhiệm cao" in body
    assert "Lượt nhập" in body


def test_a_fingerprint_in_the_history_is_for_those_who_may_see_results(
    login, session, secretariat, leader
):
    from sessions.audit import audit_record

    audit_record(
        action="result.confirm",
        user=leader,
        session=session,
        data={"version": 1, "fingerprint": "ab12" * 16, "member": "Phạm Văn Kiểm"},
    )
    body = login(secretariat).get(f"/sessions/{session.pk}/history/").content.decode()
    assert "Result confirmed by a committee member" in body
    assert "ab12ab12" not in body
    assert "ab12ab12" in login(leader).get(f"/sessions/{session.pk}/history/").content.decode()
