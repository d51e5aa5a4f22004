from sessions.models import SessionStatus
from tests.factories import make_ready_session


def test_overview_shows_counts_and_quorum(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=28)
    response = login(secretariat).get(f"/sessions/{session.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="present-count">28/31' in body
    assert "Quorum met" in body
    assert 'data-testid="start-voting"' in body


def test_quorum_not_met_is_shown_with_the_number_needed(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=20)
    body = login(secretariat).get(f"/sessions/{session.pk}/").content.decode()
    assert "Quorum not met (needs 21)" in body


def test_read_only_roles_see_no_actions(login, counting_member, leader, org):
    session = make_ready_session(org)
    for user in (counting_member, leader):
        body = login(user).get(f"/sessions/{session.pk}/").content.decode()
        assert 'data-testid="start-voting"' not in body
        assert f"/sessions/{session.pk}/edit/" not in body


def test_voting_session_offers_unlock(login, secretariat, org):
    session = make_ready_session(org)
    session.status = SessionStatus.VOTING
    session.save()
    body = login(secretariat).get(f"/sessions/{session.pk}/").content.decode()
    assert f"/sessions/{session.pk}/unlock/" in body
    assert 'data-testid="locked-banner"' in body


def test_vietnamese_page(login, secretariat, org):
    session = make_ready_session(org)
    body = login(secretariat, lang="vi").get(f"/sessions/{session.pk}/").content.decode()
    assert "Có mặt" in body


def test_permissions(login, outsider, session):
    assert login(outsider).get(f"/sessions/{session.pk}/").status_code == 404
    assert login(None).get(f"/sessions/{session.pk}/").status_code == 302


def test_every_viewer_finds_the_ballot_paper_and_may_open_it(
    login, secretariat, counting_member, leader, org
):
    session = make_ready_session(org, convened=31, present=28, officials=5)
    link = f'href="/sessions/{session.pk}/results/ballots.pdf" data-testid="ballot-paper-link"'
    for user in (secretariat, counting_member, leader):
        client = login(user)
        body = client.get(f"/sessions/{session.pk}/").content.decode()
        assert link in body
        assert ">Ballot paper (PDF)<" in body
        response = client.get(f"/sessions/{session.pk}/results/ballots.pdf")
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")


def test_the_ballot_paper_link_waits_for_the_officials(login, secretariat, org):
    session = make_ready_session(org, officials=0)
    body = login(secretariat).get(f"/sessions/{session.pk}/").content.decode()
    assert 'data-testid="ballot-paper-link"' not in body
    assert "The ballot paper can be printed once the officials to be rated are listed." in body


def test_the_ballot_paper_is_called_by_its_vietnamese_name(login, secretariat, org):
    session = make_ready_session(org)
    body = login(secretariat, lang="vi").get(f"/sessions/{session.pk}/").content.decode()
    assert ">Phiếu tín nhiệm (PDF)<" in body
