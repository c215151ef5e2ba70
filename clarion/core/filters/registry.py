"""The kinds of leaf a filter tree may hold, by the key that marks them ("property",
"association"; segments add "event" and "list"). Each kind brings a validator and a
compiler, so new leaves plug in without touching the core of the language."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LeafKind:
    key: str
    validate: Callable  # (tree, catalogue, path, depth) -> normalised tree
    compile: Callable  # (tree, catalogue, context) -> Q


LEAF_KINDS: dict[str, LeafKind] = {}


def register_leaf(key: str, *, validate: Callable, compile: Callable) -> None:
    """Teach the language a new leaf, marked by `key` (e.g. "event")."""
    LEAF_KINDS[key] = LeafKind(key, validate, compile)


def leaf_kind(tree: dict) -> str | None:
    return next((key for key in LEAF_KINDS if key in tree), None)
