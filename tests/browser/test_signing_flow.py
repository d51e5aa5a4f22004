"""A superuser sets up an organization's signing certificate in Chromium: the session overview
first says certification is not possible yet; a .p12 is uploaded with its password, its
subject, issuer and validity are shown, then it is installed; a trial certificate replaces it,
marked as a trial on the management page and the overview; a key on a SoftHSM2 token is
checked and chosen."""

import pytest
from playwright.sync_api import expect

from sessions.models import Membership, Role, SignerKind, SigningSetup
from tests.certificates import issue
from tests.factories import PASSWORD, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRIAL_VI = "Chứng thư thử nghiệm — không có giá trị pháp lý"


def test_superuser_sets_up_signing_in_the_browser(
    page, live_server, org, superuser, settings, tmp_path, screenshot, softhsm, monkeypatch
):
    settings.SIGNING_DIR = tmp_path / "signing"
    settings.PKCS11_MODULES = [softhsm.module]
    monkeypatch.setenv("VKS_TOKEN_PIN", softhsm.pin)
    # The administrator also works in the organization's secretariat, so sees its sessions.
    Membership.objects.create(user=superuser, organization=org, role=Role.SECRETARIAT)
    session = make_session(org)
    p12 = tmp_path / "vks-quang-ninh.p12"
    p12.write_bytes(issue().p12(b"mat-khau-p12"))

    page.goto(f"{live_server.url}/accounts/login/?next=/sessions/{session.pk}/")
    page.fill("input[name=username]", superuser.get_username())
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # From the day the session exists: certification is not possible yet, and a link to fix it.
    readiness = page.get_by_test_id("certification-readiness")
    expect(readiness).to_have_attribute("data-state", "missing")
    expect(readiness).to_contain_text("Chưa thể chứng nhận kết quả")
    screenshot("signing-01-overview-missing")
    page.get_by_test_id("signing-setup-link").click()
    expect(page.get_by_test_id("no-certificate")).to_be_visible()

    # A wrong password first: a clear message, nothing installed.
    form = page.get_by_test_id("upload-form")
    form.locator("input[type=file]").set_input_files(str(p12))
    form.locator("input[name=password]").fill("sai-mat-khau")
    form.locator("button").click()
    expect(page.locator("body")).to_contain_text("mật khẩu không đúng")
    form = page.get_by_test_id("upload-form")
    form.locator("input[type=file]").set_input_files(str(p12))
    form.locator("input[name=password]").fill("mat-khau-p12")
    form.locator("button").click()
    expect(page.get_by_test_id("subject")).to_have_text(
        "CN=Viện kiểm sát nhân dân tỉnh Quảng Ninh, C=VN"
    )
    expect(page.get_by_test_id("issuer")).to_have_text("CN=CA thử nghiệm Chính phủ")
    screenshot("signing-02-upload-check")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("signer-kind")).to_have_text("Tệp chứng thư (.p12)")
    expect(page.get_by_test_id("certification-readiness")).to_have_attribute("data-state", "ready")
    screenshot("signing-03-installed")

    # A trial certificate replaces it only when the box is ticked.
    trial = page.get_by_test_id("trial-form")
    trial.locator("input[name=replace]").check()
    trial.locator("button").click()
    expect(page.get_by_test_id("trial-badge").first).to_have_text(TRIAL_VI)
    expect(page.get_by_test_id("signing-history")).to_contain_text(
        "Đã tạo chứng thư số ký thử nghiệm"
    )
    screenshot("signing-04-trial")
    assert SigningSetup.objects.get(organization=org).is_trial

    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    expect(page.get_by_test_id("certification-readiness")).to_have_attribute("data-state", "ready")
    expect(page.get_by_test_id("trial-badge")).to_have_text(TRIAL_VI)
    screenshot("signing-05-overview-trial")

    # A key on a token (SoftHSM2), its PIN from an environment variable.
    page.goto(f"{live_server.url}/signing/{org.pk}/")
    token = page.get_by_test_id("token-form")
    token.locator("select[name=pkcs11_module]").select_option(softhsm.module)
    token.locator("input[name=token_label]").fill(softhsm.token_label)
    token.locator("input[name=key_label]").fill(softhsm.key_label)
    token.locator("input[name=pin_env]").fill("VKS_TOKEN_PIN")
    token.locator("button").click()
    expect(page.get_by_test_id("subject")).to_contain_text("(token)")
    screenshot("signing-06-token-check")
    page.get_by_test_id("save-token").click()
    expect(page.get_by_test_id("signer-kind")).to_have_text("USB token hoặc HSM (PKCS#11)")
    screenshot("signing-07-token-configured")
    assert SigningSetup.objects.get(organization=org).kind == SignerKind.PKCS11
