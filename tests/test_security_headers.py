"""Headers on every answer, and pages that work under a Content-Security-Policy allowing no
inline script or style: no <script> without src, no on…= handler, no style= or <style>."""

import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# Rendered to PDF by WeasyPrint on the server, never served to a browser.
PDF_TEMPLATES = TEMPLATES / "reports" / "documents"

INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "style element": re.compile(r"<style", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def inline_parts(html: str) -> list[str]:
    return [name for name, pattern in INLINE.items() if pattern.search(html)]


def test_no_template_has_inline_script_or_style():
    offenders = {
        str(path.relative_to(TEMPLATES)): inline_parts(path.read_text(encoding="utf-8"))
        for path in TEMPLATES.rglob("*.html")
        if PDF_TEMPLATES not in path.parents
    }
    assert {name: parts for name, parts in offenders.items() if parts} == {}


def test_the_headers(db, login):
    response = login(None).get("/accounts/login/")
    csp = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_hsts_and_redirect_only_over_https(db, login, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = login(None).get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    secure = login(None).get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_health_check_is_exempt_from_the_https_redirect(db, login, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert login(None).get("/healthz").status_code == 200


@pytest.fixture
def pages(org, secretariat, counting_member, leader):
    """A certified-free but complete picture: a counting session with ballots entered."""
    from ballots.services import ballot_record
    from tests.ballots import entry, make_counting_session

    session = make_counting_session(org, members=[counting_member], double_entry=False)
    for _n in range(3):
        ballot_record(user=counting_member, session=session, entry_pass=1, entry=entry())
    return session


@pytest.mark.parametrize(
    "who,path",
    [
        ("secretariat", "/sessions/"),
        ("secretariat", "/sessions/{pk}/"),
        ("secretariat", "/sessions/{pk}/officials/"),
        ("secretariat", "/sessions/{pk}/delegates/"),
        ("secretariat", "/sessions/{pk}/attendance/"),
        ("secretariat", "/sessions/{pk}/committee/"),
        ("counting", "/sessions/{pk}/count/"),
        ("counting", "/sessions/{pk}/count/pass/1/"),
        ("counting", "/sessions/{pk}/results/"),
        ("leader", "/sessions/{pk}/results/sign-off/"),
        ("anonymous", "/verify/"),
        ("anonymous", "/accounts/login/"),
        ("secretariat", "/accounts/password/"),
    ],
)
def test_rendered_pages_have_no_inline_script_or_style(
    pages, login, secretariat, counting_member, leader, who, path
):
    user = {"secretariat": secretariat, "counting": counting_member, "leader": leader}
    response = login(user.get(who)).get(path.format(pk=pages.pk))
    assert response.status_code == 200, path
    assert inline_parts(response.content.decode()) == []


def test_the_results_bars_are_drawn_without_inline_style(pages, login, counting_member):
    body = login(counting_member).get(f"/sessions/{pages.pk}/results/").content.decode()
    bars = re.findall(r'<rect class="level-(\w+)" x="([\d.]+)" y="0" width="([\d.]+)"', body)
    assert bars[:3] == [
        ("high", "0", "100.00"),
        ("medium", "100.00", "0.00"),
        ("low", "100.00", "0.00"),
    ]


def test_the_admin_login_has_the_headers_too(db, client):
    response = client.get("/admin/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert PASSWORD not in response.content.decode()
