"""The attendance screen (GET): list, search, sort, counter, quorum, roles."""

import re

import pytest

from sessions.models import SessionStatus
from tests.factories import make_delegate, make_delegates, make_ready_session

ROW = re.compile(r'<tr[^>]*data-testid="delegate-row"[^>]*>')


def url(session, query=""):
    return f"/sessions/{session.pk}/attendance/{query}"


def rows(body):
    """The opening tags of the delegate rows, in page order."""
    return ROW.findall(body)


def row_id(tag):
    return int(re.search(r'data-delegate-id="(\d+)"', tag).group(1))


def visible_ids(body):
    return [row_id(tag) for tag in rows(body) if " hidden" not in tag]


def test_secretariat_sees_every_delegate_with_counter_and_quorum(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=28)
    response = login(secretariat).get(url(session))
    body = response.content.decode()
    assert response.status_code == 200
    assert len(rows(body)) == 31
    assert re.search(r'data-testid="present-counter">Present <strong>28/31</strong>', body)
    assert 'data-testid="quorum-status" data-quorum-met="true"' in body
    assert "Quorum met (at least 21 of 31)" in body
    assert body.count('data-testid="mark-present"') == 31
    assert 'data-testid="keyboard-help"' in body
    assert "<kbd>" in body
    assert "js/attendance.js" in body


def test_search_box_is_autofocused(login, secretariat, session):
    body = login(secretariat).get(url(session)).content.decode()
    search = re.search(r'<input[^>]*data-testid="attendance-search"[^>]*>', body, re.S).group(0)
    assert "autofocus" in search
    assert 'name="q"' in search


def test_quorum_not_met_says_how_many_more(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=18)
    body = login(secretariat).get(url(session)).content.decode()
    assert 'data-quorum-met="false"' in body
    assert "Quorum not met: 3 more needed" in body
    assert "18/31" in body


def test_rows_carry_the_name_and_attendance_for_the_keyboard(login, secretariat, session):
    delegate = make_delegate(
        session, full_name="Đỗ Thị Hằng", position="Chánh Văn phòng", unit="Văn phòng"
    )
    body = login(secretariat).get(url(session)).content.decode()
    (tag,) = rows(body)
    assert row_id(tag) == delegate.pk
    assert 'data-name="Đỗ Thị Hằng"' in tag
    assert 'data-attendance="unknown"' in tag


def test_search_on_the_server_ignores_accents_and_case(login, secretariat, session):
    hang = make_delegate(session, full_name="Đỗ Thị Hằng")
    hung = make_delegate(session, full_name="Nguyễn Văn Hùng")
    hung2 = make_delegate(session, full_name="Trần Văn Hưng", unit="Sở Nguyễn Văn")
    client = login(secretariat)
    body = client.get(url(session, "?q=hang")).content.decode()
    assert visible_ids(body) == [hang.pk]  # only those found are sent
    assert 'value="hang"' in body
    assert "1 delegate found" in body
    # Every word must match, in any order, in the name, position, unit or group.
    assert visible_ids(client.get(url(session, "?q=hung+nguyen")).content.decode()) == [
        hung.pk,
        hung2.pk,
    ]
    assert visible_ids(client.get(url(session), {"q": "NGUYỄN văn"}).content.decode()) == [
        hung.pk,
        hung2.pk,
    ]
    assert visible_ids(client.get(url(session), {"q": "đỗ"}).content.decode()) == [hang.pk]


def selected_ids(body):
    return [row_id(tag) for tag in rows(body) if "is-selected" in tag]


def test_an_exact_full_name_wins_over_partial_matches_elsewhere(login, secretariat, session):
    le = make_delegate(session, full_name="Hồ Thị Lê", position="Phó Chánh Văn phòng")
    make_delegate(session, full_name="Nguyễn Văn Nam", position="Thư ký của đồng chí Hồ Thị Lê")
    make_delegate(session, full_name="Trần Thị Mai", unit="Tổ công tác Hồ Thị Lê")
    make_delegate(session, full_name="Hồ Thị Lên")
    client = login(secretariat)

    for query in ["Hồ Thị Lê", "hồ thị lê", "ho thi le", "  HO  THI LE "]:
        body = client.get(url(session), {"q": query}).content.decode()
        # The others still show (they contain the words, "Lên" too) but the exact name is the
        # one chosen.
        assert len(visible_ids(body)) == 4
        assert selected_ids(body) == [le.pk], query
        assert 'aria-current="true"' in rows(body)[0]


