"""The shape of the code: one module reads a session's status, one object answers who may do
what, and the layers point one way (reports -> ballots -> sessions)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["sessions", "ballots", "reports", "confidence_vote"]
STATUS_MEMBERS = {"DRAFT", "VOTING", "COUNTING", "COUNTED", "CERTIFIED"}


def _python_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _status_reads(tree: ast.AST) -> list[int]:
    """Lines that use a status member or compare something's `.status` with a status value."""
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in STATUS_MEMBERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "SessionStatus"
        ):
            lines.append(node.lineno)
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            reads_status = any(
                isinstance(side, ast.Attribute)
                and side.attr == "status"
                and isinstance(side.value, ast.Name)
                and "session" in side.value.id
                for side in sides
            )
            if reads_status:
                lines.append(node.lineno)
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    and isinstance(target.value, ast.Name)
                    and "session" in target.value.id
                ):
                    lines.append(node.lineno)
    return lines


def test_no_module_but_the_lifecycle_reads_or_sets_a_session_status():
    offenders = []
    for path in _python_files():
        if _relative(path) == "sessions/lifecycle.py":
            continue
        lines = _status_reads(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{_relative(path)}:{line}" for line in lines]
    assert not offenders, offenders


def test_the_guard_sees_a_status_comparison():
    code = "if session.status == SessionStatus.COUNTED:\n    session.status = 'draft'\n"
    assert sorted(_status_reads(ast.parse(code))) == [1, 1, 2]


def test_no_template_reads_a_status_or_a_role():
    pattern = re.compile(
        r"session\.status|viewer_|\"(chair|leadership|counting|secretariat)\" in|== \"chair\""
    )
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{_relative(path)}:{number}")
    assert not offenders, offenders


# Modules that may read memberships and committee seats to decide rights: the access object.
# The others listed read them as data (the admin, imports that create them, the demo).
MEMBERSHIP_READERS = {
    "sessions/access.py",
    "sessions/admin.py",
    "sessions/services/session_import.py",
    "reports/management/commands/seed_demo.py",
}


@pytest.mark.parametrize("name", ["Membership", "Role"])
def test_only_the_access_object_derives_a_role(name):
    offenders = []
    for path in _python_files():
        rel = _relative(path)
        if rel in MEMBERSHIP_READERS or rel == "sessions/models.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == name:
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, offenders


def test_views_do_not_read_committee_roles():
    offenders = []
    for path in _python_files():
        rel = _relative(path)
        if "views" not in rel:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name) and node.id == "CommitteeRole":
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, offenders


LAYERS = {"sessions": 0, "ballots": 1, "reports": 2}


def test_imports_point_one_way():
    """sessions imports neither ballots nor reports; ballots does not import reports."""
    offenders = []
    for path in _python_files():
        rel = _relative(path)
        app = rel.split("/")[0]
        if app not in LAYERS or "management" in rel:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                top = module.split(".")[0]
                if top in LAYERS and LAYERS[top] > LAYERS[app]:
                    offenders.append(f"{rel}:{node.lineno} imports {module}")
    assert not offenders, offenders


def test_no_merge_conflict_marker_is_left_in_a_template_or_module():
    markers = re.compile(r"^(<<<<<<< |>>>>>>> |=======$)", re.M)
    offenders = []
    for folder in ["templates", "static/js", "static/css", *APPS]:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".js", ".css") and markers.search(
                path.read_text(encoding="utf-8")
            ):
                offenders.append(_relative(path))
    assert not offenders, offenders
