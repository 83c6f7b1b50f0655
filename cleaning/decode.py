"""Decode raw page bytes into text, in any encoding, without letting mojibake through.

Order (the WHATWG encoding-sniffing order, plus a detector for pages that declare nothing):

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. the charset of the HTTP ``Content-Type`` header (WARC records carry it);
3. the page's ``<meta charset>`` / ``<meta http-equiv="Content-Type" content="...; charset=">``;
4. strict UTF-8;
5. detection with charset-normalizer (a maintained detector) for pages that declare nothing,
   and for pages whose declared charset fails to decode.

Declared labels are read the way browsers read them: ``iso-8859-1`` and ``ascii`` mean
Windows-1252, ``gb2312``/``gbk`` mean GB18030, ``euc-kr`` means CP949, ``shift_jis`` means
CP932, ``big5`` means Big5-HKSCS — each a superset of what its label names, so a page using
the common extensions (CP949's extra Hangul, GBK's extra Han) is not rejected.

A page declaring a single-byte or legacy charset whose bytes are valid UTF-8 with non-ASCII
text is decoded as UTF-8: real text in a legacy encoding is practically never valid UTF-8,
and decoding UTF-8 as the declared charset is exactly how mojibake ("Ð¿Ñ€Ð¸") is made. Text
that still looks like mojibake after all this raises :class:`DecodeError`: a mis-decoded page
poisons the corpus, so the caller rejects it (``ingest.encoding``) instead of keeping it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

__all__ = [
    "DecodeError",
    "DecodeResult",
    "charset_from_content_type",
    "decode_html",
    "looks_mojibake",
    "normalize_charset",
    "repair_mojibake",
]

_SNIFF_BYTES = 8192
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts with FF FE too
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels mapped to the codec browsers actually use for them (WHATWG Encoding Standard), keyed
# by Python's canonical codec name. A superset decodes everything its subset does, identically.
_SUPERSET = {
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
}
# Declared in a <meta> tag, UTF-16 cannot be right (the tag itself was read as ASCII bytes).
_META_UTF16 = {"utf-16", "utf-16-le", "utf-16-be"}

# UTF-8 decoded as Windows-1252/Latin-1 ("mojibake"): each byte 0x80-0xBF of a UTF-8 sequence
# became a Latin-1 character (C1 controls included) or a Windows-1252 one ("€", "’", "™" …).
_CONT_CHARS = "\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152" \
              "\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_CONT = f"[{_CONT_CHARS}]"
# A lead character and what followed it (U+FFFD: a byte the code page had no character for).
_MOJIBAKE_PAIR = re.compile(f"[\u00c2-\u00f4][{_CONT_CHARS}\ufffd]")
# Whole UTF-8 sequences written that way, which can be turned back into the characters meant.
_MOJIBAKE_RUN = re.compile(
    f"(?:[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}})+")
# A capital followed by one of these is ordinary text ("NESCAFÉ®", "CAFÉ°"), not a sequence,
# unless the capital is Â or Ã, the leads of U+0080-U+00FF that no word ends with before them.
_LEGIT_AFTER_CAPITAL = frozenset("®©°™±²³")
_NON_ASCII = re.compile("[^\x00-\x7f]")


class DecodeError(ValueError):
    """The bytes cannot be turned into trustworthy text (no encoding fits, or it is mojibake)."""


@dataclass(frozen=True, slots=True)
class DecodeResult:
    """Decoded text, the codec that produced it, and how that codec was chosen.

    ``method``: ``bom``, ``http`` (Content-Type charset), ``meta`` (<meta charset>), ``utf-8``
    (undeclared, or a declared legacy charset overridden by valid UTF-8 bytes) or ``detected``
    (charset-normalizer). ``declared`` is the charset the page or server declared, if any;
    ``repaired`` how many mojibake runs the page carried and were put back.
    """

    text: str
    encoding: str
    method: str
    declared: str | None = None
    repaired: int = 0


def normalize_charset(label: str | None) -> str | None:
    """The Python codec to decode a declared charset label with, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-sjis", "ms_kanji", "windows-31j", "csshiftjis"):
        label = "shift_jis"
    elif label in ("ks_c_5601-1987", "ks_c_5601", "windows-949", "x-windows-949"):
        label = "euc_kr"
    elif label in ("x-gbk", "cp936", "windows-936"):
        label = "gbk"
    elif label in ("x-euc-tw",):
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSET.get(name, name)


