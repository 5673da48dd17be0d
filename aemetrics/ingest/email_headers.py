"""Decoding of e-mail header values: charsets, RFC 2047, addresses, msg-ids and dates.

Pure functions on strings and bytes, shared by the mbox/.eml and .msg readers in
aemetrics.ingest.email. They never raise on bad input: a value that cannot be understood
becomes None (or an empty list), and the raw header is kept by the caller where useful.
"""
from __future__ import annotations

import binascii
import codecs
import functools
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

MAX_TEXT = 2000  # cap of stored free-text values (a 400,000-character Subject is spam, not data)

# ---------------------------------------------------------------- charsets

# Declared charset -> codecs to try, in order. Each is a superset of (or the practical
# successor to) the declared one: real GB2312 mail carries GBK/GB18030 characters, Shift_JIS
# mail carries Microsoft's CP932 extensions, and so on.
_CHARSET_CHAINS: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",), "gb_2312-80": ("gb18030",), "gbk": ("gb18030",), "x-gbk": ("gb18030",),
    "cp936": ("gb18030",), "windows-936": ("gb18030",), "euc-cn": ("gb18030",), "x-euc-cn": ("gb18030",),
    "csgb2312": ("gb18030",), "chinese": ("gb18030",), "gb18030": ("gb18030",), "hz-gb-2312": ("hz", "gb18030"),
    "big5": ("big5", "big5hkscs", "cp950"), "x-big5": ("big5", "big5hkscs", "cp950"),
    "cn-big5": ("big5", "big5hkscs", "cp950"), "csbig5": ("big5", "big5hkscs", "cp950"),
    "big5-hkscs": ("big5hkscs", "cp950"), "cp950": ("cp950", "big5hkscs"),
    "shift_jis": ("cp932", "shift_jis_2004"), "shift-jis": ("cp932", "shift_jis_2004"),
    "sjis": ("cp932",), "x-sjis": ("cp932",), "ms_kanji": ("cp932",), "windows-31j": ("cp932",),
    "cp932": ("cp932",), "csshiftjis": ("cp932",),
    "iso-2022-jp": ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004"),
    "iso-2022-jp-2": ("iso2022_jp_2", "iso2022_jp_2004"), "csiso2022jp": ("iso2022_jp", "iso2022_jp_ext"),
    "euc-jp": ("euc_jp", "euc_jis_2004"), "x-euc-jp": ("euc_jp", "euc_jis_2004"),
    "euc-kr": ("cp949",), "ks_c_5601-1987": ("cp949",), "ks_c_5601": ("cp949",), "ksc5601": ("cp949",),
    "ks_c_5601-1989": ("cp949",), "korean": ("cp949",), "cp949": ("cp949",), "windows-949": ("cp949",),
    "iso-2022-kr": ("iso2022_kr", "cp949"),
    # WHATWG: Latin-1 and ASCII labels mean windows-1252 in practice.
    "us-ascii": ("utf-8", "cp1252"), "ascii": ("utf-8", "cp1252"), "iso-8859-1": ("cp1252", "latin-1"),
    "latin1": ("cp1252", "latin-1"), "latin-1": ("cp1252", "latin-1"), "iso_8859-1": ("cp1252", "latin-1"),
    "tis-620": ("cp874",), "windows-874": ("cp874",), "iso-8859-11": ("cp874",), "iso-8859-9": ("cp1254",),
    "iso-8859-8-i": ("iso8859_8",), "unicode-1-1-utf-7": ("utf-7",), "utf-7": ("utf-7",),
    "utf8": ("utf-8",), "utf-8": ("utf-8",),
}
_CJK_CHARSETS = {c for c, chain in _CHARSET_CHAINS.items()
                 if chain[0] in {"gb18030", "big5", "big5hkscs", "cp950", "cp932", "euc_jp", "cp949", "hz"}}


def _norm_charset(charset: str | None) -> str:
    """'"GB2312"', 'utf-8*en' (RFC 2231 language) -> 'gb2312', 'utf-8'."""
    if not charset:
        return ""
    return charset.strip().strip("\"'").split("*", 1)[0].strip().lower()


def charset_chain(charset: str | None) -> tuple[str, ...]:
    """The codecs to try for a declared charset; () when Python knows no such charset."""
    name = _norm_charset(charset)
    if not name:
        return ()
    if name in _CHARSET_CHAINS:
        return _CHARSET_CHAINS[name]
    try:
        return (codecs.lookup(name).name,)
    except (LookupError, ValueError):
        return ()


