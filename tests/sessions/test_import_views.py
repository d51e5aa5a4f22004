"""Import views: upload → preview → confirm, the template download, and who may use them."""

import io
import random
import re
import unicodedata

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sessions.models import AuditEntry, Delegate, Official, SessionStatus
from tests.factories import make_delegate, make_official

NOT_READABLE = (
    "The file is not UTF-8 text or an .xlsx spreadsheet. In Excel, save as &#x27;CSV UTF-8&#x27; "
    "or .xlsx."
)

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Thị Thu", "Quang", "Ngọc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hằng", "Hùng", "Hưng", "Khánh", "Lượng", "Mỹ", "Ánh",
         "Nguyệt", "Phượng", "Quý", "Sơn", "Thắng", "Trúc", "Tuấn", "Uyên", "Việt", "Yến", "Đạt",
         "Ẩn", "Ổn", "Ửng", "Ỷ", "Ỳ", "Ưng", "Ơn", "Ứng", "Ngữ"]  # fmt: skip


def names_31() -> list[str]:
    return [f"{FAMILY[n % 11]} {MIDDLE[n % 7]} {GIVEN[n]}" for n in range(31)]


def xlsx_file(rows, name="danh-sach.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def url(name, session, kind):
    return reverse(f"vote_sessions:{name}", args=[session.pk, kind])


def token_of(response) -> str:
    match = re.search(r'name="token" value="([0-9a-f]+)"', response.content.decode())
    assert match, "no confirm form on the page"
    return match.group(1)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def delegates_file(names):
    rows = [["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Thành phần"]]
    rows += [[n, name, "Chuyên viên", f"Phòng {n}", "Công chức"] for n, name in enumerate(names, 1)]
    return xlsx_file(rows)


def officials_file():
    return xlsx_file(
        [
            ["STT", "Họ và tên", "Chức vụ"],
            [1, "Nguyễn Văn An", "Viện trưởng"],
            [2, "Trần Thị Bình", "Phó Viện trưởng"],
        ]
    )


def db_state():
    return (Delegate.objects.count(), Official.objects.count(), AuditEntry.objects.count())


# -- Upload page --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["officials", "delegates"])
def test_upload_page_describes_columns_and_offers_the_template(login, secretariat, session, kind):
    response = login(secretariat).get(url("import", session, kind))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-form"' in html
    assert "Họ và tên" in html and "Full name" in html
    assert ("Thành phần" in html) == (kind == "delegates")
    assert url("import_template", session, kind) in html


def test_unknown_kind_is_404(login, secretariat, session):
    response = login(secretariat).get(f"/sessions/{session.pk}/import/committee/")

    assert response.status_code == 404


def test_template_download(login, secretariat, session):
    response = login(secretariat).get(url("import_template", session, "delegates"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="mau-dai-bieu.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Thành phần"]


def test_officials_template_file_name(login, secretariat, session):
    response = login(secretariat).get(url("import_template", session, "officials"))

    assert response["Content-Disposition"] == 'attachment; filename="mau-nguoi-duoc-lay-phieu.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["STT", "Họ và tên", "Chức vụ", "Khối"]


# -- Preview ------------------------------------------------------------------------------------


def test_preview_lists_rows_and_offers_confirm_without_saving(login, secretariat, session):
    make_delegate(session, full_name="Đã Có")
    client = login(secretariat)

    response = client.post(
        url("import", session, "delegates"), {"file": delegates_file(names_31()[:3])}
    )

    assert response.status_code == 200
    assert response.templates[0].name == "sessions/import_preview.html"
    html = response.content.decode()
    assert "3 delegates will be added to the list (now 1)" in html
    assert "Nguyễn Văn An" in html and "Lê Hữu Cường" in html
    assert "Confirm import" in html
    assert token_of(response)
    assert db_state() == (1, 0, 0)


def test_preview_of_officials_shows_ballot_numbers(login, secretariat, session):
    make_official(session)
    response = login(secretariat).post(
        url("import", session, "officials"), {"file": officials_file()}
    )

    rows = response.context["rows"]
    assert [(r["data"].full_name, r["order"]) for r in rows] == [
        ("Nguyễn Văn An", 2),
        ("Trần Thị Bình", 3),
    ]


def test_preview_of_officials_shows_the_block_column_only_when_used(login, secretariat, session):
    client = login(secretariat)
    without = client.post(url("import", session, "officials"), {"file": officials_file()})
    assert "Khối HĐND" not in without.content.decode()
    assert "<th>Block</th>" not in without.content.decode()

    with_blocks = xlsx_file(
        [
            ["STT", "Họ và tên", "Chức vụ", "Khối"],
            [1, "Nguyễn Văn An", "Chủ tịch HĐND tỉnh", "Khối HĐND"],
            [2, "Trần Thị Bình", "Chủ tịch UBND tỉnh", "Khối UBND"],
        ]
    )
    html = client.post(url("import", session, "officials"), {"file": with_blocks}).content.decode()
    assert "<th>Block</th>" in html
    assert "Khối HĐND" in html and "Khối UBND" in html


def test_preview_lists_errors_by_row_and_column_and_no_confirm(login, secretariat, session):
    make_delegate(session, full_name="Trần Thị Bình", position="Chuyên viên", unit="Phòng 2")
    upload = xlsx_file(
        [
            ["Họ và tên", "Chức vụ", "Đơn vị", "Ghi chú"],
            ["Nguyễn Văn An", "Chuyên viên", "Phòng 1"],
            ["Trần Thị Bình", "Chuyên viên", "Phòng 2"],
            [None, "Chuyên viên", "Phòng 3"],
            ["nguyễn văn an", "chuyên viên", "phòng 1"],
        ]
    )
    client = login(secretariat)
    client.post(url("import", session, "delegates"), {"file": delegates_file(["Lê Văn Tám"])})
    key = f"vote_sessions.import.{session.pk}.delegates"
    assert key in client.session  # a good preview, waiting for its confirmation

    response = client.post(url("import", session, "delegates"), {"file": upload})

    assert response.status_code == 200
    html = response.content.decode()
    assert [e.message for e in response.context["result"].errors] == [
        "Row 3, column 'Họ và tên': Trần Thị Bình is already on this session's list of delegates.",
        "Row 4, column 'Họ và tên': the name is empty.",
        "Row 5, column 'Họ và tên': nguyễn văn an is listed twice in the file, on rows 2 and 5.",
    ]
    assert "Row 4, column &#x27;Họ và tên&#x27;: the name is empty." in html
    assert "Column D &#x27;Ghi chú&#x27; is not used and will be ignored." in html
    assert "Confirm import" not in html
    assert 'name="token"' not in html
    assert key not in client.session  # the earlier preview can no longer be confirmed
    assert db_state() == (1, 0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Name,Position\nJosé,Secretário\n".encode("latin-1"), NOT_READABLE),
        (random.Random(2023).randbytes(3000), NOT_READABLE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old Excel 97-2003 (.xls) file"),
        (b"%PDF-1.4\n1 0 obj\n", "This is a PDF document, not a spreadsheet."),
        ("Họ và tên,Chức vụ\n".encode(), "a header (row 1) but no rows of people below it"),
        ("Họ và tên,Đơn vị\nAn,P1\n".encode(), "The column &#x27;Chức vụ&#x27; is missing"),
    ],
    ids=["latin-1", "binary", "xls", "pdf", "header-only", "missing-column"],
)
def test_unreadable_files_are_refused_on_the_upload_form(
    login, secretariat, session, content, message
):
    response = login(secretariat).post(
        url("import", session, "officials"), {"file": SimpleUploadedFile("x.csv", content)}
    )

    assert response.status_code == 200
    assert response.templates[0].name == "sessions/import_upload.html"
    assert message in response.content.decode()
    assert db_state() == (0, 0, 0)


def test_empty_file_is_refused(login, secretariat, session):
    response = login(secretariat).post(
        url("import", session, "delegates"), {"file": SimpleUploadedFile("x.csv", b"")}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The submitted file is empty."]
    assert db_state() == (0, 0, 0)


def test_no_file_is_refused(login, secretariat, session):
    response = login(secretariat).post(url("import", session, "delegates"), {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["This field is required."]


def test_file_over_the_limit_is_refused(login, secretariat, session, settings):
    settings.IMPORT_MAX_BYTES = 1024
    content = ("Họ và tên,Chức vụ\n" + "Nguyễn Văn An,X\n" * 100).encode()

    response = login(secretariat).post(
        url("import", session, "officials"), {"file": SimpleUploadedFile("x.csv", content)}
    )

    assert response.status_code == 200
    assert "at most 1.0\xa0KB is accepted" in response.context["form"].errors["file"][0]
    assert db_state() == (0, 0, 0)


# -- Confirm ------------------------------------------------------------------------------------


def test_round_trip_saves_31_delegates_with_diacritics(login, secretariat, session):
    names = names_31()
    # Some files come from systems that write decomposed (NFD) Vietnamese.
    written = [unicodedata.normalize("NFD", n) if i % 2 else n for i, n in enumerate(names)]
    client = login(secretariat)
    preview = client.post(url("import", session, "delegates"), {"file": delegates_file(written)})

    response = client.post(
        url("import_confirm", session, "delegates"), {"token": token_of(preview)}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.pk}/delegates/"
    assert message_texts(response) == ["31 delegates were imported."]
    saved = list(session.delegates.order_by("order").values_list("order", "full_name", "unit"))
    assert saved == [(n, name, f"Phòng {n}") for n, name in enumerate(names, 1)]
    assert all(unicodedata.is_normalized("NFC", name) for _o, name, _u in saved)
    # Hùng and Hưng stay two different people, each with their own diacritics.
    assert saved[5][1] == "Huỳnh Quang Hùng"
    assert saved[6][1] == "Vũ Ngọc Hưng"
    entry = AuditEntry.objects.get(session=session, action="import.delegates")
    assert entry.data == {"rows": 31, "file": "danh-sach.xlsx"}
    assert entry.user == secretariat


def test_round_trip_officials_from_semicolon_csv_with_bom(login, secretariat, session):
    make_official(session, full_name="Đỗ Văn Chánh", position="Viện trưởng")
    content = (
        "\ufeffSTT;Họ và tên;Chức vụ\r\n"
        "1;Nguyễn Văn An;Phó Viện trưởng\r\n"
        "2;Trần Thị Bình;Phó Viện trưởng\r\n"
    )
    client = login(secretariat)
    preview = client.post(
        url("import", session, "officials"),
        {"file": SimpleUploadedFile("can-bo.csv", content.encode("utf-8"))},
    )

    response = client.post(
        url("import_confirm", session, "officials"), {"token": token_of(preview)}
    )

    assert response["Location"] == f"/sessions/{session.pk}/officials/"
    assert message_texts(response) == ["2 officials were imported."]
    assert list(session.officials.values_list("order", "full_name")) == [
        (1, "Đỗ Văn Chánh"),
        (2, "Nguyễn Văn An"),
        (3, "Trần Thị Bình"),
    ]
    assert AuditEntry.objects.get(action="import.officials").data == {
        "rows": 2,
        "file": "can-bo.csv",
    }


def test_confirm_without_a_preview_is_refused(login, secretariat, session):
    response = login(secretariat).post(
        url("import_confirm", session, "delegates"), {"token": "ab" * 32}
    )

    assert response.status_code == 302
    assert response["Location"] == url("import", session, "delegates")
    assert message_texts(response) == [
        "This preview is out of date or was changed. Upload the file again."
    ]
    assert db_state() == (0, 0, 0)


def test_confirm_with_a_wrong_token_is_refused(login, secretariat, session):
    client = login(secretariat)
    client.post(url("import", session, "delegates"), {"file": delegates_file(names_31()[:2])})

    response = client.post(url("import_confirm", session, "delegates"), {"token": "0" * 64})

    assert "out of date" in message_texts(response)[0]
    assert db_state() == (0, 0, 0)


def test_stale_preview_from_another_tab_is_refused(login, secretariat, session):
    client = login(secretariat)
    first = client.post(
        url("import", session, "delegates"), {"file": delegates_file(names_31()[:2])}
    )
    client.post(url("import", session, "delegates"), {"file": delegates_file(names_31()[5:9])})

    response = client.post(url("import_confirm", session, "delegates"), {"token": token_of(first)})

    assert "out of date" in message_texts(response)[0]
    assert db_state() == (0, 0, 0)


def test_tampered_preview_is_refused(login, secretariat, session):
    client = login(secretariat)
    preview = client.post(
        url("import", session, "delegates"), {"file": delegates_file(names_31()[:2])}
    )
    store = client.session
    key = f"vote_sessions.import.{session.pk}.delegates"
    data = store[key]
    data["payload"]["rows"][0]["full_name"] = "Người Được Chèn"
    store[key] = data
    store.save()

    response = client.post(
        url("import_confirm", session, "delegates"), {"token": token_of(preview)}
    )

    assert "out of date" in message_texts(response)[0]
    assert db_state() == (0, 0, 0)


def test_preview_of_one_kind_cannot_confirm_the_other(login, secretariat, session):
    client = login(secretariat)
    preview = client.post(url("import", session, "officials"), {"file": officials_file()})

    response = client.post(
        url("import_confirm", session, "delegates"), {"token": token_of(preview)}
    )

    assert "out of date" in message_texts(response)[0]
    assert db_state() == (0, 0, 0)


def test_a_preview_is_used_once(login, secretariat, session):
    client = login(secretariat)
    preview = client.post(url("import", session, "officials"), {"file": officials_file()})
    token = token_of(preview)
    client.post(url("import_confirm", session, "officials"), {"token": token})

    again = client.post(url("import_confirm", session, "officials"), {"token": token})

    assert "out of date" in message_texts(again)[-1]
    assert Official.objects.count() == 2


def test_list_changed_between_preview_and_confirm(login, secretariat, session):
    client = login(secretariat)
    preview = client.post(
        url("import", session, "delegates"), {"file": delegates_file(names_31()[:3])}
    )
    make_delegate(session, full_name=names_31()[1], position="Chuyên viên", unit="Phòng 2")

    response = client.post(
        url("import_confirm", session, "delegates"), {"token": token_of(preview)}
    )

    assert response["Location"] == url("import", session, "delegates")
    assert message_texts(response) == [
        "Nothing was imported. Row 3, column 'Họ và tên': Trần Thị Bình is already on this "
        "session's list of delegates."
    ]
    assert db_state() == (1, 0, 0)


# -- Locked session ------------------------------------------------------------------------------


def lock(session):
    session.status = SessionStatus.VOTING
    session.save()


def test_locked_session_hides_the_form(login, secretariat, session):
    lock(session)

    response = login(secretariat).get(url("import", session, "delegates"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-locked"' in html
    assert 'data-testid="import-form"' not in html


def test_locked_session_refuses_the_upload(login, secretariat, session):
    lock(session)

    response = login(secretariat).post(
        url("import", session, "delegates"), {"file": delegates_file(["Lê Văn A"])}
    )

    assert response.status_code == 302
    assert message_texts(response) == [
        "Voting has started: the lists are locked. Unlock them first, with a reason."
    ]
    assert db_state() == (0, 0, 0)


def test_locked_after_preview_refuses_the_confirm(login, secretariat, session):
    client = login(secretariat)
    preview = client.post(
        url("import", session, "delegates"), {"file": delegates_file(["Lê Văn A"])}
    )
    lock(session)

    response = client.post(
        url("import_confirm", session, "delegates"), {"token": token_of(preview)}
    )

    assert message_texts(response) == [
        "Voting has started: the lists are locked. Unlock them first, with a reason."
    ]
    assert db_state() == (0, 0, 0)


# -- Who may use it ------------------------------------------------------------------------------

ALL_VIEWS = [
    ("import", "get"),
    ("import", "post"),
    ("import_template", "get"),
    ("import_confirm", "post"),
]


@pytest.mark.parametrize(("name", "method"), ALL_VIEWS)
def test_anonymous_is_sent_to_login(login, session, name, method):
    target = url(name, session, "delegates")

    response = getattr(login(None), method)(target)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "method"), ALL_VIEWS)
def test_outsider_gets_404(login, outsider, session, name, method):
    response = getattr(login(outsider), method)(url(name, session, "delegates"))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
@pytest.mark.parametrize(("name", "method"), ALL_VIEWS)
def test_counting_and_leadership_get_403(login, persona, session, name, method):
    client = login(persona)
    data = {"file": delegates_file(["Lê Văn A"])} if name == "import" and method == "post" else {}

    response = getattr(client, method)(url(name, session, "delegates"), data)

    assert response.status_code == 403
    assert db_state() == (0, 0, 0)


def test_get_on_confirm_is_405(login, secretariat, session):
    response = login(secretariat).get(url("import_confirm", session, "delegates"))

    assert response.status_code == 405


def test_put_on_upload_is_405(login, secretariat, session):
    response = login(secretariat).put(url("import", session, "delegates"))

    assert response.status_code == 405


def test_a_spreadsheet_bomb_is_refused_before_it_is_opened(login, secretariat, session):
    from tests.spreadsheet_bombs import huge_shared_string

    bomb = SimpleUploadedFile("danh-sach.xlsx", huge_shared_string())
    response = login(secretariat).post(url("import", session, "delegates"), {"file": bomb})

    assert response.status_code == 200
    assert response.templates[0].name == "sessions/import_upload.html"
    [error] = response.context["form"].errors["file"]
    assert error.startswith("The spreadsheet expands to more than the server accepts")
    assert db_state() == (0, 0, 0)


def test_a_row_of_two_million_cells_is_refused(login, secretariat, session):
    from tests.spreadsheet_bombs import wide_row

    response = login(secretariat).post(
        url("import", session, "delegates"), {"file": SimpleUploadedFile("a.xlsx", wide_row())}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert db_state() == (0, 0, 0)
