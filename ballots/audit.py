"""The ballots app's words in the history and the ballot record: its actions, the keys of their
data, and how marks read ("1. Trần Văn A: Tín nhiệm cao"). Ballot entries carry marks, which are
results: only those who may read the ballot record see them."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from ballots.models import EntryPass, InvalidReason, MarkValue
from sessions.audit import AuditContext, Vocabulary, register_vocabulary


def _choice(choices) -> Any:
    labels = dict(choices)

    def format_(value: Any, ctx: AuditContext) -> str:
        return str(labels.get(value, value)) if value not in (None, "") else "—"

    return format_


def _marks(value: Any, ctx: AuditContext) -> str:
    if not isinstance(value, dict):
        return str(value)
    labels = dict(MarkValue.choices)
    return "; ".join(
        f"{ctx.official(order)}: {labels.get(mark, mark)}" for order, mark in value.items()
    )


def _content(value: Any, ctx: AuditContext) -> str:
    """A ballot's content before or after a change."""
    if not isinstance(value, dict):
        return str(value)
    parts = []
    if value.get("invalid_reason"):
        parts.append(str(_choice(InvalidReason.choices)(value["invalid_reason"], ctx)))
    if value.get("invalid_note"):
        parts.append(str(value["invalid_note"]))
    if "marks" in value:
        parts.append(_marks(value["marks"], ctx))
    return " — ".join(parts) or "—"


def _pass(value: Any, ctx: AuditContext) -> str:
    return str(dict(EntryPass.choices).get(value, value))


def _by_pass(value: Any, ctx: AuditContext) -> str:
    if not isinstance(value, dict):
        return str(value)
    return "; ".join(f"{_pass(int(k), ctx)}: {v}" for k, v in value.items())


register_vocabulary(
    Vocabulary(
        labels={
            "ballot.create": _("Ballot entered"),
            "ballot.correct": _("Ballot corrected"),
            "ballot.void": _("Ballot voided"),
            "ballot.import": _("Ballots imported from a file"),
            "scan.import": _("Scanned ballots imported"),
            "scan.review": _("Held scanned ballot reviewed"),
            "ballot.resolve": _("Difference resolved from the paper"),
            "tally_sheet.record": _("Hand-count totals recorded"),
            "count.collected": _("Ballots collected recorded"),
            "count.typists": _("Typists named for the passes"),
            "count.close": _("Count closed"),
            "count.reopen": _("Count reopened"),
        },
        fields={
            "pass": _("Entry pass"),
            "number": _("Ballot number"),
            "invalid_reason": _("Whole ballot invalid"),
            "invalid_note": _("Note"),
            "marks": _("Marks"),
            "count": _("Ballots"),
            "entered": _("Entered"),
            "ballots_collected": _("Ballots collected"),
            "tally_sheet": _("Hand-count sheet"),
            "content": _("Content"),
            "passes": _("Passes"),
            "typing": _("Who types which pass"),
            "corrected": _("Rows changed from the machine's reading"),
            "reasons": _("Why it was held"),
        },
        formatters={
            "pass": _pass,
            "invalid_reason": _choice(InvalidReason.choices),
            "marks": _marks,
            "before": _content,
            "after": _content,
            "content": _content,
            "entered": _by_pass,
        },
        needs="view_log",
        in_log=frozenset(
            {
                "ballot.create",
                "ballot.correct",
                "ballot.void",
                "ballot.import",
                "scan.import",
                "scan.review",
                "ballot.resolve",
                "tally_sheet.record",
                "count.collected",
                "count.typists",
                "count.close",
                "count.reopen",
            }
        ),
    )
)
