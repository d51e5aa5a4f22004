"""One file to back up and restore everything: `manage.py backup -o FILE`, `manage.py restore FILE`.

The archive is a zip file of parts, each listed with its SHA-256 in `manifest.json`:

- `database.json`: every row of our apps (sessions, ballots, reports) and the user accounts
  and groups, in Django's JSON serialization. Rows keep their ids; references to accounts,
  groups and permissions are written by natural key (username, group name, permission
  codename), so nothing depends on one database's numbering: a backup taken on SQLite
  restores into PostgreSQL and the other way round.
- `documents/<sha256>.pdf`: the bytes of each signed document, outside the JSON so that a
  reader can take one out of the archive and check it; the SHA-256 in the name is the one the
  database keeps and the verification page looks up.
- `media/...`: the uploaded files, read through Django's default storage (the file system
  under MEDIA_ROOT by default, an S3-compatible store when STORAGES says so): officials'
  dossiers and the page images of scanned ballots (`scans/`, kept for the record, the review
  of held ballots and the comparison of the passes). A restore writes them back through the
  same storage.
- `keys.bin`, only with `--include-keys`: the files of SIGNING_DIR (the organizations'
  PKCS#12 certificates and their passwords), as a zip encrypted with AES-256-GCM under a key
  derived from a passphrase with scrypt. Without the passphrase the archive reveals nothing
  of them.

A restore goes into an empty database at the same migrations, checks every part's SHA-256
before touching anything, loads the rows in one transaction, resets the id sequences
(PostgreSQL) and then writes the files; any problem leaves the database as it was.
"""

import base64
import datetime as dt
import hashlib
import io
import json
import os
import secrets
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import SignedDocument

FORMAT = "confidence-vote-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_PART = "database.json"
KEYS_PART = "keys.bin"
DOCUMENTS_DIR = "documents/"
MEDIA_DIR = "media/"
# Our apps' labels: every one of their models is backed up.
APP_LABELS = ("vote_sessions", "ballots", "reports")
# scrypt parameters (RFC 7914's interactive-use example, doubled): ~0.1 s and 32 MB.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
PASSPHRASE_MIN_LENGTH = 8
_KEYS_AAD = b"confidence-vote keys v1"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, for the operator."""


@dataclass
class RestoreSummary:
    rows: int = 0
    documents: int = 0
    media_files: int = 0
    key_files: int = 0
    counts: dict[str, int] = field(default_factory=dict)


# -- What is backed up ---------------------------------------------------------------------------


def backed_up_models() -> list:
    """The models whose rows go into database.json, in an order that loads: accounts and
    groups first (referred to by natural key), then our apps."""
    models = [Group, get_user_model()]
    for label in APP_LABELS:
        models.extend(apps.get_app_config(label).get_models())
    return serializers.sort_dependencies([(None, models)], allow_cycles=True)


def _applied_migrations(using: str) -> dict[str, list[str]]:
    """The migrations applied to the database, per app: a restore needs the same."""
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _files_under(root: Path) -> list[tuple[str, Path]]:
    """(POSIX path relative to root, path) of every regular file below root, sorted."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((path.relative_to(root).as_posix(), path))
    return found


def _stored_names(storage: Storage) -> list[str]:
    """The name of every file in the storage, sorted, found through its own listing (a file
    system, an S3 bucket's prefix and an in-memory store alike). On the file system, a
    symbolic link is not followed out of MEDIA_ROOT."""
    names: list[str] = []

    def walk(prefix: str) -> None:
        try:
            directories, files = storage.listdir(prefix)
        except FileNotFoundError:
            return
        for name in files:
            stored = prefix + name
            if not _is_link(storage, stored):
                names.append(stored)
        for directory in directories:
            if not _is_link(storage, prefix + directory):
                walk(f"{prefix}{directory}/")

    walk("")
    return sorted(names)


def _is_link(storage: Storage, name: str) -> bool:
    try:
        return Path(storage.path(name)).is_symlink()
    except NotImplementedError:  # not on a file system: no links to follow
        return False


def _stored_bytes(storage: Storage, name: str) -> bytes:
    with storage.open(name, "rb") as stored:
        return stored.read()


# -- Passphrase encryption of the signing keys -----------------------------------------------------


def _derive(passphrase: bytes, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase)


