"""Bylines, timestamps, picture credits and captions: lines that say who wrote or photographed the story and
when, not what happened.

They reach the tags as entities an editor would not facet on (the byline's author as the story's top person,
"GETTY" as an organisation, a caption's bystander and suburb), so they leave the body:

- a byline: "By" and names, with the words bylines add (roles, outlets, times): "By JILL LAWLESS", "By Mike
  Wuerthele and Malcolm Owen Monday, November 18, 2019, 04:05 pm PT", "By: Murray Brewster, THE CANADIAN
  PRESS"; "By" on a line of its own takes the names line after it too. A line "by GM." is the end of a
  hard-wrapped sentence, not a byline. "By 2022, the law calls for..." and
  "By taking off the top half..." are sentences: a byline has no lower-case word outside that short list;
- a timestamp line: "Published: Tuesday, March 3, 2020, 13:51 (GMT)", "Updated 11:05 PM EST Nov 19, 2019";
- a credit line: "Photo: John Locher, AP", "(Image credit: Blue Origin)", "Sakib Ali/Hindustan Times/Getty
  Images", "AFP, AP", "STAFF PHOTO BY ...", and a gallery's labels ("Image 1 of 5", "Click photo to enlarge");
- a caption: a line ending in a picture credit ("... outside a Home Depot in Hialeah, Fla. (AP Photo/Alan
  Diaz)", "... (Image: GETTY)", "...a rabbitCredit: Getty - Contributor"), or a "FILE PHOTO:" or "Image
  caption" line.

A wire credit at the end of an article's own paragraph ("... at least 33 separatists [EPA]", "... in school. -
AFP") is cut off the paragraph, which stays.
"""

from __future__ import annotations

import re

