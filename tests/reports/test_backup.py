"""manage.py backup -o FILE / restore FILE: the whole certified demo comes back identical."""

import json
import zipfile
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from reports.backup import MANIFEST, backed_up_models
from reports.models import SignedDocument
from reports.selectors import tally_for_session
from reports.verification import document_verify
from sessions.models import Official, VoteSession
from tests.factories import PASSWORD, make_official, make_session, make_user

PASSPHRASE = "đúng ngựa pin kẹp giấy"
# Real commits: restore runs its own transaction, and `flush` (TRUNCATE on PostgreSQL) cannot
# run inside a test's transaction with deferred constraint checks pending.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def places(settings, tmp_path):
    """MEDIA_ROOT and SIGNING_DIR of the machine backed up; `moved()` points them at an empty
    new machine's."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_DIR = tmp_path / "signing"

    def moved():
        settings.MEDIA_ROOT = tmp_path / "new-media"
        settings.SIGNING_DIR = tmp_path / "new-signing"

    settings.moved = moved
    return tmp_path


def passphrase_file(tmp_path, text=PASSPHRASE):
    path = tmp_path / f"pass-{len(text)}-{abs(hash(text))}.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def backup(path, *args):
    call_command("backup", "-o", str(path), *args, stdout=StringIO())


def restore(path, *args) -> str:
    out = StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path, *args) -> str:
    with pytest.raises(CommandError) as info:
        call_command("restore", str(path), *args, stdout=StringIO())
    return str(info.value)


def empty_database():
    call_command("flush", interactive=False, verbosity=0)
    assert not any(model._base_manager.exists() for model in backed_up_models())


def rows():
    return sum(model._base_manager.count() for model in backed_up_models())


def test_backup_flush_restore_gives_the_same_tally_and_documents_that_verify(places, settings):
    call_command("seed_demo", "--complete", stdout=StringIO(), stderr=StringIO())
    session = VoteSession.objects.get()
    # A dossier among the uploaded files.
    dossier = places / "media" / "dossiers" / f"session-{session.pk}" / "ab12" / "Hồ sơ.pdf"
    dossier.parent.mkdir(parents=True)
    dossier.write_bytes(b"%PDF-1.7\n% ho so\n%%EOF\n")
    official = Official.objects.filter(session=session).first()
    Official.objects.filter(pk=official.pk).update(
        dossier=f"dossiers/session-{session.pk}/ab12/Hồ sơ.pdf"
    )
    before = tally_for_session(session=session)
    documents = {d.sha256: bytes(d.content) for d in SignedDocument.objects.all()}
    assert len(documents) == 2
    count_before = rows()
    p12 = (places / "signing" / f"organization-{session.organization_id}.p12").read_bytes()
    password = (
        places / "signing" / f"organization-{session.organization_id}.password"
    ).read_bytes()

    archive = places / "backup.zip"
    backup(archive, "--include-keys", "--passphrase-file", passphrase_file(places))

    raw = archive.read_bytes()
    # The keys are encrypted: neither the PKCS#12 nor its password is in the archive.
    assert p12 not in raw and p12[:64] not in raw
    assert password.strip() not in raw
    with zipfile.ZipFile(archive) as zipped:
        manifest = json.loads(zipped.read(MANIFEST))
        assert sorted(manifest["parts"]) == sorted(
            ["database.json", "keys.bin", "media/" + str(dossier.relative_to(places / "media"))]
            + [f"documents/{sha}.pdf" for sha in documents]
        )
        for sha, content in documents.items():
            assert zipped.read(f"documents/{sha}.pdf") == content
        assert manifest["keys"]["cipher"] == "AES-256-GCM"
        assert "salt" in manifest["keys"] and "passphrase" not in json.dumps(manifest)

    empty_database()
    settings.moved()
    output = restore(archive, "--passphrase-file", passphrase_file(places))
    assert f"{count_before} rows, 2 signed documents checked, 1 uploaded files, 2 key files" in (
        output
    )

    session = VoteSession.objects.get()
    after = tally_for_session(session=session)
    assert after.fingerprint() == before.fingerprint()
    assert after.as_data() == before.as_data()
    assert rows() == count_before
    for sha, content in documents.items():
        stored = SignedDocument.objects.get(sha256=sha)
        assert bytes(stored.content) == content
        # Verified against the restored organization certificate.
        verdict = document_verify(content)
        assert verdict.status == "authentic", verdict
        assert verdict.session_id == session.pk
    restored_dossier = places / "new-media" / dossier.relative_to(places / "media")
    assert restored_dossier.read_bytes() == b"%PDF-1.7\n% ho so\n%%EOF\n"
    new_p12 = places / "new-signing" / f"organization-{session.organization_id}.p12"
    assert new_p12.read_bytes() == p12
    assert new_p12.stat().st_mode & 0o777 == 0o600
    # Accounts come back with their passwords; new rows get new ids.
    assert Client().login(username="kiemphieu", password="demo12345")
    newcomer = make_user("nguoi-moi")
    assert newcomer.pk > max(
        get_user_model().objects.exclude(pk=newcomer.pk).values_list("pk", flat=True)
    )


@pytest.fixture
def small(places, org):
    """A draft session with one official and a stand-in key file."""
    session = make_session(org)
    make_official(session, full_name="Nguyễn Văn An")
    make_user("van-phong", organization=org)
    (places / "signing").mkdir()
    (places / "signing" / "organization-1.p12").write_bytes(b"SECRET-PKCS12-BYTES" * 20)
    return session


def test_restore_refuses_a_database_that_is_not_empty(small, places):
    archive = places / "b.zip"
    backup(archive)
    message = refused(archive)
    assert message.startswith("The database is not empty (")
    assert "vote_sessions.VoteSession: 1" in message
    assert VoteSession.objects.count() == 1


def _rewrite(archive, out, change):
    """A copy of the archive with `change(name, bytes) -> bytes | None` applied (None drops)."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = change(name, source.read(name))
            if content is not None:
                target.writestr(name, content)