def test_accents_typed_tell_apart_names_that_differ_only_in_accents(login, secretariat, session):
    le = make_delegate(session, full_name="Hồ Thị Lê")
    le_heavy = make_delegate(session, full_name="Hồ Thị Lệ")
    client = login(secretariat)

    assert selected_ids(client.get(url(session), {"q": "Hồ Thị Lệ"}).content.decode()) == [
        le_heavy.pk
    ]
    assert selected_ids(client.get(url(session), {"q": "Hồ Thị Lê"}).content.decode()) == [le.pk]
    # Without accents both are the query: no winner, the operator must choose.
    assert selected_ids(client.get(url(session), {"q": "ho thi le"}).content.decode()) == []


def test_two_delegates_of_the_same_name_give_no_winner(login, secretariat, session):
    make_delegate(session, full_name="Hồ Thị Lê", unit="Phòng 1")
    make_delegate(session, full_name="Hồ Thị Lê", unit="Phòng 2")
    body = login(secretariat).get(url(session), {"q": "Hồ Thị Lê"}).content.decode()
    assert len(visible_ids(body)) == 2
    assert selected_ids(body) == []


def test_search_without_match_says_so(login, secretariat, session):
    make_delegate(session, full_name="Đỗ Thị Hằng")
    body = login(secretariat).get(url(session, "?q=xyz")).content.decode()
    assert visible_ids(body) == []
    assert 'data-testid="attendance-no-match"' in body
    assert 'data-testid="attendance-empty"' not in body


def test_list_order_by_default_and_vietnamese_name_order_on_request(login, secretariat, session):
    duc = make_delegate(session, full_name="Đỗ Văn Đức")
    dung = make_delegate(session, full_name="Nguyễn Văn Dũng")
    an = make_delegate(session, full_name="Lê Thị An")
    anh = make_delegate(session, full_name="Bùi Thị Ánh")
    client = login(secretariat)
    body = client.get(url(session)).content.decode()
    assert [row_id(tag) for tag in rows(body)] == [duc.pk, dung.pk, an.pk, anh.pk]
    body = client.get(url(session, "?sort=name")).content.decode()
    # By given name: An, Ánh (tone second), Dũng, then Đức (đ comes after d).
    assert [row_id(tag) for tag in rows(body)] == [an.pk, anh.pk, dung.pk, duc.pk]


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_see_list_and_counts_without_buttons(login, persona, org):
    session = make_ready_session(org, convened=31, present=28)
    response = login(persona).get(url(session))
    body = response.content.decode()
    assert response.status_code == 200
    assert len(rows(body)) == 31
    assert "28/31" in body
    assert 'data-testid="mark-present"' not in body
    assert '<form method="post"' not in body.split('data-role="attendance-table"')[1]
    assert 'data-testid="attendance-readonly"' in body


def test_locked_session_shows_list_without_buttons(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=28)
    session.status = SessionStatus.VOTING
    session.save()
    body = login(secretariat).get(url(session)).content.decode()
    assert len(rows(body)) == 31
    assert "28/31" in body
    assert 'data-testid="mark-present"' not in body
    assert 'data-testid="attendance-locked"' in body
    assert 'data-testid="keyboard-help"' not in body


def test_empty_state_without_delegates(login, secretariat, session):
    body = login(secretariat).get(url(session)).content.decode()
    assert 'data-testid="attendance-empty"' in body
    assert f"/sessions/{session.pk}/delegates/" in body
    assert 'data-quorum-met="false"' in body


def test_vietnamese_is_the_default(login, secretariat, org):
    session = make_ready_session(org, convened=3, present=2)
    response = login(secretariat, lang="vi").get(url(session))
    assert response.status_code == 200
    assert "2/3" in response.content.decode()


def test_anonymous_is_sent_to_login(login, session):
    response = login(None).get(url(session))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_outsider_gets_404(login, outsider, session):
    assert login(outsider).get(url(session)).status_code == 404


