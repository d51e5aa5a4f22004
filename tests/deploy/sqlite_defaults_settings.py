"""The project's settings with Django's default SQLite options (no busy timeout to speak of,
deferred transactions, the rollback journal): the control of tests/test_sqlite_writers.py."""

from confidence_vote.settings import *  # noqa: F403
from confidence_vote.settings import DATABASES

DATABASES["default"]["OPTIONS"] = {"timeout": 1}
