"""A compact one-to-many table: each key holds one member as itself, and a list only once it has several.

Most keys of the dedup index's bands and of the story table's term postings have a single member; a list per
key would cost more than the member. Members keep the order they were added in.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
Held = str | list[str]


def add(table: dict[K, Held], key: K, member: str, *, keep: int = 0, keep_first: bool = False) -> None:
    """Add ``member`` under ``key``; with ``keep``, only the last ``keep`` members stay, or with ``keep_first``
    the first member and the last ``keep - 1``."""
    held = table.get(key)
    if held is None:
        table[key] = member
    elif isinstance(held, str):
        table[key] = [held, member]
    else:
        held.append(member)
        if keep and len(held) > keep:
            del held[1 if keep_first else 0]


def remove(table: dict[K, Held], key: K, member: str) -> None:
    """Take ``member`` out from under ``key``; a key left with one member holds it as itself, with none goes."""
    held = table.get(key)
    if held == member:
        del table[key]
    elif isinstance(held, list):
        held[:] = [other for other in held if other != member]
        if len(held) == 1:
            table[key] = held[0]
        elif not held:
            del table[key]


def newest_first(held: Held | None) -> Iterable[str]:
    """The members one key holds, the last added first."""
    if held is None:
        return ()
    return (held,) if isinstance(held, str) else reversed(held)


def members(held: Held | None) -> Iterator[str]:
    """The members one key holds, in the order they were added."""
    if isinstance(held, str):
        yield held
    elif held is not None:
        yield from held


def count(held: Held | None) -> int:
    """How many members one key holds."""
    if held is None:
        return 0
    return 1 if isinstance(held, str) else len(held)


def saved(held: Held | None) -> Held | None:
    """A key's value as it is now, to put back later with ``restore`` (a list is changed in place: copied)."""
    return list(held) if isinstance(held, list) else held


def restore(table: dict[K, Held], key: K, held: Held | None) -> None:
    """Put back what ``saved`` kept of ``key`` (None: the key held nothing)."""
    if held is None:
        table.pop(key, None)
    else:
        table[key] = held
