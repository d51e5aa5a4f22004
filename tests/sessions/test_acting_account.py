"""acting_account: the account a write records as its author; nobody else gets through."""

import pytest
from django.contrib.auth.models import AnonymousUser

from sessions.access import REFUSALS
from sessions.errors import DomainError
from sessions.services.common import acting_account


def test_a_signed_in_account_is_returned(secretariat):
    assert acting_account(secretariat) is secretariat


@pytest.mark.parametrize("user", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_no_account_is_refused(user):
    with pytest.raises(DomainError) as refused:
        acting_account(user)
    assert str(refused.value.message) == str(REFUSALS["view"])
