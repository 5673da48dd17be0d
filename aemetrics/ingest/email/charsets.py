"""Charsets of e-mail header and body bytes: the codecs to try for a declared charset, and
the reading of undeclared 8-bit bytes (UTF-8, the message's charset, GB18030, Windows-1252)."""

from __future__ import annotations

import codecs
import functools
import re

# Declared charset -> codecs to try, in order. Each is a superset of (or the practical
# successor to) the declared one: real GB2312 mail carries GBK/GB18030 characters, Shift_JIS
# mail carries Microsoft's CP932 extensions, and so on.
_CHARSET_CHAINS: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",),
    "gb_2312-80": ("gb18030",),
    "gbk": ("gb18030",),
    "x-gbk": ("gb18030",),
    "cp936": ("gb18030",),
    "windows-936": ("gb18030",),
    "euc-cn": ("gb18030",),
    "x-euc-cn": ("gb18030",),
    "csgb2312": ("gb18030",),
    "chinese": ("gb18030",),
    "gb18030": ("gb18030",),
    "hz-gb-2312": ("hz", "gb18030"),
    "big5": ("big5", "big5hkscs", "cp950"),
    "x-big5": ("big5", "big5hkscs", "cp950"),
    "cn-big5": ("big5", "big5hkscs", "cp950"),
    "csbig5": ("big5", "big5hkscs", "cp950"),
    "big5-hkscs": ("big5hkscs", "cp950"),
    "cp950": ("cp950", "big5hkscs"),
    "shift_jis": ("cp932", "shift_jis_2004"),
    "shift-jis": ("cp932", "shift_jis_2004"),
    "sjis": ("cp932",),
    "x-sjis": ("cp932",),
    "ms_kanji": ("cp932",),
    "windows-31j": ("cp932",),
    "cp932": ("cp932",),
    "csshiftjis": ("cp932",),
    "iso-2022-jp": ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004"),
    "iso-2022-jp-2": ("iso2022_jp_2", "iso2022_jp_2004"),
    "csiso2022jp": ("iso2022_jp", "iso2022_jp_ext"),
    "euc-jp": ("euc_jp", "euc_jis_2004"),
    "x-euc-jp": ("euc_jp", "euc_jis_2004"),
    "euc-kr": ("cp949",),
    "ks_c_5601-1987": ("cp949",),
    "ks_c_5601": ("cp949",),
    "ksc5601": ("cp949",),
    "ks_c_5601-1989": ("cp949",),
    "korean": ("cp949",),
    "cp949": ("cp949",),
    "windows-949": ("cp949",),
    "iso-2022-kr": ("iso2022_kr", "cp949"),
    # WHATWG: Latin-1 and ASCII labels mean windows-1252 in practice.
    "us-ascii": ("utf-8", "cp1252"),
    "ascii": ("utf-8", "cp1252"),
    "iso-8859-1": ("cp1252", "latin-1"),
    "latin1": ("cp1252", "latin-1"),
    "latin-1": ("cp1252", "latin-1"),
    "iso_8859-1": ("cp1252", "latin-1"),
    "tis-620": ("cp874",),
    "windows-874": ("cp874",),
    "iso-8859-11": ("cp874",),
    "iso-8859-9": ("cp1254",),
    "iso-8859-8-i": ("iso8859_8",),
    "unicode-1-1-utf-7": ("utf-7",),
    "utf-7": ("utf-7",),
    "utf8": ("utf-8",),
    "utf-8": ("utf-8",),
}
_CJK_CHARSETS = {
    c
    for c, chain in _CHARSET_CHAINS.items()
    if chain[0] in {"gb18030", "big5", "big5hkscs", "cp950", "cp932", "euc_jp", "cp949", "hz"}
}


def norm_charset(charset: str | None) -> str:
    """'"GB2312"', 'utf-8*en' (RFC 2231 language) -> 'gb2312', 'utf-8'."""
    if not charset:
        return ""
    return charset.strip().strip("\"'").split("*", 1)[0].strip().lower()


@functools.lru_cache(maxsize=512)  # a mailbox names a handful of charsets, thousands of times
def charset_chain(charset: str | None) -> tuple[str, ...]:
    """The codecs to try for a declared charset; () when Python knows no such charset."""
    name = norm_charset(charset)
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
    if hint is None or norm_charset(hint) not in _CJK_CHARSETS or text.isascii():
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