def encrypt_keys(files: Iterable[tuple[str, bytes]], passphrase: bytes) -> tuple[bytes, dict]:
    """The files zipped and encrypted, and the parameters a restore needs (no secret)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = AESGCM(_derive(passphrase, salt)).encrypt(nonce, buffer.getvalue(), _KEYS_AAD)
    parameters = {
        "cipher": "AES-256-GCM",
        "kdf": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": base64.b64encode(salt).decode(),
        "nonce": base64.b64encode(nonce).decode(),
    }
    return sealed, parameters


def decrypt_keys(sealed: bytes, parameters: dict, passphrase: bytes) -> dict[str, bytes]:
    """The key files by relative path; BackupError for a wrong passphrase."""
    try:
        salt = base64.b64decode(parameters["salt"])
        nonce = base64.b64decode(parameters["nonce"])
        key = Scrypt(
            salt=salt, length=32, n=parameters["n"], r=parameters["r"], p=parameters["p"]
        ).derive(passphrase)
        plain = AESGCM(key).decrypt(nonce, sealed, _KEYS_AAD)
    except InvalidTag:
        raise BackupError(
            _("The passphrase is wrong: the signing keys in the backup cannot be decrypted.")
        ) from None
    except (KeyError, TypeError, ValueError):
        raise BackupError(_("The backup's key parameters are damaged.")) from None
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# -- Backup --------------------------------------------------------------------------------------


def _database_json(using: str) -> tuple[bytes, dict[str, bytes], dict[str, int]]:
    """database.json with each signed document's bytes replaced by a part name, those parts,
    and the number of rows per model."""
    rows: list[dict] = []
    counts: dict[str, int] = {}
    for model in backed_up_models():
        queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
        data = json.loads(
            serializers.serialize(
                "json", queryset, use_natural_foreign_keys=True, use_natural_primary_keys=False
            )
        )
        counts[model._meta.label_lower] = len(data)
        rows.extend(data)
    documents: dict[str, bytes] = {}
    for row in rows:
        if row["model"] == SignedDocument._meta.label_lower:
            fields = row["fields"]
            content = base64.b64decode(fields.pop("content"))
            if _sha256(content) != fields["sha256"]:
                raise BackupError(
                    _("Signed document %(id)s does not match its stored SHA-256; not backed up.")
                    % {"id": row["pk"]}
                )
            name = f"{DOCUMENTS_DIR}{fields['sha256']}.pdf"
            fields["content"] = {"part": name}
            documents[name] = content
    text = json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True)
    return text.encode("utf-8"), documents, counts


def backup_write(
    *, output: Path, include_keys: bool = False, passphrase: bytes | None = None, using: str = ""
) -> dict:
    """Write the archive to `output` (through a temporary file, renamed at the end); return
    its manifest."""
    using = using or DEFAULT_DB_ALIAS
    if include_keys and (not passphrase or len(passphrase) < PASSPHRASE_MIN_LENGTH):
        raise BackupError(
            _("The passphrase must have at least %(min)d characters.")
            % {"min": PASSPHRASE_MIN_LENGTH}
        )
    # One consistent reading of the database.
    with transaction.atomic(using=using):
        database, documents, counts = _database_json(using)
        migrations = _applied_migrations(using)
    parts: dict[str, dict] = {}
    output = Path(output)
    temporary = output.with_name(f".{output.name}.{secrets.token_hex(4)}.part")
    try:
        # Mode 0600 from the first byte: the archive holds every account's password hash.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(descriptor, "wb") as handle,
            zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive,
        ):

            def add(name: str, content: bytes) -> None:
                archive.writestr(name, content)
                parts[name] = {"sha256": _sha256(content), "size": len(content)}

            add(DATABASE_PART, database)
            for name, content in sorted(documents.items()):
                add(name, content)
            for name in _stored_names(default_storage):
                add(MEDIA_DIR + name, _stored_bytes(default_storage, name))
            key_parameters = None
            if include_keys:
                key_files = [
                    (relative, path.read_bytes())
                    for relative, path in _files_under(Path(settings.SIGNING_DIR))
                ]
                if not key_files:
                    raise BackupError(
                        _("There are no signing keys in %(dir)s to back up.")
                        % {"dir": settings.SIGNING_DIR}
                    )
                sealed, key_parameters = encrypt_keys(key_files, passphrase or b"")
                key_parameters["files"] = len(key_files)
                add(KEYS_PART, sealed)
            manifest = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "database_vendor": connections[using].vendor,
                "migrations": migrations,
                "counts": counts,
                "keys": key_parameters,
                "parts": parts,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        temporary.replace(output)
    finally:
        temporary.unlink(missing_ok=True)
    return manifest


# -- Reading and checking an archive -------------------------------------------------------------


@dataclass
class Backup:
    manifest: dict
    parts: dict[str, bytes]

    @property
    def has_keys(self) -> bool:
        return KEYS_PART in self.parts


def _safe_part_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


def backup_read(path: Path) -> Backup:
    """The archive's parts, every one checked against the manifest; BackupError if anything
    is missing, added, or not what the manifest says."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(
            _("%(file)s is not a readable backup archive: %(error)s") % {"file": path, "error": exc}
        ) from None
    with archive:
        try:
            manifest = json.loads(archive.read(MANIFEST))
        except (KeyError, ValueError, zipfile.BadZipFile):
            raise BackupError(_("%(file)s has no readable manifest.") % {"file": path}) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(_("%(file)s is not a backup of this application.") % {"file": path})
        if manifest.get("version") != FORMAT_VERSION:
            raise BackupError(
                _("The backup's format version %(version)s is not supported.")
                % {"version": manifest.get("version")}
            )
        listed = manifest.get("parts") or {}
        present = set(archive.namelist()) - {MANIFEST}
        unlisted = sorted(present - set(listed))
        missing = sorted(set(listed) - present)
        if unlisted or missing:
            raise BackupError(
                _(
                    "The backup was changed: parts not in its manifest: %(unlisted)s; "
                    "parts missing: %(missing)s."
                )
                % {"unlisted": ", ".join(unlisted) or "-", "missing": ", ".join(missing) or "-"}
            )
        parts: dict[str, bytes] = {}
        for name, expected in sorted(listed.items()):
            if not _safe_part_name(name):
                raise BackupError(_("The backup holds an unsafe path: %(name)s") % {"name": name})
            try:
                content = archive.read(name)
            except (zipfile.BadZipFile, OSError):
                content = None
            if content is None or _sha256(content) != expected.get("sha256"):
                raise BackupError(
                    _(
                        "The backup is damaged or was changed: %(name)s does not match its "
                        "SHA-256 in the manifest. Nothing was restored."
                    )
                    % {"name": name}
                )
            parts[name] = content
    if DATABASE_PART not in parts:
        raise BackupError(_("The backup has no database part."))
    return Backup(manifest=manifest, parts=parts)


