"""The legal rules of a confidence vote, one profile per legal basis.

Everything the law decides (who must be present, what a percentage is taken
over, where the low-confidence bands start) is read from a profile here; no
view, template or service writes such a rule a second time.
"""

from django.utils.functional import Promise

from confidence_vote.rules.base import RuleProfile
from confidence_vote.rules.profiles import ASSEMBLY_85_2014, ASSEMBLY_96_2023, PARTY_96_2023

PROFILES: dict[str, RuleProfile] = {
    p.code: p for p in (PARTY_96_2023, ASSEMBLY_96_2023, ASSEMBLY_85_2014)
}
DEFAULT_PROFILE = PARTY_96_2023.code


def get_profile(code: str) -> RuleProfile:
    """The profile for a code; KeyError for an unknown code (a programming error)."""
    return PROFILES[code]


def profile_choices() -> list[tuple[str, str | Promise]]:
    return [(p.code, p.name) for p in PROFILES.values()]


__all__ = [
    "ASSEMBLY_85_2014",
    "ASSEMBLY_96_2023",
    "PARTY_96_2023",
    "DEFAULT_PROFILE",
    "PROFILES",
    "RuleProfile",
    "get_profile",
    "profile_choices",
]