_MAX_LINE_CHARS = 400
_BYLINE = re.compile(r"(?:By|BY|by):?(?:\s+(?P<names>.*))?")
# Lower-case words a byline holds besides names: roles, links between names, times, places of filing.
_BYLINE_WORDS = frozenset(
    (
        "and", "of", "the", "in", "for", "at", "de", "da", "di", "van", "von", "der", "del", "la", "le", "bin", "al",
        "staff", "writer", "writers", "correspondent", "correspondents", "reporter", "reporters", "editor",
        "editors", "contributor", "agencies", "published", "updated", "posted", "am", "pm", "ago", "minute",
        "minutes", "hour", "hours", "on", "via", "page", "with", "news", "sport", "sports", "et", "pt", "gmt", "bst",
    )
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_][\w'\u2019.-]*")
_MAX_BYLINE_NAME_WORDS = 8  # the names line after a lone "By"
_AGENCY = (
    r"(?:AP|AFP|EPA|Reuters|REUTERS|Getty(?: Images)?|GETTY(?: IMAGES)?|getty|PA|Sapa|Xinhua|iStock|Shutterstock"
    r"|Associated Press|Bloomberg|Alamy|Rex Features|Corbis|ANP|DPA|dpa|ANSA|Kyodo|Yonhap)"
)
_PICTURE = r"(?:Image|Images|Photo|Photos|Photograph|Picture|Pic|Credit|Source|Foto)"
_CREDIT_LINE = re.compile(
    rf"\(?(?:(?:Main |Cover |Top |Lead )?(?:{_PICTURE})(?: credit| caption| courtesy)?\s*(?::|/|by\b|BY\b).*"
    rf"|(?:STAFF |FILE |AP |AFP |Submitted )?(?:PHOTO|Photo|photo)s?(?: BY| by|:).*"
    rf"|Image caption .*|FILE PHOTO.*|(?:\u00a9\s*)?{_AGENCY}(?:\s*(?:[-,/|]|and)\s*{_AGENCY})*\.?\)?"
    rf"|[^.!?]{{0,100}}(?:/|\s\|\s|,\s){_AGENCY}(?:\s*[-/]\s*\w+)?"
    rf"|(?:Image|Photo|Slide|Picture) \d+ of /? ?\d+|Click (?:photo|image|picture) to enlarge|View [Ll]arger [Ii]mage"
    rf"|Photo [Gg]allery.*|PHOTO GALLER(?:Y|IES)|[\w .'-]{{3,60}} (?:Submitted|File|Contributed) photo)"
)
# A picture credit closing a line: the line is that picture's caption.
_CAPTION_END = re.compile(
    rf"(?:\((?:{_AGENCY} )?(?:{_PICTURE}|PHOTO|Photo by|Photo courtesy)s?\b[^()]{{0,80}}\)"
    rf"|(?:Credit|Photo|Picture|Image): [^.!?]{{1,60}}|\((?:file photo|File Photo)\))\s*$"
)
_CAPTION_HINT = re.compile(r"Credit|Photo|Picture|Image|PHOTO|photo|credit")
# A timestamp line: labels, weekdays, months, numbers and time words, nothing else.
_MAX_TIMESTAMP_CHARS = 80
_TIMESTAMP_TOKEN = re.compile(
    r"(?:(?:First |Last )?(?:Published|PUBLISHED|Updated|UPDATED|Posted|Modified|Transmitted|Print Date|Date|Created)"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tues|Tue|Wed|Thurs|Thur|Thu|Fri|Sat|Sun"
    r"|January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
    r"|AM|PM|am|pm|GMT|UTC|BST|CET|CEST|EST|EDT|CST|CDT|MST|MDT|PST|PDT|ET|PT|IST|JST|AEST|AEDT|on|at)(?![A-Za-z])\.?"
    r"|\d+(?:[:/.]\d+)*(?:am|pm|AM|PM|h|st|nd|rd|th)?(?![A-Za-z])|a\.m\.|p\.m\."
)
_TIMESTAMP_GAPS = re.compile(r"[\s,:;|()\u2013\u2014-]+")
# What the patterns above need of a long line ending a sentence: one of these openings (a cheap check first).
_SHORT_LINE_CHARS = 40
_SENTENCE_ENDS = frozenset(".!?\"'\u201d")
_STARTS = ("By", "BY", "by", "FILE", "Image", "Photo", "PHOTO", "Picture", "Pic", "Foto", "Credit", "Source", "Main ",
           "Cover ", "Top ", "Lead ", "STAFF ", "AP ", "AFP ", "Submitted ", "(", "\u00a9")  # fmt: skip
# A wire credit closing an article's paragraph: cut off, the paragraph stays.
_LONGEST_TRAILING_CREDIT = 40
_AGENCY_NAMES = _AGENCY.removeprefix("(?:").removesuffix(")").replace("(?: Images)?", "").replace("(?: IMAGES)?", "")
_CREDIT_ENDS = ("]", ")", "Images", "IMAGES", *_AGENCY_NAMES.split("|"))
_TRAILING_AGENCY = re.compile(
    rf"(?:(?<=[.!?\"'\u201d])\s*(?:[-\u2013\u2014] {_AGENCY}|\({_AGENCY}\))|(?<=\w)\s*\[{_AGENCY}\])\s*$"
)


def is_credit(line: str) -> bool:
    """A whole line that is a byline, a timestamp, a credit or a caption (see the module docstring)."""
    stripped = line.strip()
    if not stripped or len(stripped) > _MAX_LINE_CHARS:
        return False
    if len(stripped) <= _MAX_TIMESTAMP_CHARS and stripped[-1] not in ".!?" and is_timestamp(stripped):
        return True
    if len(stripped) > _SHORT_LINE_CHARS and stripped[-1] in _SENTENCE_ENDS and not stripped.startswith(_STARTS):
        return False  # most lines: a sentence, which no credit pattern but these openings ends in
    if is_byline(stripped) or _CREDIT_LINE.fullmatch(stripped) is not None:
        return True
    return _CAPTION_HINT.search(stripped) is not None and _CAPTION_END.search(stripped) is not None


def is_timestamp(line: str) -> bool:
    """A line that is only a date and time, perhaps labelled: "Published: Tuesday, March 3, 2020, 13:51 (GMT)",
    "Wed, Mar 4 2020, 07:50 GMT", "Updated 11:05 PM EST Nov 19, 2019"."""
    stripped = line.strip()
    if len(stripped) > _MAX_TIMESTAMP_CHARS or not any(char.isdigit() for char in stripped):
        return False
    if not any(char.isalpha() for char in stripped):
        return False  # a row of numbers in a table, not a time
    return _TIMESTAMP_GAPS.fullmatch(_TIMESTAMP_TOKEN.sub(" ", stripped)) is not None


def is_byline(line: str) -> bool:
    found = _BYLINE.fullmatch(line.strip())
    if found is None:
        return False
    names = found["names"]
    if names is not None and line.startswith("by") and line.endswith("."):
        return False  # a hard-wrapped sentence's last line ("...units sold\nby GM."), not a byline
    return names is None or (names[:1].isupper() and is_names_only(names))


def is_lone_by(line: str) -> bool:
    """A line of "By" alone: the line after it holds the names."""
    return line.strip().rstrip(":") in {"By", "BY", "by"}


def is_names_only(text: str, *, max_words: int | None = None) -> bool:
    """Capitalised words, and only the lower-case words a byline holds ("Elizabeth Mullener Staff writer")."""
    words = _WORD.findall(text)
    if not words or (max_words is not None and len(words) > max_words):
        return False
    return all(word[0].isupper() or word.lower().rstrip(".") in _BYLINE_WORDS for word in words)


def is_names_line(line: str) -> bool:
    """The names line after a lone "By"."""
    stripped = line.strip()
    return stripped[:1].isupper() and is_names_only(stripped, max_words=_MAX_BYLINE_NAME_WORDS)


def without_trailing_credit(line: str) -> str:
    """``line`` without a wire credit at its end ("[EPA]", "- AFP", "(AFP)") after a sentence's end."""
    if not line.endswith(_CREDIT_ENDS):
        return line  # most lines (a cheap check first)
    found = _TRAILING_AGENCY.search(line, max(0, len(line) - _LONGEST_TRAILING_CREDIT))
    return line[: found.start()] if found is not None else line