def charset_from_content_type(value: str | None) -> str | None:
    """The ``charset`` parameter of an HTTP ``Content-Type`` header value, as declared."""
    if not value:
        return None
    m = _CT_CHARSET.search(value)
    return m.group(1) if m else None


def meta_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag within its first 8 KB, as declared."""
    m = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return m.group(1).decode("ascii", "replace") if m else None


def looks_mojibake(text: str) -> bool:
    """Whether ``text`` as a whole is UTF-8 that was decoded as Windows-1252/Latin-1.

    Confident only, because real pages carry a little source-side mojibake (one mangled link
    title, "NESCAFÉ®" matching the pattern) while their article is fine: at least 5 such pairs,
    of at least 4 different kinds (a mis-decoded text mangles many letters: "Ð¿", "Ñ€", "Ð°" …),
    making up at least half of the non-ASCII characters. (U+FFFD written in a page's own UTF-8
    is the source's loss, not a wrong decoding: it does not count.)
    """
    pairs = _MOJIBAKE_PAIR.findall(text)
    if len(pairs) < 5 or len(set(pairs)) < 4:
        return False
    return 2 * len(pairs) >= 0.5 * len(_NON_ASCII.findall(text))


def _cp1252_byte(ch: str) -> int:
    code = ord(ch)
    return code if code < 0x100 else ch.encode("cp1252")[0]


def _repair_run(m: re.Match[str]) -> str:
    run = m.group()
    if len(run) == 2 and run[0] not in "ÂÃ" and run[1] in _LEGIT_AFTER_CAPITAL:
        return run
    try:
        return bytes(map(_cp1252_byte, run)).decode("utf-8")
    except UnicodeDecodeError:
        return run


def repair_mojibake(text: str) -> tuple[str, int]:
    """``text`` with UTF-8 sequences that were decoded as Windows-1252/Latin-1 put back
    ("weâ€™ve" → "we’ve", "Ð¿Ñ€Ð¸" → "при"), and how many runs were repaired.

    Real pages carry such text from their own sources (a CMS that double-encoded one field);
    a run is replaced only when its bytes form valid UTF-8, which ordinary text almost never does.
    """
    if _MOJIBAKE_PAIR.search(text) is None:
        return text, 0
    fixed = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal fixed
        out = _repair_run(m)
        fixed += out != m.group()
        return out

    return _MOJIBAKE_RUN.sub(repl, text), fixed


def _clean(text: str | None) -> bool:
    """Decoded, and no mojibake left once the page's own mojibake runs are repaired."""
    return text is not None and not looks_mojibake(repair_mojibake(text)[0])


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_multibyte_utf8(data: bytes) -> str | None:
    """The UTF-8 text of ``data`` when it is valid UTF-8 with at least one non-ASCII character."""
    if data.isascii():
        return None
    return _strict(data, "utf-8")


_TAGS = re.compile(rb"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.I | re.S)


# Codecs preferred when the detector finds several equally plausible: the WHATWG defaults and
# the supersets browsers use. A lower rank wins a tie.
_PREFERENCE = ("utf-8", "cp1252", "cp1251", "cp1250", "gb18030", "cp949", "cp932", "big5hkscs",
               "iso8859-7", "cp1253", "euc_jp", "cp1254", "cp1255", "cp1256", "cp1257", "cp874")


def _oddity(text: str) -> int:
    """How many characters a wrong single-byte code page would explain: C1 control characters,
    and symbols or superscripts inside a word ("Espa¹a", "¶λλοι") where a letter belongs."""
    odd = 0
    for m in _NON_ASCII.finditer(text):
        ch = m.group()
        if "\x80" <= ch <= "\x9f":
            odd += 1
            continue
        if ch.isalpha() or ch in "’‘·\u00a0":
            continue
        i = m.start()
        if 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            odd += 1
    return odd


def _detect(data: bytes) -> tuple[str, str] | None:
    """(codec, text) chosen by charset-normalizer, on the page's text without its markup.

    Markup is ASCII and dilutes the detector's evidence; the text between tags is what is in
    the page's language. Code pages the detector finds equally plausible (Windows-1252 and
    -1250 on French, ISO-8859-7 and Windows-1253 on Greek) are told apart by what each makes of
    the letters: symbols inside words mean the wrong one. The winner decodes the whole page.
    """
    from charset_normalizer import from_bytes

    sample = _TAGS.sub(b" ", data)
    if sample.isascii():
        sample = data
    matches = list(from_bytes(sample))
    if not matches:
        return None
    best_chaos = min(m.chaos for m in matches)
    ranked = []
    for m in matches:
        if m.chaos > best_chaos + 0.01:
            continue
        for label in [m.encoding, *m.could_be_from_charset]:
            codec = normalize_charset(label) or label
            text = _strict(sample, codec)
            if text is None:
                continue
            rank = _PREFERENCE.index(codec) if codec in _PREFERENCE else len(_PREFERENCE)
            ranked.append((_oddity(text), -round(m.coherence, 1), rank, codec))
    for *_, codec in sorted(ranked):
        text = _strict(data, codec)
        if _clean(text):
            return codec, text
    return None


def decode_html(data: bytes, http_charset: str | None = None) -> DecodeResult:
    """Decode an HTML page's bytes: BOM, HTTP charset, <meta charset>, UTF-8, then detection;
    then repair mojibake the page itself carries (``repaired`` counts the runs put back).

    Raises :class:`DecodeError` when nothing yields clean text, or mojibake remains.
    """
    result = _decode(data, http_charset)
    text, fixed = repair_mojibake(result.text)
    if looks_mojibake(text):
        raise DecodeError(f"decoded as {result.encoding} ({result.method}): "
                          "the text is mojibake (UTF-8 decoded with a wrong code page) that cannot be repaired")
    return DecodeResult(text, result.encoding, result.method, result.declared, fixed)


def _decode(data: bytes, http_charset: str | None) -> DecodeResult:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom):], codec)
            if text is not None:
                return DecodeResult(text, codec, "bom", codec)
            break
    declared_meta = meta_charset(data)
    tried: list[str] = []
    for method, label in (("http", http_charset), ("meta", declared_meta)):
        codec = normalize_charset(label)
        if codec is None:
            if label:
                tried.append(f"unknown charset {label!r}")
            continue
        if method == "meta" and codec in _META_UTF16:
            codec = "utf-8"
        if codec != "utf-8":
            utf8 = _is_multibyte_utf8(data)
            if _clean(utf8):
                return DecodeResult(utf8, "utf-8", "utf-8", label)
        text = _strict(data, codec)
        if _clean(text):
            return DecodeResult(text, codec, method, label)
        tried.append(f"declared {label!r} does not decode cleanly")
    declared = http_charset or declared_meta
    text = _strict(data, "utf-8")
    if _clean(text):
        return DecodeResult(text, "utf-8", "utf-8", declared)
    # Mostly valid UTF-8 with a few broken sequences is damaged UTF-8, not another encoding
    # (a legacy page is almost all invalid as UTF-8): browsers show U+FFFD for the damage and so
    # do we when it is rare; when it is not, no guess is trustworthy.
    lenient = data.decode("utf-8", "replace")
    bad = lenient.count("\ufffd")
    good = len(_NON_ASCII.findall(lenient)) - bad
    if good >= bad:
        if not _clean(lenient.replace("\ufffd", "")):
            tried.append("the text is mojibake (UTF-8 already decoded with a wrong code page)")
        elif bad <= max(1, len(lenient) // 2000):
            return DecodeResult(lenient, "utf-8", "utf-8", declared)
        else:
            tried.append(f"damaged UTF-8 ({bad} invalid sequences)")
        raise DecodeError("; ".join(tried))
    detected = _detect(data)
    if detected is not None:
        return DecodeResult(detected[1], detected[0], "detected", declared)
    tried.append("not UTF-8 and no detected encoding gives clean text")
    raise DecodeError("; ".join(tried))