def test_post_is_not_allowed(login, secretariat, session):
    assert login(secretariat).post(url(session)).status_code == 405


def test_query_count_does_not_grow_with_delegates(
    login, secretariat, org, django_assert_max_num_queries
):
    small = make_ready_session(org, convened=5, present=4)
    large = make_ready_session(org, convened=120, present=50)
    client = login(secretariat)
    with django_assert_max_num_queries(7):
        assert client.get(url(small)).status_code == 200
    with django_assert_max_num_queries(7):
        body = client.get(url(large, "?sort=name")).content.decode()
    assert len(rows(body)) == 50
    with django_assert_max_num_queries(8):  # and the one whose name is the search
        body = client.get(url(large), {"q": "Đại Biểu 7"}).content.decode()
    assert len(rows(body)) == 21  # every number with a 7 in it: 7, 17, …, 70–79, …, 117


def test_fifty_a_page_with_the_search_and_order_kept(login, secretariat, session):
    make_delegates(session, convened=120, present=0)
    client = login(secretariat)
    body = client.get(url(session)).content.decode()
    assert len(rows(body)) == 50
    assert "Page 1 of 3 (1–50 of 120)" in body
    assert 'accesskey="n"' in body and "?page=2" in body
    body = client.get(url(session), {"page": 3}).content.decode()
    assert len(rows(body)) == 20
    assert "Quorum not met" in body  # the counter counts everyone, not the page
    body = client.get(url(session), {"q": "biểu 1", "sort": "name"}).content.decode()
    nxt = re.search(r'data-testid="page-next"|href="([^"]*page=2[^"]*)"', body)
    assert nxt and "q=bi%E1%BB%83u+1" in nxt.group(1) and "sort=name" in nxt.group(1)
    # Marks keep the page they were made on.
    assert 'name="page" value="1"' in body


def test_the_full_name_typed_comes_first_whatever_its_page(login, secretariat, session):
    for n in range(1, 61):
        make_delegate(session, full_name=f"Hồ Thị Lê {n}" if n < 60 else "Hồ Thị Lê")
    body = login(secretariat).get(url(session), {"q": "ho thi le"}).content.decode()
    first = rows(body)[0]
    assert 'data-name="Hồ Thị Lê"' in first and "is-selected" in first
    assert len(rows(body)) == 50


def test_name_order_runs_across_pages(login, secretariat, session):
    names = [f"Nguyễn Văn {chr(ord('A') + n % 26)}{n:03d}" for n in range(60)]
    for name in names:
        make_delegate(session, full_name=name)
    client = login(secretariat)
    shown = []
    for page in (1, 2):
        body = client.get(url(session), {"sort": "name", "page": page}).content.decode()
        shown += re.findall(r'data-name="([^"]+)"', body)
    assert shown == sorted(names, key=lambda name: name.split()[-1])


def test_the_live_search_gets_the_list_alone(login, secretariat, session):
    make_delegate(session, full_name="Đỗ Thị Hằng")
    make_delegate(session, full_name="Nguyễn Văn Hùng")
    response = login(secretariat).get(url(session), {"q": "hang"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="attendance-results"' in body and "<html" not in body
    assert len(rows(body)) == 1


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_can_search_and_page(login, persona, org):
    session = make_ready_session(org, convened=60, present=28)
    client = login(persona)
    body = client.get(url(session), {"page": 2}).content.decode()
    assert len(rows(body)) == 10 and 'data-testid="mark-present"' not in body
    body = client.get(url(session), {"q": "dai bieu 6"}).content.decode()
    assert len(rows(body)) == 7  # 6, 16, …, 56 and 60


def test_outsider_cannot_search(login, outsider, session):
    make_delegate(session, full_name="Đỗ Thị Hằng")
    assert login(outsider).get(url(session), {"q": "hang"}).status_code == 404
    response = login(outsider).get(url(session), {"q": "hang"}, headers={"HX-Request": "true"})
    assert response.status_code == 404


def test_many_delegates_render(login, secretariat, session):
    make_delegates(session, convened=40, present=0)
    body = login(secretariat).get(url(session)).content.decode()
    assert len(rows(body)) == 40
    assert "Quorum not met: 27 more needed" in body
