"""The signing-certificate pages (superusers only) and the certification readiness shown on
the session overview and the sign-off page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.key_services import trial_certificate_make
from sessions.models import Membership, Role, SignerKind, SigningSetup
from tests.certificates import issue

TRIAL_VI = "Chứng thư thử nghiệm — không có giá trị pháp lý"


@pytest.fixture(autouse=True)
def signing_dir(settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"
    settings.PKCS11_MODULES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/khong-co.so"]
    return settings.SIGNING_DIR


def page(org):
    return reverse("signing:organization", kwargs={"organization_id": org.pk})


def upload(client, org, content, password="mat-khau-p12", name="vks.p12"):
    return client.post(
        reverse("signing:upload", kwargs={"organization_id": org.pk}),
        {"file": SimpleUploadedFile(name, content), "password": password},
    )


@pytest.mark.parametrize(
    "persona, status",
    [("secretariat", 403), ("leader", 403), ("outsider", 404)],
    indirect=["persona"],
)
def test_only_superusers_see_the_pages(login, org, persona, status):
    client = login(persona)
    assert client.get(page(org)).status_code == status
    assert client.post(
        reverse("signing:trial", kwargs={"organization_id": org.pk})
    ).status_code == (status)
    assert client.get(reverse("signing:list")).status_code == 403
    assert not SigningSetup.objects.exists()


def test_anonymous_is_sent_to_login(login, org):
    response = login(None).get(page(org))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_unknown_organization_is_404_for_a_superuser(login, superuser):
    url = reverse("signing:organization", kwargs={"organization_id": 987654})
    assert login(superuser).get(url).status_code == 404


def test_list_shows_each_organization_and_whether_it_can_certify(
    login, superuser, org, other_org, django_assert_max_num_queries
):
    trial_certificate_make(user=superuser, organization=other_org)
    client = login(superuser)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("signing:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert org.name in html and other_org.name in html
    assert "No certificate" in html
    assert "Possible" in html


def test_upload_shows_the_certificate_then_installs_it(login, superuser, org):
    client = login(superuser)
    response = upload(client, org, issue().p12(b"mat-khau-p12"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "CN=Viện kiểm sát nhân dân tỉnh Quảng Ninh, C=VN" in html
    assert "CN=CA thử nghiệm Chính phủ" in html
    assert "digital signature, non-repudiation" in html
    assert not SigningSetup.objects.exists()
    token = response.context["pending"].token
    accept = client.post(
        reverse("signing:upload_accept", kwargs={"organization_id": org.pk}),
        {"token": token, "decision": "accept"},
    )
    assert accept.status_code == 302
    setup = SigningSetup.objects.get(organization=org)
    assert (setup.kind, setup.is_trial, setup.updated_by) == (SignerKind.PKCS12, False, superuser)
    html = client.get(page(org)).content.decode()
    assert "Certification will be possible" in html
    assert "Signing certificate file installed" in html


def test_a_wrong_password_is_a_form_error_and_nothing_is_kept(login, superuser, org, signing_dir):
    response = upload(login(superuser), org, issue().p12(b"mat-khau-p12"), password="sai")
    assert response.status_code == 200
    assert "the password is wrong" in response.content.decode()
    assert not SigningSetup.objects.exists()
    assert not (signing_dir / "pending").exists()


def test_discarding_an_upload_changes_nothing(login, superuser, org):
    client = login(superuser)
    token = upload(client, org, issue().p12(b"mat-khau-p12")).context["pending"].token
    response = client.post(
        reverse("signing:upload_accept", kwargs={"organization_id": org.pk}),
        {"token": token, "decision": "cancel"},
    )
    assert response.status_code == 302
    assert not SigningSetup.objects.exists()


def test_trial_certificate_is_marked_on_the_page_overview_and_signoff(
    login, superuser, org, session, leader
):
    client = login(superuser, lang="vi")
    response = client.post(reverse("signing:trial", kwargs={"organization_id": org.pk}))
    assert response.status_code == 302
    assert SigningSetup.objects.get(organization=org).is_trial
    badge = f'data-testid="trial-badge">{TRIAL_VI}<'
    assert badge in client.get(page(org)).content.decode()
    leader_client = login(leader, lang="vi")
    overview = leader_client.get(reverse("vote_sessions:detail", kwargs={"pk": session.pk}))
    assert badge in overview.content.decode()
    signoff = leader_client.get(reverse("reports:signoff", kwargs={"pk": session.pk}))
    assert badge in signoff.content.decode()


def test_the_overview_says_from_day_one_who_can_fix_a_missing_certificate(
    login, secretariat, superuser, org, session
):
    url = reverse("vote_sessions:detail", kwargs={"pk": session.pk})
    html = login(secretariat).get(url).content.decode()
    assert "Certification will not be possible yet" in html
    assert "Only a system administrator (superuser)" in html
    assert page(org) not in html
    # A superuser who also works in the organization gets the link.
    Membership.objects.create(user=superuser, organization=org, role=Role.SECRETARIAT)
    html = login(superuser).get(url).content.decode()
    assert f'href="{page(org)}"' in html


def test_token_is_checked_shown_then_saved(login, superuser, org, softhsm, monkeypatch):
    monkeypatch.setenv("VKS_TOKEN_PIN", softhsm.pin)
    client = login(superuser)
    url = reverse("signing:token", kwargs={"organization_id": org.pk})
    fields = {
        "pkcs11_module": softhsm.module,
        "token_label": softhsm.token_label,
        "key_label": softhsm.key_label,
        "pin_env": "VKS_TOKEN_PIN",
    }
    response = client.post(url, {**fields, "decision": "check"})
    assert response.status_code == 200
    assert "Viện kiểm sát nhân dân tỉnh Quảng Ninh (token)" in response.content.decode()
    assert not SigningSetup.objects.exists()
    response = client.post(url, {**fields, "decision": "save"})
    assert response.status_code == 302
    setup = SigningSetup.objects.get(organization=org)
    assert (setup.kind, setup.token_label) == (SignerKind.PKCS11, softhsm.token_label)


def test_token_errors_are_shown_on_the_form(login, superuser, org, softhsm, monkeypatch):
    monkeypatch.setenv("VKS_TOKEN_PIN", "000000")
    response = login(superuser).post(
        reverse("signing:token", kwargs={"organization_id": org.pk}),
        {
            "pkcs11_module": softhsm.module,
            "token_label": softhsm.token_label,
            "key_label": softhsm.key_label,
            "pin_env": "VKS_TOKEN_PIN",
            "decision": "save",
        },
    )
    assert response.status_code == 200
    assert "The token could not be used" in response.content.decode()
    assert not SigningSetup.objects.exists()


def test_an_expiring_certificate_is_flagged_on_the_overview(login, superuser, org, session, leader):
    client = login(superuser)
    token = upload(client, org, issue(days_left=12).p12(b"mat-khau-p12")).context["pending"].token
    client.post(
        reverse("signing:upload_accept", kwargs={"organization_id": org.pk}),
        {"token": token, "decision": "accept"},
    )
    html = (
        login(leader, lang="vi")
        .get(reverse("vote_sessions:detail", kwargs={"pk": session.pk}))
        .content.decode()
    )
    assert 'data-state="expiring"' in html
    assert "Có thể chứng nhận kết quả, nhưng chứng thư số ký sắp hết hạn" in html
    assert "(còn 11 ngày)" in html or "(còn 12 ngày)" in html