def decode_charset(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset; an unknown charset is read as UTF-8 with replacement."""
    chain = charset_chain(charset)
    for codec in chain:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode(chain[0] if chain else "utf-8", errors="replace")


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _plausible_gb(data: bytes) -> bool:
    # GB2312 text keeps both bytes of every character >= 0xA1, so its runs of 8-bit bytes
    # have even length; Latin-1 words ("Formação") have odd or isolated ones.
    return all(len(m) % 2 == 0 for m in _HIGH_RUN.findall(data))


def decode_raw(data: bytes, hint: str | None = None) -> str:
    """Undeclared 8-bit header bytes (RFC 6532 or a legacy client): UTF-8 (also with a few
    broken bytes), then the message's own charset (hint), then GB18030, then Windows-1252."""
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        return _repair_double_encoding(text, hint)
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    if sum(ord(c) > 0x7F for c in lenient) - bad >= 2 * bad:  # UTF-8 with a few broken bytes
        return lenient
    chain = charset_chain(hint)
    for codec in chain:
        if codec == "utf-8":
            continue
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    if _plausible_gb(data):
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_CJK = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")


def _repair_double_encoding(text: str, hint: str | None) -> str:
    """Big5/GBK header bytes that went through a Latin-1 -> UTF-8 conversion on the way
    (seen in archives) come back when the message declares that CJK charset and the
    result is mostly CJK ('danglüe' stays as it is)."""
    if hint is None or _norm_charset(hint) not in _CJK_CHARSETS or text.isascii():
        return text
    if any(ord(c) > 0xFF for c in text) or sum(ord(c) > 0x7F for c in text) < 4:
        return text
    raw = text.encode("latin-1")
    for codec in charset_chain(hint):
        try:
            fixed = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        non_ascii = [c for c in fixed if ord(c) > 0x7F]
        cjk = len(_CJK.findall(fixed))
        return fixed if cjk >= 2 and cjk * 2 >= len(non_ascii) else text
    return text


# ---------------------------------------------------------------- RFC 2047

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t\r\n]*")
_WSP_RUN = re.compile(r"[ \t\r\n\f\v]+")
_NOT_B64 = re.compile(r"[^A-Za-z0-9+/]")
_QP_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")


def _word_bytes(enc: str, text: str) -> bytes | None:
    if enc in "bB":
        try:
            return binascii.a2b_base64(text)
        except (binascii.Error, ValueError):  # bad padding or stray characters: repair
            data = _NOT_B64.sub("", text)
            try:
                return binascii.a2b_base64(data + "=" * (-len(data) % 4))
            except (binascii.Error, ValueError):
                return None
    raw = text.encode("latin-1", errors="replace").replace(b"_", b" ")
    return _QP_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def decode_rfc2047(value: str) -> str:
    """Decode encoded-words in any charset. Whitespace between adjacent encoded-words is
    dropped (RFC 2047 section 6.2); adjacent words in one charset are joined as bytes first,
    because real clients split a multi-byte character across two words."""
    if "=?" not in value:
        return value
    out: list[str] = []
    pending: list[bytes] = []
    pending_cs: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_cs
        if pending:
            out.append(decode_charset(b"".join(pending), pending_cs))
        pending, pending_cs = [], None

    for m in _ENCODED_WORD.finditer(value):
        gap = value[pos:m.start()]
        data = _word_bytes(m.group(2), m.group(3))
        if data is None:  # undecodable word: keep it as written
            continue
        cs = _norm_charset(m.group(1))
        if gap and (not pending or _BETWEEN_WORDS.fullmatch(gap) is None):
            flush()
            out.append(gap)
        if pending and cs != pending_cs:
            flush()
        pending.append(data)
        pending_cs = cs
        pos = m.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def clean_text(value: str | None, limit: int = MAX_TEXT) -> str | None:
    """Collapse runs of ASCII whitespace (folding leftovers) to one space, drop NULs, strip,
    cap; empty -> None."""
    if value is None:
        return None
    if len(value) > 4 * limit:  # bound the work on absurd values before the regex
        value = value[: 4 * limit]
    if "\x00" in value:
        value = value.replace("\x00", "")
    if "  " in value or "\t" in value or "\n" in value or "\r" in value or "\f" in value or "\v" in value:
        value = _WSP_RUN.sub(" ", value)
    value = value.strip(" ")
    return value[:limit] or None


def decode_text(value: str | None, limit: int = MAX_TEXT) -> str | None:
    """An unstructured header (Subject, Thread-Topic, List-Id...): RFC 2047, unfolded, capped."""
    if value is None:
        return None
    if len(value) > 8 * limit:
        value = value[: 8 * limit]
    return _decode_text(value, limit)


@functools.lru_cache(maxsize=8192)  # thread subjects, list ids and topics repeat
def _decode_text(value: str, limit: int) -> str | None:
    return clean_text(decode_rfc2047(value), limit)


# ---------------------------------------------------------------- msg-ids

_MSG_ID = re.compile(r"<([^<>]*)>")
_PAREN = re.compile(r"\([^()]*\)")
_WSP = re.compile(r"\s+")


