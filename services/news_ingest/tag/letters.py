"""Letter classes for the name patterns: ASCII and the accented Latin letters of European, Turkish and
Vietnamese names ("Weizsäcker", "Wałęsa", "Erdoğan", "Nguyễn"), as bodies to put inside a regex class.

Python's ``re`` has no class for "an upper-case letter", and ``[A-Z][a-z]+`` stops a name at its first
accented letter. The classes here are built from Unicode's own case data for the Latin blocks, so every
precomposed Latin letter is in exactly one of them; text reaching the tag stage is NFC (normalise/text.py),
so its accented letters are precomposed.
"""

from __future__ import annotations

from collections.abc import Iterable

# Latin-1 Supplement letters, Latin Extended-A and -B, Latin Extended Additional (Vietnamese).
_LATIN_BLOCKS = (range(0x00C0, 0x0250), range(0x1E00, 0x1F00))


def _class_body(codes: Iterable[int]) -> str:
    """Code points as a regex class body, runs of consecutive ones as ranges ("À-ÖØ-Þ")."""
    body: list[str] = []
    run: list[int] = []
    for code in sorted(codes):
        if run and code == run[-1] + 1:
            run.append(code)
            continue
        body.append(_run(run))
        run = [code]
    body.append(_run(run))
    return "".join(body)


def _run(run: list[int]) -> str:
    if not run:
        return ""
    if len(run) == 1:
        return chr(run[0])
    return f"{chr(run[0])}-{chr(run[-1])}"


def _latin(predicate: str) -> str:
    return _class_body(code for block in _LATIN_BLOCKS for code in block if getattr(chr(code), predicate)())


UPPER = "A-Z" + _latin("isupper")  # "[{UPPER}]": a capital letter that may start a name
LOWER = "a-z" + _latin("islower")  # "[{LOWER}]": a small letter that may go on with one
LETTER = UPPER + LOWER
