"""The demo data: the seed case of docs/domain.md as an import_session file."""

from pathlib import Path

# Loaded by `manage.py seed_demo` through the same service as `manage.py import_session`.
SEED_FILE = Path(__file__).with_name("seed_session.json")