def test_a_tampered_archive_is_refused_and_nothing_changes(small, places):
    archive = places / "b.zip"
    backup(archive)
    empty_database()
    tampered = places / "tampered.zip"
    _rewrite(
        archive,
        tampered,
        lambda name, data: (
            data.replace("Nguyễn Văn An".encode(), "Nguyễn Văn Ân".encode())
            if name == "database.json"
            else data
        ),
    )
    assert refused(tampered) == (
        "The backup is damaged or was changed: database.json does not match its SHA-256 in the "
        "manifest. Nothing was restored."
    )
    added = places / "added.zip"
    _rewrite(archive, added, lambda name, data: data)
    with zipfile.ZipFile(added, "a") as zipped:
        zipped.writestr("media/extra.pdf", b"%PDF-")
    assert "parts not in its manifest: media/extra.pdf" in refused(added)
    assert rows() == 0
    # The untouched archive restores.
    restore(archive)
    assert Official.objects.get().full_name == "Nguyễn Văn An"


def test_keys_need_the_right_passphrase(small, places, settings):
    archive = places / "b.zip"
    backup(archive, "--include-keys", "--passphrase-file", passphrase_file(places))
    assert b"SECRET-PKCS12-BYTES" not in archive.read_bytes()
    empty_database()
    settings.moved()

    wrong = passphrase_file(places, "sai mật khẩu rồi")
    assert refused(archive, "--passphrase-file", wrong) == (
        "The passphrase is wrong: the signing keys in the backup cannot be decrypted."
    )
    assert rows() == 0
    assert not (places / "new-signing").exists()

    restore(archive, "--passphrase-file", passphrase_file(places))
    restored = places / "new-signing" / "organization-1.p12"
    assert restored.read_bytes() == b"SECRET-PKCS12-BYTES" * 20


def test_keys_can_be_left_out_of_a_restore(small, places, settings):
    archive = places / "b.zip"
    backup(archive, "--include-keys", "--passphrase-file", passphrase_file(places))
    empty_database()
    settings.moved()
    assert "0 key files" in restore(archive, "--skip-keys")
    assert not (places / "new-signing").exists()
    assert VoteSession.objects.count() == 1


def test_without_include_keys_no_key_is_in_the_archive(small, places):
    archive = places / "b.zip"
    backup(archive)
    with zipfile.ZipFile(archive) as zipped:
        assert "keys.bin" not in zipped.namelist()
        assert json.loads(zipped.read(MANIFEST))["keys"] is None


def test_a_short_passphrase_is_refused(small, places):
    with pytest.raises(CommandError, match="at least 8 characters"):
        backup(
            places / "b.zip", "--include-keys", "--passphrase-file", passphrase_file(places, "ngan")
        )
    assert not (places / "b.zip").exists()


