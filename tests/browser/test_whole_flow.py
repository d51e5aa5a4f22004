"""The whole seed case in Chromium, from an empty session to a signed, verifiable report:
the secretariat sets the session up (officials and delegates imported from .xlsx, attendance
28/31, the committee, voting started); two committee members enter the 28 ballots (blind
double entry); the chair closes the count, the members confirm, the chair certifies; a leader
downloads the signed report, which is validated with pyHanko against the trial certificate."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook
from playwright.sync_api import expect

from confidence_vote.lib.signing import signature_report
from reports.keys import organization_certificate
from reports.models import SignedDocument
from sessions.models import Delegate, Role, SessionStatus, VoteSession
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_session_setup_flow import DELEGATES
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICIALS = [(name, position) for name, position, *_ in DELEGATES[:5]]


def _xlsx(path, header, rows):
    workbook = Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(list(row))
    workbook.save(path)
    return str(path)


@pytest.fixture
def people(org, settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"
    from django.core.management import call_command

    call_command("create_signing_certificate", org.name, stdout=io.StringIO())
    counting = [make_user(n, organization=org, roles=[Role.COUNTING]) for n in ("tt", "tv1", "tv2")]
    return {
        "secretariat": make_user("vp", organization=org, roles=[Role.SECRETARIAT]),
        "chair": counting[0],
        "first": counting[1],
        "second": counting[2],
        "leader": make_user("ld", organization=org, roles=[Role.LEADERSHIP]),
    }


def _page(browser, live_server, user, path):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={path}")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def _import(page, url, path):
    page.goto(url)
    page.set_input_files("input[type=file]", path)
    page.get_by_test_id("import-form").locator("button").click()
    page.get_by_test_id("confirm-import").click()


def _enter_pile(page):
    number = page.get_by_test_id("entry-number")
    for n in range(1, 29):
        expect(number).to_have_text(str(n))
        for key in ["1"] * 5 + ["Enter"]:
            page.keyboard.press(key)
    expect(page.get_by_test_id("entered-counter")).to_contain_text("28/28")


BLIND_PATHS = [
    "results/",
    "results.csv",
    "results.xlsx",
    "results/minutes.pdf",
    "results/report.pdf",
    "results/sign-off/",
    "count/compare/",
    "count/hand-count/",
    "count/pass/1/ballots/",
    "count/pass/1/ballots/1/",
]


def _blind_second_typist(page, root):
    page.goto(f"{root}/count/")
    expect(page.get_by_test_id("blind-count")).to_be_visible()
    expect(page.get_by_test_id("count-differences")).to_have_count(0)
    expect(page.get_by_test_id("nav-results")).to_have_count(0)
    for tab in page.locator(".nav-tabs a, .nav-pills a").all():
        href = tab.get_attribute("href")
        response = page.request.get(f"{root.split('/sessions/')[0]}{href}")
        assert response.status == 200, href
    for path in BLIND_PATHS:
        assert page.request.get(f"{root}/{path}").status == 403, path
    page.screenshot(path=str(ARTIFACTS / "flow-03a-second-typist-blind.png"), full_page=True)


def test_empty_session_to_signed_verified_report(
    live_server, browser, org, people, tmp_path, screenshot
):
    base = live_server.url
    shots = screenshot.dir

    # The secretariat sets the session up.
    page = _page(browser, live_server, people["secretariat"], "/sessions/new/")
    page.fill("input[name=title]", "Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ")
    page.fill("input[name=starts_at]", "2023-07-03T08:00")
    page.fill("input[name=chair_name]", "Nguyễn Văn Thắng")
    page.locator("form button.btn-primary").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+/$"))
    session = VoteSession.objects.get()
    root = f"{base}/sessions/{session.pk}"
    officials = _xlsx(tmp_path / "Người được lấy phiếu.xlsx", ["Họ và tên", "Chức vụ"], OFFICIALS)
    delegates = _xlsx(
        tmp_path / "Đại biểu.xlsx",
        ["Họ và tên", "Chức vụ", "Đơn vị", "Thành phần"],
        DELEGATES,
    )
    _import(page, f"{root}/import/officials/", officials)
    _import(page, f"{root}/import/delegates/", delegates)
    page.goto(f"{root}/attendance/")
    search = page.get_by_test_id("attendance-search")
    for full_name, *_ in DELEGATES[:28]:
        search.fill(full_name)
        search.press("Enter")
        expect(
            page.locator(f"[data-testid=delegate-row][data-name='{full_name}']")
        ).to_have_attribute("data-attendance", "present")
    expect(page.get_by_test_id("present-counter")).to_contain_text("28/31")
    expect(page.get_by_test_id("quorum-status")).to_have_attribute("data-quorum-met", "true")
    page.screenshot(path=str(shots / "flow-01-attendance.png"), full_page=True)
    seats = [("tt", "chair", 5), ("tv1", "member", 6), ("tv2", "member", 7)]
    for username, role, delegate_index in seats:
        page.goto(f"{root}/committee/")
        delegate = Delegate.objects.get(session=session, full_name=DELEGATES[delegate_index][0])
        form = page.get_by_test_id("committee-add-form")
        form.locator("select[name=delegate]").select_option(str(delegate.pk))
        form.locator("select[name=role]").select_option(role)
        account = people[
            "chair" if role == "chair" else ("first" if username == "tv1" else "second")
        ]
        form.locator("select[name=account]").select_option(str(account.pk))
        form.locator("button").last.click()
        expect(page.get_by_test_id("committee-table")).to_contain_text(DELEGATES[delegate_index][0])
    page.goto(f"{root}/")
    page.get_by_test_id("start-voting").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Đang bỏ phiếu")
    page.screenshot(path=str(shots / "flow-02-voting.png"), full_page=True)

    # The chair opens the count; two members enter the pile, one pass each.
    chair = _page(browser, live_server, people["chair"], f"/sessions/{session.pk}/count/")
    chair.fill("input[name=ballots_issued]", "28")
    chair.get_by_test_id("count-open-form").locator("button").click()
    chair.fill("input[name=ballots_collected]", "28")
    chair.get_by_test_id("collected-form").locator("button").click()
    first = _page(browser, live_server, people["first"], f"/sessions/{session.pk}/count/pass/1/")
    _enter_pile(first)
    # The second typist, before and while typing pass 2, learns nothing of pass 1: no results
    # tab, and every way to its numbers answers 403 (pages, exports, drafts, comparison, hand
    # count, pass 1's ballots).
    second = _page(browser, live_server, people["second"], f"/sessions/{session.pk}/count/")
    _blind_second_typist(second, root)
    second.goto(f"{root}/count/pass/2/")
    for key in ["2"] * 5 + ["Enter"]:
        second.keyboard.press(key)
    expect(second.get_by_test_id("entry-number")).to_have_text("2")
    _blind_second_typist(second, root)
    second.goto(f"{root}/count/pass/2/")
    for n in range(2, 29):
        expect(second.get_by_test_id("entry-number")).to_have_text(str(n))
        for key in ["1"] * 5 + ["Enter"]:
            second.keyboard.press(key)
    expect(second.get_by_test_id("entered-counter")).to_contain_text("28/28")
    second.screenshot(path=str(shots / "flow-03-pass-2.png"), full_page=True)
    # Ballot 1 differs (pass 2 typed "medium"): the chair, who types nothing, compares and
    # takes pass 1's reading from the paper, then closes.
    chair.goto(f"{root}/count/compare/")
    expect(chair.get_by_test_id("difference")).to_have_count(1)
    chair.goto(f"{root}/count/compare/1/")
    chair.get_by_test_id("take-pass-1").click()
    chair.get_by_test_id("resolve-save").click()
    chair.goto(f"{root}/count/compare/")
    expect(chair.get_by_test_id("difference")).to_have_count(0)
    chair.goto(f"{root}/count/")
    chair.get_by_test_id("close-form").locator("button").click()
    expect(chair.get_by_test_id("count-closed")).to_be_visible()

    # Every member confirms with their password; the chair certifies.
    for member_page in (first, second, chair):
        member_page.goto(f"{root}/results/sign-off/")
        member_page.fill("input[name=password]", PASSWORD)
        member_page.get_by_test_id("confirm-form").locator("button").click()
        expect(member_page.get_by_test_id("confirm-form")).to_have_count(0)
    chair.get_by_test_id("certify-form").locator("button").click()
    expect(chair.get_by_test_id("official")).to_be_visible()
    chair.screenshot(path=str(shots / "flow-04-certified.png"), full_page=True)
    session.refresh_from_db()
    assert session.status == SessionStatus.CERTIFIED

    # The leader's obvious button on the results page gives the stored signed report, which
    # verify_document accepts (exit status 0).
    leader = _page(browser, live_server, people["leader"], f"/sessions/{session.pk}/results/")
    with leader.expect_download() as download_info:
        leader.get_by_test_id("download-report").click()
    obvious = Path(download_info.value.path())
    assert obvious.read_bytes() == bytes(
        SignedDocument.objects.get(session=session, kind="report").content
    )
    out = io.StringIO()
    call_command("verify_document", str(obvious), stdout=out)
    assert "AUTHENTIC" in out.getvalue() or "XÁC THỰC" in out.getvalue()

    # A leader downloads the signed report and it validates against the trial certificate.
    leader = _page(
        browser, live_server, people["leader"], f"/sessions/{session.pk}/results/sign-off/"
    )
    report_document = SignedDocument.objects.get(session=session, kind="report")
    with leader.expect_download() as download_info:
        leader.get_by_test_id(f"download-{report_document.pk}").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    content = Path(download.path()).read_bytes()
    assert content == bytes(report_document.content)
    report = signature_report(content, trusted_certificates=[organization_certificate(org)])
    assert (report.signed, report.intact, report.trusted) == (True, True, True)
    leader.screenshot(path=str(shots / "flow-05-leader.png"), full_page=True)
