"""A session's document fields: the percentage base (a choice of the elected-body profile,
set up before voting), the body's words and signature, blocks of officials; from the session
file and the session form."""

import pytest
from django.urls import reverse
from django.utils import translation

from reports.selectors import tally_for_session
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.services.session_import import session_import
from sessions.services.sessions import session_update
from tests.factories import make_session
from tests.sessions.test_session_import_service import valid_data


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def elected_data() -> dict:
    data = valid_data()
    data["rule_profile"] = "assembly-96-2023"
    data["organization"]["style"] = "state"
    return data


@pytest.mark.django_db
def test_import_takes_the_base_words_signature_and_blocks():
    data = elected_data()
    data["percentage_base"] = "collected"
    data["meeting_body"] = "Hội đồng nhân dân tỉnh Thái Bình khóa XVII, kỳ họp thứ 15"
    data["secretary"] = "Vũ Thị Hoa"
    data["supervisors"] = ["Đồng chí A, Phó Trưởng ban Tổ chức Tỉnh ủy"]
    data["words"] = {"counting_body": "Ban kiểm phiếu", "counting_head": "Trưởng ban"}
    data["signature"] = {"on_behalf": "TM. HỘI ĐỒNG NHÂN DÂN", "deputy_of": "Chủ tịch",
                         "title": "Phó Chủ tịch"}  # fmt: skip
    data["officials"][0]["block"] = "Khối HĐND"
    data["officials"][1]["block"] = "Khối UBND"
    session = session_import(user=None, data=data)
    assert session.percentage_base == "collected"
    assert session.effective_percentage_base == "collected"
    assert session.words.counting_body == "Ban kiểm phiếu"
    assert session.words.presiding == "Chủ tọa"  # the elected profile's word
    assert (session.signer_on_behalf, session.signer_deputy_of, session.signer_title) == (
        "TM. HỘI ĐỒNG NHÂN DÂN",
        "Chủ tịch",
        "Phó Chủ tịch",
    )
    assert session.secretary_name == "Vũ Thị Hoa"
    assert list(session.officials.order_by("order").values_list("block", flat=True)) == [
        "Khối HĐND",
        "Khối UBND",
        "",
    ]
    assert tally_for_session(session=session).as_data()["percentage_base"] == "collected"


@pytest.mark.django_db
def test_a_party_session_cannot_take_another_base_and_nothing_is_saved():
    data = valid_data()
    data["percentage_base"] = "convened"
    data["words"] = {"chair": "x"}
    with pytest.raises(DomainError) as error:
        session_import(user=None, data=data)
    message = str(error.value)
    assert "percentage_base: must be one of collected" in message
    assert "words.chair: unknown key" in message
    assert not VoteSession.objects.exists()


@pytest.mark.django_db
def test_the_base_changes_only_before_voting(org):
    session = make_session(org, rule_profile="assembly-96-2023")
    session_update(user=None, session=session, percentage_base="collected")
    session.refresh_from_db()
    assert session.effective_percentage_base == "collected"
    session_update(user=None, session=session, percentage_base="convened")
    # A Party profile takes the ballots collected only.
    with pytest.raises(DomainError, match="takes the percentages over"):
        session_update(user=None, session=session, rule_profile="party-96-2023")
    session.status = "voting"
    session.save(update_fields=["status"])
    with pytest.raises(DomainError, match="before voting starts"):
        session_update(user=None, session=session, percentage_base="collected")


@pytest.mark.django_db
def test_session_form_offers_the_base_and_refuses_it_for_party(login, secretariat, session):
    client = login(secretariat)
    url = reverse("vote_sessions:edit", kwargs={"pk": session.pk})
    page = client.get(url).content.decode()
    assert 'name="percentage_base"' in page
    assert 'name="signer_on_behalf"' in page
    response = client.post(
        url,
        {
            "title": session.title,
            "rule_profile": "party-96-2023",
            "starts_at": "2023-07-03T08:00",
            "percentage_base": "convened",
            "double_entry": "on",
        },
    )
    assert response.status_code == 200
    assert "takes the percentages over" in response.content.decode()
    session.refresh_from_db()
    assert session.percentage_base == ""


@pytest.mark.django_db
def test_session_page_shows_the_base(login, secretariat, org):
    session = make_session(
        org,
        rule_profile="assembly-96-2023",
        percentage_base="collected",
        meeting_body="Hội đồng nhân dân tỉnh Thái Bình khóa XVII, kỳ họp thứ 15",
    )
    body = login(secretariat).get(reverse("vote_sessions:detail", kwargs={"pk": session.pk}))
    text = body.content.decode()
    assert 'data-testid="percentage-base">over the ballots collected<' in text
    assert "kỳ họp thứ 15" in text
