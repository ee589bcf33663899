"""Match what a learner types against names and short answers.

A learner may type ``Ho Chi Minh`` for ``Hồ Chí Minh``, ``hoxha`` for
``Enver Hoxha``, ``Krushchev`` for ``Khrushchev`` or ``the CPSU`` for the
Communist Party of the Soviet Union. :func:`normalise` folds diacritics, case,
punctuation and spacing; :class:`NameIndex` resolves a typed name to an id
through every spelling the data knows (name, aliases, id, abbreviation, a
surname alone when only one person bears it) and, failing that, through a
bounded fuzzy match that forgives a small typo.

Historical spellings are kept in the data and shown as written; only the
comparison is folded (see STYLE.md: keep ``Hồ Chí Minh``, accept ``Ho Chi Minh``).

Examples
--------
>>> normalise("  Hồ  Chí-Minh ")
'ho chi minh'
>>> idx = NameIndex()
>>> idx.add("hoxha", "Enver Hoxha", aliases=["Hoxha"])
>>> idx.add("ho-chi-minh", "Hồ Chí Minh", aliases=["Ho Chi Minh", "Uncle Ho"])
>>> idx.resolve("enver hoxa").id
'hoxha'
>>> idx.resolve("HO CHI MINH").id
'ho-chi-minh'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MAX_ANSWER", "normalise", "as_text", "close_enough", "Match", "NameIndex", "closest"]

#: longest answer (in characters) that is compared at all; longer answers are cut
MAX_ANSWER = 200

# letters NFKD does not take apart
_FOLD = str.maketrans({
    "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ß": "ss",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "ð": "d", "þ": "th",
})
_NON_WORD = re.compile(r"[^0-9a-z]+")
_LEADING = re.compile(r"^(?:the|comrade|cde|mr|mrs|ms|general|marshal|chairman|premier|president) ")


def as_text(value: Any, limit: int = MAX_ANSWER) -> str:
    """Any value as a bounded string: ``None`` is empty, numbers are written out.

    Lone surrogates and other unencodable characters are dropped.

    >>> as_text(1960)
    '1960'
    >>> as_text(None)
    ''
    """
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value[: limit * 4].decode("utf-8", "replace")
    if not isinstance(value, str):
        try:
            value = str(value)
        except Exception:  # a str() that raises is the caller's problem, not the learner's
            return ""
    value = value[:limit]
    return value.encode("utf-8", "ignore").decode("utf-8")


def normalise(text: Any) -> str:
    """Fold a name or a short answer for comparison.

    Strips diacritics, folds case, turns punctuation and runs of spaces into
    one space, and cuts the text to :data:`MAX_ANSWER` characters first.

    >>> normalise("Lê Duẩn")
    'le duan'
    >>> normalise("Zëri i Popullit!")
    'zeri i popullit'
    """
    s = as_text(text).translate(_FOLD)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold().translate(_FOLD)
    return _NON_WORD.sub(" ", s).strip()


def _strip_leading(key: str) -> str:
    prev = None
    while prev != key:
        prev, key = key, _LEADING.sub("", key)
    return key


def close_enough(typed: str, target: str) -> bool:
    """True when two normalised strings differ by no more than a small typo.

    The allowance grows with length: none below 4 characters, one edit up to
    7, two beyond (measured with difflib's ratio, which is cheap).

    >>> close_enough("krushchev", "khrushchev")
    True
    >>> close_enough("mao", "tao")
    False
    """
    if typed == target:
        return True
    n = max(len(typed), len(target))
    if n < 4 or abs(len(typed) - len(target)) > 2:
        return False
    allowed = 1 if n <= 7 else 2
    # ratio = 2*M/T; one substitution in n characters gives 2(n-1)/2n
    cutoff = (2 * (n - allowed)) / (2 * n) - 1e-9
    return difflib.SequenceMatcher(None, typed, target).ratio() >= cutoff


@dataclass(frozen=True)
class Match:
    """What a typed name resolved to.

    ``id`` is ``None`` when nothing matched; ``how`` says how it matched
    (``id``, ``name``, ``alias``, ``abbreviation``, ``surname``, ``typo``);
    ``ambiguous`` lists ids a bare surname or a typo could equally mean.
    """

    id: str | None
    how: str = ""
    typed: str = ""
    ambiguous: tuple[str, ...] = ()


@dataclass
class NameIndex:
    """Every spelling of every person and body, normalised, pointing at ids."""

    keys: dict[str, set[str]] = field(default_factory=dict)
    how: dict[tuple[str, str], str] = field(default_factory=dict)
    partial: dict[str, set[str]] = field(default_factory=dict)

    def _put(self, key: str, id_: str, how: str) -> None:
        if not key:
            return
        self.keys.setdefault(key, set()).add(id_)
        self.how.setdefault((key, id_), how)

    def add(self, id_: str, name: str, aliases: Iterable[str] = (), abbreviation: str = "") -> None:
        """Register one person or body under its id, name, aliases and abbreviation."""
        self._put(normalise(id_.replace("-", " ")), id_, "id")
        full = normalise(name)
        self._put(full, id_, "name")
        self._put(_strip_leading(full), id_, "name")
        for a in aliases:
            self._put(normalise(a), id_, "alias")
        if abbreviation:
            self._put(normalise(abbreviation), id_, "abbreviation")
            self._put(normalise(f"{name} {abbreviation}"), id_, "name")  # as shown: "Name (ABBR)"
        # a surname alone: the last word of the name, and the first word of the id
        # (the id is the surname for Europeans, the family name first for East Asians)
        for word in {full.split(" ")[-1] if full else "", normalise(id_.split("-")[0])}:
            if len(word) >= 2:
                self.partial.setdefault(word, set()).add(id_)

    def resolve(self, typed: Any) -> Match:
        """Resolve what a learner typed to one id, or to nothing."""
        key = _strip_leading(normalise(typed))
        if not key:
            return Match(None, typed="")
        ids = self.keys.get(key)
        if ids and len(ids) == 1:
            (only,) = ids
            return Match(only, self.how.get((key, only), "name"), key)
        if ids:
            return Match(None, "ambiguous", key, tuple(sorted(ids)))
        part = self.partial.get(key)
        if part and len(part) == 1:
            return Match(next(iter(part)), "surname", key)
        if part:
            return Match(None, "ambiguous", key, tuple(sorted(part)))
        # a small typo: compare against every spelling and every surname
        hits: dict[str, set[str]] = {}
        for pool in (self.keys, self.partial):
            for k, owners in pool.items():
                if close_enough(key, k):
                    for o in owners:
                        hits.setdefault(o, set()).add(k)
        if len(hits) == 1:
            return Match(next(iter(hits)), "typo", key)
        if hits:
            return Match(None, "ambiguous", key, tuple(sorted(hits)))
        return Match(None, "", key)


def closest(typed: Any, ids: Iterable[str], n: int = 3) -> list[str]:
    """The ids most like ``typed`` (difflib), for "did you mean" messages.

    >>> closest("q-khruschev", ["q-khrushchev-base", "q-hoxha-moscow"])
    ['q-khrushchev-base']
    """
    text = as_text(typed, 120).strip().lower()
    pool = [str(i) for i in ids]
    if not text or not pool:
        return []
    found = difflib.get_close_matches(text, pool, n=n, cutoff=0.5)
    if not found:
        found = [i for i in pool if text in i or i in text][:n]
    return found
