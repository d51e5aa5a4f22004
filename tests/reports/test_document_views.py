"""The document downloads: minutes and report for the committee and leadership (the
secretariat once certified), the blank ballot paper for every role of the organization."""

import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from pypdf import PdfReader

from sessions.models import SessionStatus, VoteSession
from tests.reports.test_documents import seed_session


def url(session, kind, **query):
    path = reverse("reports:document", kwargs={"pk": session.pk, "kind": kind})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def counted(org):
    return seed_session(org, close=True)


def test_leader_downloads_the_minutes(login, leader, counted):
    response = login(leader).get(url(counted, "minutes"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    expected = f"Biên bản kiểm phiếu - {counted.title}.pdf"
    assert f"filename*=utf-8''{quote(expected)}" in disposition
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "BIÊN BẢN KIỂM PHIẾU" in text


def test_counting_member_downloads_the_report(login, counting_member, counted):
    response = login(counting_member).get(url(counted, "report"))
    assert response.status_code == 200
    assert "B%C3%A1o%20c%C3%A1o" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_anonymous_is_sent_to_login(login, counted):
    response = login(None).get(url(counted, "minutes"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("kind", ["minutes", "report", "ballots"])
def test_outsider_gets_404(login, outsider, counted, kind):
    assert login(outsider).get(url(counted, kind)).status_code == 404


def test_unknown_kind_is_404(login, leader, counted):
    assert login(leader).get(url(counted, "tally")).status_code == 404


@pytest.mark.parametrize("kind", ["minutes", "report"])
def test_secretariat_waits_for_certification(login, secretariat, counted, kind):
    client = login(secretariat)
    assert client.get(url(counted, kind)).status_code == 403
    VoteSession.objects.filter(pk=counted.pk).update(status=SessionStatus.CERTIFIED)
    # Certified: only the stored signed document is served, never a fresh render (this test
    # session was marked certified by hand and has none).
    assert client.get(url(counted, kind)).status_code == 404


def test_secretariat_prints_ballot_papers_before_the_vote(login, secretariat, org):
    session = seed_session(org)
    response = login(secretariat).get(url(session, "ballots", spares=3))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert quote("Phiếu tín nhiệm - ") in response["Content-Disposition"]
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 28 + 3


@pytest.mark.parametrize("spares", ["-1", "1001", "abc", "2.5"])
def test_bad_spares_is_a_clear_400(login, secretariat, org, spares):
    session = seed_session(org)
    response = login(secretariat).get(url(session, "ballots", spares=spares))
    assert response.status_code == 400
    assert b"from 0 to 1000" in response.content


def test_post_is_not_allowed(login, leader, counted):
    assert login(leader).post(url(counted, "minutes")).status_code == 405