# -- Restore -------------------------------------------------------------------------------------


def _check_target(backup: Backup, using: str) -> None:
    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError(
            _("The database is not fully migrated. Run 'python manage.py migrate' first.")
        )
    ours = _applied_migrations(using)
    theirs = backup.manifest.get("migrations") or {}
    differ = sorted(
        label for label in set(ours) | set(theirs) if ours.get(label, []) != theirs.get(label, [])
    )
    if differ:
        raise BackupError(
            _(
                "The backup was made by another version of the application (migrations of "
                "%(apps)s differ). Restore it with the version that made it."
            )
            % {"apps": ", ".join(differ)}
        )
    filled = [
        f"{model._meta.label}: {count}"
        for model in backed_up_models()
        if (count := model._base_manager.using(using).count())
    ]
    if filled:
        raise BackupError(
            _(
                "The database is not empty (%(rows)s). A backup is restored only into an "
                "empty, migrated database; nothing was changed."
            )
            % {"rows": ", ".join(filled)}
        )


def _check_files(targets: dict[Path, bytes]) -> None:
    """Refuse to overwrite a different file already there."""
    for path, content in targets.items():
        if path.exists() and path.read_bytes() != content:
            raise BackupError(
                _("%(path)s already exists with other content; move it away first.")
                % {"path": path}
            )


def _check_stored(storage: Storage, targets: dict[str, bytes]) -> None:
    """Refuse to overwrite a different file already in the storage."""
    for name, content in targets.items():
        if storage.exists(name) and _stored_bytes(storage, name) != content:
            raise BackupError(
                _("%(path)s already exists with other content; move it away first.")
                % {"path": name}
            )