def test_an_existing_output_is_not_overwritten(small, places):
    (places / "b.zip").write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        backup(places / "b.zip")
    assert (places / "b.zip").read_bytes() == b"keep me"


def test_something_that_is_not_a_backup_is_refused(db, places):
    bogus = places / "bogus.zip"
    with zipfile.ZipFile(bogus, "w") as zipped:
        zipped.writestr(MANIFEST, json.dumps({"format": "other"}))
    assert refused(bogus) == f"{bogus} is not a backup of this application."
    garbage = places / "garbage.zip"
    garbage.write_bytes(b"not a zip at all")
    assert refused(garbage).startswith(f"{garbage} is not a readable backup archive")


def test_the_user_can_log_in_after_restore(small, places):
    archive = places / "b.zip"
    backup(archive)
    empty_database()
    restore(archive)
    assert Client().login(username="van-phong", password=PASSWORD)


def test_the_archive_is_readable_by_its_owner_only(small, places):
    backup(places / "b.zip")
    assert (places / "b.zip").stat().st_mode & 0o777 == 0o600


def test_scanned_ballots_come_back_with_their_page_images(places, org, settings):
    from django.core.files.storage import default_storage

    from ballots.models import ScannedBallot
    from tests.ballots import make_counting_session
    from tests.scanning.held import make_held

    session = make_counting_session(org)
    held = make_held(session)
    [name] = held.images
    assert name.startswith(f"scans/{session.pk}/")
    with default_storage.open(name) as stored:
        image = stored.read()
    archive = places / "backup.zip"
    backup(archive)
    with zipfile.ZipFile(archive) as zipped:
        assert zipped.read("media/" + name) == image
        assert "media/" + name in json.loads(zipped.read(MANIFEST))["parts"]

    empty_database()
    settings.moved()
    restore(archive)
    restored = ScannedBallot.objects.get()
    assert (restored.number, restored.status, restored.images) == (1, "held", [name])
    assert (places / "new-media" / name).read_bytes() == image
    with default_storage.open(restored.images[0]) as stored:
        assert stored.read() == image


@pytest.fixture
def memory_storage(settings):
    """The default storage in memory: not the file system, as an S3-compatible store is not.
    `fresh()` gives a new, empty one (the new machine's)."""

    def fresh():
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        }

    fresh()
    return fresh


def test_scan_images_are_backed_up_and_restored_through_the_storage(places, org, memory_storage):
    """Read through the storage, not from MEDIA_ROOT, and written back through it: with a
    storage that is not the file system, nothing is ever on MEDIA_ROOT."""
    from django.core.files.storage import default_storage

    from ballots.models import ScannedBallot
    from tests.ballots import make_counting_session
    from tests.scanning.held import make_held

    session = make_counting_session(org)
    first = make_held(session, number=1, sha="1" * 64)
    second = make_held(session, number=2, sha="2" * 64)
    names = first.images + second.images
    images = {}
    for name in names:
        with default_storage.open(name) as stored:
            images[name] = stored.read()
    assert not (places / "media").exists()
    archive = places / "backup.zip"
    backup(archive)
    with zipfile.ZipFile(archive) as zipped:
        parts = json.loads(zipped.read(MANIFEST))["parts"]
        assert sorted(name for name in parts if name.startswith("media/")) == sorted(
            "media/" + name for name in names
        )
        for name, content in images.items():
            assert zipped.read("media/" + name) == content

    empty_database()
    memory_storage()  # the new machine's storage, empty
    assert not default_storage.exists(names[0])
    assert "2 uploaded files" in restore(archive)
    assert sorted(ScannedBallot.objects.values_list("number", flat=True)) == [1, 2]
    for name, content in images.items():
        with default_storage.open(name) as stored:
            assert stored.read() == content
    assert not (places / "media").exists()


def test_restore_refuses_to_overwrite_another_file_in_the_storage(places, org, memory_storage):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tests.ballots import make_counting_session
    from tests.scanning.held import make_held

    session = make_counting_session(org)
    [name] = make_held(session).images
    archive = places / "backup.zip"
    backup(archive)
    empty_database()
    memory_storage()
    default_storage.save(name, ContentFile(b"another page"))
    assert refused(archive) == (f"{name} already exists with other content; move it away first.")
    assert rows() == 0
    with default_storage.open(name) as stored:
        assert stored.read() == b"another page"