def msg_ids(value: str | None) -> list[str]:
    """Every <msg-id> in order, without <> and inner whitespace, duplicates dropped."""
    if not value:
        return []
    seen: dict[str, None] = {}
    for m in _MSG_ID.finditer(value):
        mid = m.group(1)
        if "(" in mid:
            mid = _PAREN.sub("", mid)
        mid = "".join(mid.split())
        if mid:
            seen.setdefault(mid, None)
    return list(seen)


def message_id(value: str | None) -> str | None:
    """Message-ID without <>; a bare id (no brackets) is taken as written."""
    if value is None:
        return None
    ids = msg_ids(value)
    if ids:
        return ids[0][:MAX_TEXT]
    bare = _WSP.sub("", re.sub(r"\([^()]*\)", "", value)).strip("<>")
    return bare[:MAX_TEXT] or None


# ---------------------------------------------------------------- addresses

_ADDR_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"?'          # quoted string (an unterminated one runs to the end)
    r"|\((?:[^()\\]|\\.)*\)?"       # comment (nesting is flattened)
    r"|<[^<>]*>?"                    # angle address
    r"|=\?[^?\s]+\?[bBqQ]\?[^?]*\?="  # encoded-word: atomic, may hide commas
    r"|[,;:]"
    r"|[ \t\r\n]+"
    r'|[^"(<,;: \t\r\n]+'
)
_ADDR_OK = re.compile(r"[^\s]+@[^@\s]+")  # UUCP relics have '@' in the local part
_QUOTED_PAIR = re.compile(r"\\(.)")
_IN_COMMENT = re.compile(r"\((?:[^()\\]|\\.)*\)")
_LOCAL_OK = re.compile(r"[^\s@<>()\",;:]+")


def _clean_addr(text: str, local_ok: bool = False) -> str | None:
    """A lower-cased address, or None. A bare local part (<MAILER-DAEMON>) only when it was
    written in angle brackets."""
    text = text.strip().strip("'\"<>.,;").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if ":" in text:  # obsolete source route <@a,@b:user@host>
        text = text.rsplit(":", 1)[1]
    if len(text) > 320 or not (_ADDR_OK.fullmatch(text) or (local_ok and _LOCAL_OK.fullmatch(text))):
        return None
    return text.lower()


def _name_of(tokens: list[str]) -> str | None:
    parts = []
    for t in tokens:
        if t.startswith('"'):
            t = t[1:-1] if t.endswith('"') and len(t) > 1 else t[1:]
            if "\\" in t:
                t = _QUOTED_PAIR.sub(r"\1", t)
        parts.append(t)
    name = clean_text(decode_rfc2047("".join(parts)), 500)
    if name:
        name = name.strip("'\" ") or None
    return name


def _element(tokens: list[str]) -> list[tuple[str | None, str]]:
    """One list element (between commas) -> (name, address) pairs."""
    angles = [i for i, t in enumerate(tokens) if t.startswith("<")]
    comments = [t[1:-1] if t.endswith(")") else t[1:] for t in tokens if t.startswith("(")]
    if angles:
        last = angles[-1]
        inner = tokens[last][1:].rstrip(">")
        if "(" in inner:
            inner = _IN_COMMENT.sub("", inner)
        addr = _clean_addr("".join(inner.split()), local_ok=True)  # obsolete 'a @ b . c' spacing
        if addr is None:
            return []
        name = _name_of([t for t in tokens[:last] if not t.startswith("(")])
        if name is None and comments:
            name = _name_of(comments)
        return [(name, addr)]
    # no angle brackets: bare addr-spec(s), possibly several separated by spaces only
    words, current = [], ""
    for t in tokens:
        if t.startswith("(") or t[0] in " \t\r\n":
            if current:
                words.append(current)
            current = ""
        else:
            current += t
    if current:
        words.append(current)
    found = [a for a in (_clean_addr(w) for w in words if "@" in w) if a]
    if len(found) == 1 and comments:
        return [(_name_of(comments), found[0])]
    return [(None, a) for a in found]


# The common case, '"Name" <a@b>, Name <c@d>, e@f', without the tokenizer (it is 3x slower).
_SIMPLE_ELEMENT = re.compile(
    r'[ \t]*(?:("[^"\\]*"|[^",<>();:\\@]*?)[ \t]*<([^<>()\s,;:"\\]+)>|([^\s",<>();:\\]+@[^\s",<>();:\\@]+))'
    r"[ \t]*(?:,|$)"
)


def _simple_list(value: str) -> list[tuple[str | None, str]] | None:
    out: list[tuple[str | None, str]] = []
    pos, end = 0, len(value)
    while pos < end:
        m = _SIMPLE_ELEMENT.match(value, pos)
        if m is None or m.end() == pos:
            return None
        if m.group(2) is not None:
            addr = _clean_addr(m.group(2), local_ok=True)
            name = _name_of([m.group(1)]) if m.group(1) else None
        else:
            addr, name = _clean_addr(m.group(3)), None
        if addr:
            out.append((name, addr))
        pos = m.end()
    return out


