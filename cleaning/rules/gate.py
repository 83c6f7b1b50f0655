"""Literal pre-checks for line regexes: skip a pattern when a line lacks text every match needs.

Most configured line patterns can only match a line containing some literal ("commission",
" hesitate to ", "% ", one of "today"/"now"), yet running them costs a scan with lookaheads and
backtracking over every line. ``literal_gate`` reads the literals off the compiled pattern's
parse tree (no second copy in the config that could drift from the pattern) and
``GatedPattern.search`` runs the regex only when they are all present, so results are exactly
those of ``pattern.search``: a gate is a necessary condition, never a different rule.
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

# Under IGNORECASE an ASCII letter also matches these three characters, whose str.lower() is not
# that letter ("İ" -> "i̇", "ı", "ſ"); a line containing one skips the case-insensitive gates.
_FOLD_UNSAFE = ("\u0130", "\u0131", "\u017f")
_MIN_LEN = 2  # shorter literals filter too little to pay for the check

Literals = tuple[bool, frozenset[str]]  # (case-insensitive?, one of these strings must occur)


def _leading_literal(items: list, ic: bool) -> str:  # type: ignore[type-arg]
    """The literal text a branch starts with ("book a " for ``book a (?:demo|call)``)."""
    out = []
    for op, av in items:
        if op is not C.LITERAL:
            break
        out.append(chr(av))
    return "".join(out)


def _walk(items: list, ic: bool, found: list[Literals]) -> None:  # type: ignore[type-arg]
    """Collect literal requirements of a sequence every match must go through."""
    run: list[str] = []

    def flush() -> None:
        if len(run) >= _MIN_LEN:
            found.append((ic, frozenset(["".join(run)])))
        run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is C.SUBPATTERN:
            _group, add, rem, sub = av
            sub_ic = (ic or bool(add & C.SRE_FLAG_IGNORECASE)) and not rem & C.SRE_FLAG_IGNORECASE
            _walk(list(sub), sub_ic, found)
        elif op is C.BRANCH:
            heads = [_leading_literal(list(b), ic) for b in av[1]]
            if heads and min(len(h) for h in heads) >= _MIN_LEN:
                found.append((ic, frozenset(heads)))
        elif op is C.ASSERT:  # a lookaround's text must be in the line too
            _walk(list(av[1]), ic, found)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
            _walk(list(av[2]), ic, found)
    flush()


def literal_gate(pattern: re.Pattern[str]) -> tuple[tuple[frozenset[str], ...], tuple[frozenset[str], ...]]:
    """(case-sensitive, case-insensitive) literal sets: each set must have a member in any line
    the pattern matches. Case-insensitive sets are kept only when all ASCII (see _FOLD_UNSAFE)."""
    found: list[Literals] = []
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
        _walk(list(tree), bool(tree.state.flags & C.SRE_FLAG_IGNORECASE), found)
    except Exception:  # an unfamiliar parse tree: no gate, the pattern always runs
        return (), ()
    cs = tuple(dict.fromkeys(s for ic, s in found if not ic))
    ci = tuple(dict.fromkeys(frozenset(x.lower() for x in s) for ic, s in found
                             if ic and all(x.isascii() for x in s)))
    return cs, ci


def _fails_fast(tree: list) -> bool:  # type: ignore[type-arg]
    """``^`` then a plain item: the regex engine rejects most lines at their first character,
    which is cheaper than checking literals in Python."""
    return len(tree) >= 2 and tree[0] == (C.AT, C.AT_BEGINNING) and tree[1][0] not in (C.ASSERT, C.ASSERT_NOT)


class GatedPattern:
    """A compiled pattern plus its literal gate; ``search`` answers as ``pattern.search`` does.
    Gated: patterns that scan the whole line (unanchored, or ``^`` then lookaheads)."""

    __slots__ = ("rx", "cs", "ci", "pattern", "gated")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.pattern = rx.pattern
        self.cs, self.ci = literal_gate(rx)
        try:
            cheap = _fails_fast(list(_parser.parse(rx.pattern, rx.flags)))
        except Exception:
            cheap = False
        if cheap:
            self.cs, self.ci = (), ()
        self.gated = bool(self.cs or self.ci)

    def passes(self, line: str, lower: str | None) -> bool:
        """False only when the line lacks a required literal (``lower``: ``line.lower()``, or
        None when case-insensitive gates cannot be trusted for this line)."""
        for alts in self.cs:
            if not any(a in line for a in alts):
                return False
        if lower is not None:
            for alts in self.ci:
                if not any(a in lower for a in alts):
                    return False
        return True

    def search(self, line: str, lower: str | None = None) -> re.Match[str] | None:
        if self.gated and not self.passes(line, lower):
            return None
        return self.rx.search(line)


def fold_for_gates(line: str) -> str | None:
    """``line.lower()`` for the case-insensitive gates, or None if the line holds a character
    that IGNORECASE matches to an ASCII letter but str.lower() does not map to it."""
    if not line.isascii() and any(c in line for c in _FOLD_UNSAFE):
        return None
    return line.lower()


def _digit_item(op, av) -> bool:  # type: ignore[no-untyped-def]
    """One parse-tree item that only ever matches a decimal digit (what ``\\d`` finds)."""
    if op is C.LITERAL:
        return chr(av).isdecimal()
    if op is C.IN:
        return bool(av) and all((o is C.CATEGORY and a is C.CATEGORY_DIGIT)
                                or (o is C.LITERAL and chr(a).isdecimal())
                                or (o is C.RANGE and all(chr(x).isdecimal() for x in range(a[0], a[1] + 1)))
                                for o, a in av)
    return False


def _seq_needs_digit(items: list) -> bool:  # type: ignore[type-arg]
    for op, av in items:
        if _digit_item(op, av):
            return True
        if op is C.SUBPATTERN and _seq_needs_digit(list(av[3])):
            return True
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1 and _seq_needs_digit(list(av[2])):
            return True
        if op is C.BRANCH and all(_seq_needs_digit(list(b)) for b in av[1]):
            return True
    return False


def needs_digit(pattern: re.Pattern[str]) -> bool:
    """True when every match of ``pattern`` contains a decimal digit (read off the parse tree;
    False when unsure): a text where ``\\d`` finds nothing cannot hold a match."""
    try:
        return _seq_needs_digit(list(_parser.parse(pattern.pattern, pattern.flags)))
    except Exception:
        return False


def _has_backrefs(items: list) -> bool:  # type: ignore[type-arg]
    """A group reference (``\\1``, ``(?P=x)``, ``(?(1)…)``) anywhere in a parse tree."""
    for op, av in items:
        if op in (C.GROUPREF, C.GROUPREF_EXISTS):
            return True
        subs: list = []  # type: ignore[type-arg]
        if op is C.SUBPATTERN:
            subs = [av[3]]
        elif op is C.BRANCH:
            subs = list(av[1])
        elif op in (C.ASSERT, C.ASSERT_NOT):
            subs = [av[1]]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            subs = [av[2]]
        elif op is C.ATOMIC_GROUP:
            subs = [av]
        if any(_has_backrefs(list(s)) for s in subs):
            return True
    return False


def anchored_union(patterns: list[re.Pattern[str]]) -> tuple[re.Pattern[str] | None, list[re.Pattern[str]]]:
    """(one regex for the patterns that start with ``^``, the others). On a string without a line
    break ``union.match(s)`` is true exactly when one of those patterns' ``search(s)`` is (``^``
    matches only at the start, so search is a match at 0; an alternation of independent patterns
    matches when one of them does). Patterns with group references or flags of their own stay out."""
    head: list[re.Pattern[str]] = []
    rest: list[re.Pattern[str]] = []
    for rx in patterns:
        try:
            tree = list(_parser.parse(rx.pattern, rx.flags))
            ok = (bool(tree) and tree[0] == (C.AT, C.AT_BEGINNING) and not _has_backrefs(tree)
                  and rx.flags == re.compile("").flags)
        except Exception:
            ok = False
        (head if ok else rest).append(rx)
    if len(head) < 2:
        return None, patterns
    try:
        union = re.compile("|".join(f"(?:{rx.pattern})" for rx in head))
    except re.error:
        return None, patterns
    return union, rest


def _selectivity(item: Literals) -> tuple[bool, int, int]:
    """Rarer in prose first: literals with a symbol ("% ", "@"), then longer, then fewer of them."""
    _, lits = item
    return (all(any(not (c.isalpha() or c.isspace()) for c in lit) for lit in lits), min(map(len, lits)), -len(lits))


class GateScreen:
    """One search per line in front of many gated patterns: the union of one required literal set
    of each (the most selective: longest shortest member). A line holding none of them fails every
    pattern's gate, so all of them are skipped; otherwise each gate is checked as before."""

    __slots__ = ("cs", "ci", "cs_ascii")

    def __init__(self, patterns: list[GatedPattern]) -> None:
        cs: set[str] = set()
        ci: set[str] = set()
        for p in patterns:
            if not p.gated:
                continue
            sets = [(False, s) for s in p.cs] + [(True, s) for s in p.ci]
            ic, best = max(sets, key=_selectivity)
            (ci if ic else cs).update(best)
        # Tuples tested with ``in`` (CPython's fast substring search): about twice as fast as one
        # regex alternation of the same literals, which the regex engine tries position by position.
        self.cs = tuple(sorted(cs)) or None
        self.ci = tuple(sorted(ci)) or None
        # an ASCII line (str.isascii reads a flag) can only hold the ASCII literals
        self.cs_ascii = tuple(lit for lit in sorted(cs) if lit.isascii())

    def possible(self, line: str, lower: str | None) -> bool:
        """False only when no gated pattern can pass its gate on ``line`` (``lower`` as for
        ``GatedPattern.passes``; None makes every case-insensitive gate pass)."""
        if self.ci is not None:
            if lower is None:
                return True
            for lit in self.ci:
                if lit in lower:
                    return True
        if self.cs is not None:
            for lit in self.cs_ascii if line.isascii() else self.cs:
                if lit in line:
                    return True
        return False
