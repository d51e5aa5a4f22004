"""Vietnamese is the default language: every string of the interface must have a translation."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
SOURCES = ["confidence_vote", "sessions", "ballots", "reports", "templates", "manage.py"]


def _msgids(po: Path) -> set[str]:
    text = po.read_text(encoding="utf-8")
    entries = re.findall(r'^msgid ((?:".*"\n)+)', text, flags=re.M)
    ids = {"".join(re.findall(r'"(.*)"', entry)) for entry in entries}
    return ids - {""}


def test_vietnamese_catalogue_is_complete():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "translated messages" in result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def test_vietnamese_catalogue_matches_the_source(tmp_path):
    """Run makemessages on a copy of the source: no string may be missing from the catalogue."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale" / "vi" / "LC_MESSAGES").mkdir(parents=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-location", "-v", "0"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    fresh = _msgids(tmp_path / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    missing = fresh - _msgids(CATALOGUE)
    assert not missing, f"run `make messages` and translate: {sorted(missing)[:10]}"
