"""The one error a filter tree can raise; its message names the offending leaf."""

from difflib import get_close_matches


class InvalidFilter(ValueError):
    def __init__(self, message: str, path: str = ""):
        self.message = message
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


def did_you_mean(name: str, known) -> str:
    close = get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""
