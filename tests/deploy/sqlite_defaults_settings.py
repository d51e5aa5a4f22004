"""The project's settings with Django's default SQLite options (deferred transactions, the
rollback journal, Python's 5 s busy timeout): the control of tests/test_sqlite_writers.py."""

from confidence_vote.settings import *  # noqa: F403
from confidence_vote.settings import DATABASES

DATABASES["default"]["OPTIONS"] = {}
