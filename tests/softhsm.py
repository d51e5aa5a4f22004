"""A SoftHSM2 token for the whole test run: its own configuration and token directory, a key
and its certificate imported with pkcs11-tool, as on a real USB token.

SoftHSM2 and OpenSC come from Debian (`make browser` installs them). If they are missing the
tests that need the token FAIL: a skip would hide the missing dependency in CI."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.certificates import Issued, issue

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "VKS Quang Ninh"
KEY_LABEL = "ky-so-vks"
KEY_ID = "a1"
PIN = "246810"
SO_PIN = "13579135"


@dataclass(frozen=True)
class Token:
    module: str
    token_label: str
    key_label: str
    key_id: str
    pin: str
    issued: Issued
    folder: Path


def _run(*args: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(args)}: {result.stdout} {result.stderr}"


def make_token(folder: Path) -> Token:
    missing = [tool for tool in ("softhsm2-util", "pkcs11-tool") if shutil.which(tool) is None]
    assert not missing, f"{missing} not installed: run `make browser` (softhsm2, opensc)"
    assert Path(MODULE).is_file(), f"{MODULE} missing: run `make browser` (softhsm2)"
    tokens = folder / "tokens"
    tokens.mkdir(parents=True)
    config = folder / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    # SoftHSM reads this when the module is first initialized in the process.
    os.environ["SOFTHSM2_CONF"] = str(config)
    _run(
        "softhsm2-util",
        "--init-token",
        "--free",
        "--label",
        TOKEN_LABEL,
        "--pin",
        PIN,
        "--so-pin",
        SO_PIN,
    )
    issued = issue(common_name="Viện kiểm sát nhân dân tỉnh Quảng Ninh (token)")
    (folder / "key.der").write_bytes(issued.key_der)
    (folder / "cert.der").write_bytes(issued.der)
    for kind, path in (("privkey", "key.der"), ("cert", "cert.der")):
        _run(
            "pkcs11-tool",
            "--module",
            MODULE,
            "--token-label",
            TOKEN_LABEL,
            "--login",
            "--pin",
            PIN,
            "--write-object",
            str(folder / path),
            "--type",
            kind,
            "--id",
            KEY_ID,
            "--label",
            KEY_LABEL,
            *(["--usage-sign"] if kind == "privkey" else []),
        )
    (folder / "key.der").unlink()
    return Token(
        module=MODULE,
        token_label=TOKEN_LABEL,
        key_label=KEY_LABEL,
        key_id=KEY_ID,
        pin=PIN,
        issued=issued,
        folder=folder,
    )
