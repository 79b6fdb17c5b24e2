"""The protocol's errors: raised anywhere while a request is answered, written as ``<error>``."""

# Errors about the request itself: the response's <request> element then carries no arguments.
ARGUMENTS_REJECTED = frozenset({"badVerb", "badArgument"})


class OAIError(Exception):
    """One of OAI-PMH's error conditions (section 3.6), with a message saying what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def bad_argument(message):
    return OAIError("badArgument", message)
