"""Canonical article URLs: one address per article however a crawler or a share button spelt it."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from news_ingest.models import web_address_problem

_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "_hs", "ns_", "oly_")
_TRACKING = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
        "_ga", "_gl", "ref", "ref_src", "ref_url", "cmpid", "cmp", "ito", "ocid", "smid", "sr_share", "spm",
        "share", "via", "rss", "feature", "at_medium", "at_campaign", "guccounter", "__twitter_impression",
    }
)  # fmt: skip
_AMP_QUERY = frozenset({"amp", "outputtype", "output"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MOBILE_HOST = re.compile(r"^(?:m|mobile|amp|www\.m)\.(?=[^.]+\.[^.]+)")
_AMP_SUFFIX = re.compile(r"\.amp(?=\.html?$|$)")


@lru_cache(maxsize=8_192)  # a pure function of the string; the same address recurs (re-sends, wire copies)
def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port or fragment, no tracking parameters, sorted query, no AMP/mobile."""
    text = url.strip()
    if web_address_problem(text) is not None:
        return text  # not a web address we can safely rewrite (the input contract accepts none of these)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    host = _MOBILE_HOST.sub("", (parts.hostname or "").lower())
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if _kept(key, value)]
    path = _amp_free_path(parts.path or "/")
    rebuilt = urlunsplit((scheme, netloc, path, urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def _kept(key: str, value: str) -> bool:
    name = key.lower()
    if name in _TRACKING or name.startswith(_TRACKING_PREFIXES):
        return False
    return not (name in _AMP_QUERY and value.lower() in ("", "1", "true", "amp"))


def _amp_free_path(path: str) -> str:
    segments = path.split("/")
    if len(segments) > 2 and segments[-1] == "" and segments[-2] == "amp":
        segments = [*segments[:-2], ""]  # /story/amp/ -> /story/
    elif len(segments) > 1 and segments[-1] == "amp":
        segments = segments[:-1]  # /story/amp -> /story
    elif len(segments) > 2 and segments[1] == "amp":
        segments = [segments[0], *segments[2:]]  # /amp/story -> /story
    return _AMP_SUFFIX.sub("", "/".join(segments)) or "/"
