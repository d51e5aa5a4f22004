class DomainError(Exception):
    """A rule of the product was broken by the request; the message is for the user.

    Services raise it with a translatable message (and optionally the form
    field it concerns); views show it as a form error or a message.
    """

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