def _write_stored(storage: Storage, targets: dict[str, bytes], *, written: list[str]) -> None:
    for name, content in targets.items():
        if storage.exists(name):
            continue  # the same bytes: checked before
        saved = storage.save(name, ContentFile(content))
        written.append(saved)
        if saved != name:  # the storage renamed it: the rows would not find it
            raise BackupError(
                _("%(path)s could not be written under its name (the storage made it %(saved)s).")
                % {"path": name, "saved": saved}
            )


def _write_files(targets: dict[Path, bytes], *, private: bool, written: list[Path]) -> None:
    for path, content in targets.items():
        if path.exists():
            continue  # the same bytes: checked before
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o755)
        descriptor = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644
        )
        written.append(path)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)


def _load_rows(backup: Backup, using: str) -> int:
    rows = json.loads(backup.parts[DATABASE_PART])
    for row in rows:
        if row.get("model") == SignedDocument._meta.label_lower:
            reference = row["fields"]["content"]
            content = backup.parts[reference["part"]]
            row["fields"]["content"] = base64.b64encode(content).decode()
    objects = serializers.deserialize(
        "json", json.dumps(rows), using=using, handle_forward_references=True
    )
    deferred = []
    count = 0
    for obj in objects:
        obj.save(using=using)
        count += 1
        if obj.deferred_fields:
            deferred.append(obj)
    for obj in deferred:
        obj.save_deferred_fields(using=using)
    connection = connections[using]
    models = backed_up_models()
    connection.check_constraints(table_names=[model._meta.db_table for model in models])
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return count


def backup_restore(
    *,
    path: Path,
    passphrase: Callable[[], bytes] | None = None,
    skip_keys: bool = False,
    using: str = "",
) -> RestoreSummary:
    """Fill an empty, migrated database (and the default storage, SIGNING_DIR) from the archive.

    `passphrase` is called only if the archive holds keys and `skip_keys` is false."""
    using = using or DEFAULT_DB_ALIAS
    backup = backup_read(Path(path))
    _check_target(backup, using)

    key_targets: dict[Path, bytes] = {}
    if backup.has_keys and not skip_keys:
        if passphrase is None:
            raise BackupError(
                _(
                    "The backup holds encrypted signing keys: give the passphrase "
                    "(--passphrase-file), or restore without them (--skip-keys)."
                )
            )
        files = decrypt_keys(backup.parts[KEYS_PART], backup.manifest["keys"], passphrase())
        signing_dir = Path(settings.SIGNING_DIR)
        for name, content in files.items():
            if not _safe_part_name(name):
                raise BackupError(_("The backup holds an unsafe path: %(name)s") % {"name": name})
            key_targets[signing_dir / name] = content
    media_targets = {
        name.removeprefix(MEDIA_DIR): content
        for name, content in backup.parts.items()
        if name.startswith(MEDIA_DIR)
    }
    _check_stored(default_storage, media_targets)
    _check_files(key_targets)

    summary = RestoreSummary(counts=dict(backup.manifest.get("counts") or {}))
    written: list[Path] = []
    stored: list[str] = []
    try:
        with transaction.atomic(using=using):
            summary.rows = _load_rows(backup, using)
            summary.documents = _verify_documents(using)
            # Files last, still inside the transaction: if one cannot be written, the rows
            # are rolled back and the files already written are removed below.
            _write_stored(default_storage, media_targets, written=stored)
            _write_files(key_targets, private=True, written=written)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        for written_path in written:
            written_path.unlink(missing_ok=True)
        raise
    summary.media_files = len(media_targets)
    summary.key_files = len(key_targets)
    return summary


def _verify_documents(using: str) -> int:
    """Every restored signed document's bytes still hash to the SHA-256 the database keeps."""
    count = 0
    for pk, content, sha256 in SignedDocument.objects.using(using).values_list(
        "pk", "content", "sha256"
    ):
        if _sha256(bytes(content)) != sha256:
            raise BackupError(
                _("Signed document %(id)s does not match its SHA-256 after loading.") % {"id": pk}
            )
        count += 1
    return count


def default_backup_name() -> str:
    return f"confidence-vote-{dt.datetime.now():%Y%m%d-%H%M%S}.zip"