def parse_addresses(value: str | None) -> list[tuple[str | None, str]]:
    """(display name, lower-cased address) pairs of an address-list header. Groups
    ('team: a@x, b@y;'), encoded names, missing commas and stray separators are tolerated;
    elements without a usable address are skipped."""
    if not value:
        return []
    return list(_parse_addresses(value))


@functools.lru_cache(maxsize=8192)  # a mailbox repeats the same few correspondents
def _parse_addresses(value: str) -> tuple[tuple[str | None, str], ...]:
    simple = _simple_list(value)
    if simple is not None:
        return tuple(simple)
    tokens = _ADDR_TOKEN.findall(value)
    out: list[tuple[str | None, str]] = []
    current: list[str] = []
    for t in tokens:
        if t in (",", ";"):
            out.extend(_element(current))
            current = []
        elif t == ":" and not any(x.startswith("<") for x in current):
            current = []  # the display name of a group is not an address
        else:
            current.append(t)
    out.extend(_element(current))
    return tuple(out)


def address_list(*values: str | None) -> list[str]:
    """Addresses of one or more header occurrences, duplicates removed keeping order."""
    seen: dict[str, None] = {}
    for v in values:
        if v:
            for _, addr in _parse_addresses(v):
                seen.setdefault(addr, None)
    return list(seen)


# ---------------------------------------------------------------- dates

_COMMENT = re.compile(r"\([^()]*\)")
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC|UT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b", re.I)
_SPACED_COLON = re.compile(r"(?<=\d) ?: ?(?=\d)")
_COLON_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})\s*$")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
MIN_YEAR, MAX_YEAR = 1970, 2100


_CN_MONTHS = ["十二", "十一", "十", "九", "八", "七", "六", "五", "四", "三", "二", "一"]
_MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_CN_WEEKDAY = re.compile(r"^(?:星期|周|週|礼拜)[一二三四五六日天],?\s*")
_CN_YMD = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_MONTH = re.compile(r"(?<![\d年])(十二|十一|十|九|八|七|六|五|四|三|二|一|1[0-2]|[1-9])\s*月(?!\s*\d{1,2}\s*日)")


def _chinese_date(text: str) -> str:
    """Dates some Chinese-locale mailers write: '星期二, 09 一月 2024 09:00:00 +0800',
    '2024年1月9日 09:00:00 +0800' -> RFC 5322 spelling."""
    text = _CN_WEEKDAY.sub("", text)
    text = _CN_YMD.sub(lambda m: f"{int(m[3])} {_MONTH_ABBR[int(m[2]) - 1]} {m[1]}" if 1 <= int(m[2]) <= 12 else m[0], text)

    def month(m: re.Match[str]) -> str:
        v = m[1]
        n = int(v) if v.isdigit() else 12 - _CN_MONTHS.index(v)
        return _MONTH_ABBR[n - 1]

    return _CN_MONTH.sub(month, text)


def parse_date(value: str | None) -> datetime | None:
    """A Date header -> aware UTC datetime, or None.

    RFC 5322 and its obsolete forms (2-digit years, no weekday, named zones such as GMT, EST
    or CST read as RFC 822 defines them). 'GMT+8' / 'UTC+08:00' and '+08:00' are read as
    offsets; ISO 8601 is accepted. No zone, '-0000' or an unknown zone name: the time is
    taken as UTC. Years outside 1970-2100 are clock errors: None.
    """
    if not value:
        return None
    text = value[:300]
    for _ in range(3):  # comments, even nested ones
        if "(" not in text:
            break
        text = _COMMENT.sub(" ", text)
    text = " ".join(text.split())
    if not text:
        return None
    if not text.isascii():
        text = _chinese_date(text)
    if " :" in text or ": " in text:
        text = _SPACED_COLON.sub(":", text)
    if "GMT" in text or "UT" in text:
        text = _GMT_OFFSET.sub(lambda m: f"{m.group(1)}{int(m.group(2)):02d}{m.group(3) or '00'}", text)
    if text[-3:-2] == ":":
        text = _COLON_OFFSET.sub(r"\1\2\3", text)
    dt = None
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        if _ISO.match(text):
            try:
                dt = datetime.fromisoformat(text.replace(" ", "T", 1).replace("Z", "+00:00"))
            except ValueError:
                dt = None
    if dt is None:
        return None
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=timezone.utc)
    if abs(dt.utcoffset() or timedelta(0)) > timedelta(hours=15):
        return None  # not a real zone offset
    try:
        dt = dt.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    return dt if MIN_YEAR <= dt.year <= MAX_YEAR else None
