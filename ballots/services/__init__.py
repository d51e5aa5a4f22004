"""Writes on ballots and on the count: open, enter, import, correct, void, resolve a difference
between the passes, record hand-count totals, collect, close, reopen.

One module per concern; the public services are re-exported here, so callers import them
from `ballots.services`.
"""

from ballots.services.count import (
    count_close,
    count_close_problems,
    count_open,
    count_record_collected,
    count_reopen,
)
from ballots.services.entry import ballot_correct, ballot_record, ballot_save, ballot_void
from ballots.services.hand_count import hand_count_record
from ballots.services.imports import ballots_import
from ballots.services.resolve import difference_resolve

__all__ = [
    "ballot_correct",
    "ballot_record",
    "ballot_save",
    "ballot_void",
    "ballots_import",
    "count_close",
    "count_close_problems",
    "count_open",
    "count_record_collected",
    "count_reopen",
    "difference_resolve",
    "hand_count_record",
]
