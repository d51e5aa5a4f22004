"""Database helpers the ORM of Django 5.2 lacks, written for SQLite and PostgreSQL alike."""

from django.db.models import Aggregate, CharField


class JoinedText(Aggregate):
    """The group's values joined with commas: GROUP_CONCAT on SQLite, STRING_AGG on
    PostgreSQL. Lets one query carry a short list (a session's officials, a pass's running
    totals) as a subquery column instead of a second query."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s)"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra_context,
        )
