"""The secretariat sets up a session in Chromium, as a person would: log in, create the
session, import the delegates from an .xlsx, check in 28 of 31 with the keyboard and see the
quorum met."""

import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from sessions.models import Attendance, Delegate, VoteSession
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DELEGATES = [
    ("Nguyễn Văn Thắng", "Viện trưởng", "Lãnh đạo Viện", "Ban Cán sự Đảng"),
    ("Trần Thị Hằng", "Phó Viện trưởng", "Lãnh đạo Viện", "Ban Cán sự Đảng"),
    ("Lê Quang Vinh", "Phó Viện trưởng", "Lãnh đạo Viện", "Ban Cán sự Đảng"),
    ("Phạm Đức Hải", "Phó Viện trưởng", "Lãnh đạo Viện", "Ban Cán sự Đảng"),
    ("Vũ Thị Ngọc Lan", "Phó Viện trưởng", "Lãnh đạo Viện", "Ban Cán sự Đảng"),
    ("Đỗ Minh Tuấn", "Chánh Văn phòng", "Văn phòng", "Trưởng các đơn vị"),
    ("Hoàng Văn Dũng", "Trưởng phòng", "Phòng 1", "Trưởng các đơn vị"),
    ("Bùi Thị Thu Trang", "Trưởng phòng", "Phòng 2", "Trưởng các đơn vị"),
    ("Ngô Xuân Trường", "Trưởng phòng", "Phòng 7", "Trưởng các đơn vị"),
    ("Đặng Thị Mai", "Trưởng phòng", "Phòng 8", "Trưởng các đơn vị"),
    ("Dương Văn Khánh", "Trưởng phòng", "Phòng 9", "Trưởng các đơn vị"),
    ("Lý Thị Hương", "Trưởng phòng", "Phòng 10", "Trưởng các đơn vị"),
    ("Phan Công Hiếu", "Trưởng phòng", "Phòng 11", "Trưởng các đơn vị"),
    ("Trịnh Thị Ánh", "Chủ tịch Công đoàn", "Công đoàn", "Đoàn thể"),
    ("Mai Văn Phúc", "Bí thư Chi đoàn", "Đoàn Thanh niên", "Đoàn thể"),
    ("Tô Đình Quý", "Chủ tịch Hội Cựu chiến binh", "Hội CCB", "Đoàn thể"),
    ("Cao Văn Sơn", "Viện trưởng", "VKSND TP Hạ Long", "Viện trưởng cấp huyện"),
    ("Lương Thị Yến", "Viện trưởng", "VKSND TP Cẩm Phả", "Viện trưởng cấp huyện"),
    ("Hà Quốc Bảo", "Viện trưởng", "VKSND TP Uông Bí", "Viện trưởng cấp huyện"),
    ("Đinh Văn Lộc", "Viện trưởng", "VKSND TP Móng Cái", "Viện trưởng cấp huyện"),
    ("Kiều Thị Nhung", "Viện trưởng", "VKSND TX Đông Triều", "Viện trưởng cấp huyện"),
    ("Tạ Minh Đức", "Viện trưởng", "VKSND TX Quảng Yên", "Viện trưởng cấp huyện"),
    ("Chu Văn Toàn", "Viện trưởng", "VKSND huyện Vân Đồn", "Viện trưởng cấp huyện"),
    ("Lã Thị Xuân", "Viện trưởng", "VKSND huyện Tiên Yên", "Viện trưởng cấp huyện"),
    ("Âu Văn Cường", "Viện trưởng", "VKSND huyện Hải Hà", "Viện trưởng cấp huyện"),
    ("Triệu Thị Giang", "Viện trưởng", "VKSND huyện Bình Liêu", "Viện trưởng cấp huyện"),
    ("Nông Văn Kiên", "Viện trưởng", "VKSND huyện Đầm Hà", "Viện trưởng cấp huyện"),
    ("Hứa Thị Oanh", "Viện trưởng", "VKSND huyện Ba Chẽ", "Viện trưởng cấp huyện"),
    ("Lục Văn Bình", "Viện trưởng", "VKSND huyện Cô Tô", "Viện trưởng cấp huyện"),
    ("Quách Thị Diệu", "Ủy viên BCH Đảng bộ", "Phòng 12", "Ban Chấp hành Đảng bộ"),
    ("Thân Văn Nghĩa", "Ủy viên BCH Đảng bộ", "Phòng 15", "Ban Chấp hành Đảng bộ"),
]


@pytest.fixture
def delegates_xlsx(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH ĐẠI BIỂU ĐƯỢC TRIỆU TẬP"])
    sheet.append(["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Thành phần"])
    for number, row in enumerate(DELEGATES, start=1):
        sheet.append([number, *row])
    path = tmp_path / "Danh sách đại biểu.xlsx"
    workbook.save(path)
    return path


def test_secretariat_sets_up_the_seed_session(
    live_server, page, secretariat, delegates_xlsx, screenshot
):
    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", secretariat.get_username())
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("empty-sessions")).to_be_visible()
    screenshot("setup-01-empty-list")

    page.click("a[href='/sessions/new/']")
    page.fill("input[name=title]", "Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ 2023")
    page.fill("textarea[name=legal_basis]", "Kế hoạch số 72-KH/BCSĐ, ngày 01/6/2023")
    page.fill("input[name=starts_at]", "2023-07-03T08:00")
    page.fill("input[name=venue]", "Hội trường VKSND tỉnh Quảng Ninh")
    page.fill("input[name=chair_name]", "Nguyễn Văn Thắng")
    page.fill("input[name=chair_position]", "Viện trưởng")
    screenshot("setup-02-new-session")
    page.locator("form button.btn-primary").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+/$"))
    session = VoteSession.objects.get()

    page.goto(f"{live_server.url}/sessions/{session.pk}/delegates/")
    page.click(f"a[href='/sessions/{session.pk}/import/delegates/']")
    page.set_input_files("input[type=file]", str(delegates_xlsx))
    page.get_by_test_id("import-form").locator("button").click()
    expect(page.get_by_test_id("import-rows").locator("tbody tr")).to_have_count(31)
    screenshot("setup-03-import-preview")
    page.get_by_test_id("confirm-import").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{session.pk}/delegates/$"))
    assert Delegate.objects.filter(session=session).count() == 31

    page.goto(f"{live_server.url}/sessions/{session.pk}/attendance/")
    counter = page.get_by_test_id("present-counter")
    expect(counter).to_contain_text("0/31")
    search = page.get_by_test_id("attendance-search")
    # One name typed, one keystroke: Enter marks the only match present.
    for full_name, *_ in DELEGATES[:28]:
        search.fill(full_name)
        search.press("Enter")
        expect(
            page.locator(f"[data-testid=delegate-row][data-name='{full_name}']")
        ).to_have_attribute("data-attendance", "present")
    expect(counter).to_contain_text("28/31")
    expect(page.get_by_test_id("quorum-status")).to_have_attribute("data-quorum-met", "true")
    search.fill("")
    screenshot("setup-04-attendance-28-of-31")

    present = Delegate.objects.filter(session=session, attendance=Attendance.PRESENT)
    assert present.count() == 28
    assert set(present.values_list("full_name", flat=True)) == {d[0] for d in DELEGATES[:28]}

    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    expect(page.get_by_test_id("present-count")).to_have_text("28/31")
    screenshot("setup-05-overview")
