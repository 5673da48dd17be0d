"""Archives as downloaded (.zip, .tar.gz/.tgz, any tar) anywhere in the exports folder are read as
the folder they contain: the runner unpacks each one into a private temporary folder and ingests
its members like files, with source_file `<archive>!/<member>` (e.g.
`takeout-20240105.zip!/Takeout/Mail/All mail.mbox`). docs/formats.md, "Archives".

Guards (a downloaded archive is untrusted input):
- nothing is written outside the temporary folder: absolute names, `..`, drive letters, links,
  devices and duplicate names are refused member by member;
- sizes are capped (MAX_MEMBER_BYTES, MAX_TOTAL_BYTES, MAX_MEMBERS) and so is the compression
  ratio (MAX_RATIO, per zip member and for a whole compressed tar): a zip bomb is refused whole
  before anything is written, and a member that inflates past what its header declared is cut off;
- archives inside archives are not opened (quarantined).
Every refused member, and an archive refused whole, is listed in quarantine with its reason,
under the archive's own source_file.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from aemetrics.config import Settings
from aemetrics.ingest.base import ParseError, ParseResult, SourceFile

MAX_MEMBER_BYTES = 4 << 30  # one unpacked member
MAX_TOTAL_BYTES = 16 << 30  # everything one archive unpacks to
MAX_MEMBERS = 100_000
MAX_RATIO = 200  # unpacked / packed size; zip bombs reach 1000:1 and more
RATIO_FLOOR = 1 << 20  # members smaller than this are never refused for their ratio
UTF8_FLAG = 0x800
_OOXML = "[Content_Types].xml"  # .xlsx/.docx are zip packages, not archives of exports


def archive_format(path: Path) -> str | None:
    """'zip' | 'tar' | None, from the file's content (an .xlsx workbook is not an archive)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError:
        return None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"  # broken: reported by inspect()
        return None if _OOXML in names else "zip"
    if head[257:262] == b"ustar" or head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")):
        try:
            return "tar" if tarfile.is_tarfile(path) else None
        except (OSError, EOFError):
            return None
    return None


@dataclass
class Member:
    name: str  # as it will appear after '!/' ('/'-separated, decoded)
    size: int  # declared unpacked size
    problem: str | None  # why it is refused, or None
    ref: zipfile.ZipInfo | tarfile.TarInfo


def zip_name(info: zipfile.ZipInfo) -> str:
    """The member name: UTF-8 when the zip says so (flag bit 11); otherwise UTF-8 when it decodes
    (macOS and 7-Zip write UTF-8 without the flag), else GBK/GB18030 (Windows in China), else
    the cp437 Python read."""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    raw = info.filename.encode("cp437", "replace")
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


_DRIVE = re.compile(r"^[A-Za-z]:")


def safe_name(name: str) -> tuple[str, str | None]:
    """The normalised member path and a problem when it would leave the folder."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or _DRIVE.match(clean):
        return clean, f"absolute member name {name!r}: refused (it would be written outside the archive's folder)"
    parts = [p for p in clean.split("/") if p not in ("", ".")]
    if ".." in parts:
        return clean, f"member name {name!r} leaves the archive's folder ('..'): refused (path traversal)"
    if any("\x00" in p for p in parts):
        return clean, f"member name {name!r} holds a NUL byte: refused"
    return "/".join(parts), None


def inspect(path: Path) -> tuple[list[Member], str | None]:
    """Every file member with its problem, and a problem with the whole archive (then nothing is
    unpacked). Directory entries are not members."""
    fmt = archive_format(path)
    if fmt == "zip":
        return _inspect_zip(path)
    if fmt == "tar":
        return _inspect_tar(path)
    return [], "not a zip or tar archive"


def _inspect_zip(path: Path) -> tuple[list[Member], str | None]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        # a broken central directory (BadZipFile, ValueError for bad header fields), an unreadable file
        # (OSError), a multi-disk or unsupported zip (NotImplementedError): refused whole, with the reason
        return [], f"broken zip archive: {exc}"
    members: list[Member] = []
    seen: set[str] = set()
    for info in infos:
        if info.is_dir():
            continue
        name, problem = safe_name(zip_name(info))
        ftype = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0  # Unix mode bits
        if problem is None and ftype and ftype != stat.S_IFREG:
            problem = f"member {name!r} is not a regular file (a link or device): refused"
        if problem is None and info.flag_bits & 0x1:
            problem = f"member {name!r} is encrypted: cannot be read"
        if problem is None and info.file_size > MAX_MEMBER_BYTES:
            problem = f"member {name!r} unpacks to {info.file_size} bytes, above the {MAX_MEMBER_BYTES}-byte cap"
        if problem is None and info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            problem = (
                f"member {name!r} compresses {info.file_size // max(info.compress_size, 1)}:1, above "
                f"{MAX_RATIO}:1: refused (zip bomb guard)"
            )
        if problem is None and name.casefold() in seen:
            problem = f"member {name!r} appears twice: the second copy is refused"
        seen.add(name.casefold())
        members.append(Member(name, info.file_size, problem, info))
    return members, _whole_problem(path, members)


def _inspect_tar(path: Path) -> tuple[list[Member], str | None]:
    members: list[Member] = []
    seen: set[str] = set()
    try:
        with tarfile.open(path) as tf:
            for info in tf:
                if info.isdir():
                    continue
                name, problem = safe_name(info.name)
                if problem is None and not info.isreg():
                    problem = f"member {name!r} is not a regular file (a link or device): refused"
                if problem is None and info.size > MAX_MEMBER_BYTES:
                    problem = f"member {name!r} unpacks to {info.size} bytes, above the {MAX_MEMBER_BYTES}-byte cap"
                if problem is None and name.casefold() in seen:
                    problem = f"member {name!r} appears twice: the second copy is refused"
                seen.add(name.casefold())
                members.append(Member(name, info.size, problem, info))
                if len(members) > MAX_MEMBERS:
                    break
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        return [], f"broken tar archive: {exc}"
    problem = _whole_problem(path, members)
    packed = path.stat().st_size
    total = sum(m.size for m in members)
    if problem is None and total > RATIO_FLOOR and total > MAX_RATIO * max(packed, 1):
        problem = f"unpacks to {total} bytes from {packed}, above {MAX_RATIO}:1: refused (zip bomb guard)"
    return members, problem


def _whole_problem(path: Path, members: list[Member]) -> str | None:
    if len(members) > MAX_MEMBERS:
        return f"more than {MAX_MEMBERS} members: refused (archive bomb guard)"
    total = sum(m.size for m in members if m.problem is None)
    if total > MAX_TOTAL_BYTES:
        return f"unpacks to {total} bytes, above the {MAX_TOTAL_BYTES}-byte cap: refused"
    return None


class _Capped:
    """Copy a stream, stopping at `limit` bytes: a member's header may lie about its size."""

    @staticmethod
    def copy(reader, target: Path, limit: int) -> bool:
        written = 0
        with target.open("wb") as out:
            while chunk := reader.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    return False
                out.write(chunk)
        return True


def unpack(archive: SourceFile, dest_root: Path, kind_of: Callable[[str, str], str]) -> Iterator[SourceFile]:
    """Write the archive's acceptable members below dest_root (a fresh folder per archive) and
    yield them as source files `<archive rel>!/<member>`; kind_of(archive rel, member name) gives
    each one's kind. Problems are not raised here: parse() lists them."""
    members, problem = inspect(archive.path)
    if problem is not None:
        return
    dest = dest_root / hashlib.sha1(archive.rel.encode("utf-8")).hexdigest()[:16]
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    fmt = archive_format(archive.path)
    opener = zipfile.ZipFile(archive.path) if fmt == "zip" else tarfile.open(archive.path)
    with opener as handle:
        for m in members:
            if m.problem is not None:
                continue
            target = (dest / m.name).resolve()
            if root not in target.parents:  # belt and braces after safe_name
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                reader = _open_member(handle, m.ref)
                if reader is None:
                    continue
                with reader:
                    ok = _Capped.copy(reader, target, min(m.size, MAX_MEMBER_BYTES))
            except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, RuntimeError, ValueError):
                ok = False
            if ok:
                with target.open("rb") as fh:
                    head = fh.read(512)
                ok = not looks_nested(head, partial(_zip_is_ooxml, target))
            if not ok:
                target.unlink(missing_ok=True)
                continue
            yield SourceFile(path=target, rel=f"{archive.rel}!/{m.name}", kind=kind_of(archive.rel, m.name))


def parse(src: SourceFile, settings: Settings) -> ParseResult:
    """The archive's own entry: no rows; its refused members (and nested archives, and members
    that failed to unpack) in quarantine, or the whole archive when it is refused."""
    members, problem = inspect(src.path)
    if problem is not None:
        raise ParseError(f"archive not unpacked: {problem}")
    result = ParseResult(parser=archive_format(src.path) or "archive")
    for m in members:
        if m.problem is not None:
            result.reject(f"member {m.name}", m.problem)
    _check_unpacked(src, members, result)
    return result


def _check_unpacked(src: SourceFile, members: list[Member], result: ParseResult) -> None:
    """Members that passed inspection but cannot be used as they are: nested archives, and
    members whose data is broken or longer than declared (probed by reading them again)."""
    fmt = archive_format(src.path)
    opener = zipfile.ZipFile(src.path) if fmt == "zip" else tarfile.open(src.path)
    with opener as handle:
        for m in members:
            if m.problem is not None:
                continue
            try:
                reader = _open_member(handle, m.ref)
                if reader is None:
                    continue
                with reader:
                    head = reader.read(512)
                    size = len(head)
                    while chunk := reader.read(1 << 20):
                        size += len(chunk)
                        if size > m.size:
                            break
            except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, RuntimeError, ValueError) as exc:
                result.reject(f"member {m.name}", f"member not readable: {exc}")
                continue
            if size > m.size:
                result.reject(f"member {m.name}", "member inflates past its declared size: refused (zip bomb guard)")
            elif looks_nested(head, partial(_is_ooxml, handle, m)):
                result.reject(
                    f"member {m.name}", "an archive inside the archive: not opened (unpack it into the exports folder)"
                )


def looks_nested(head: bytes, is_ooxml: Callable[[], bool]) -> bool:
    """Is a member (by its first 512 bytes) an archive itself? A zip that is an Office package
    (.xlsx) is not."""
    if (
        head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"Rar!"))
        or head[257:262] == b"ustar"
    ):
        return True
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06")) and not is_ooxml()


def _zip_is_ooxml(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return _OOXML in zf.namelist()
    except Exception:
        return False


def _open_member(handle: zipfile.ZipFile | tarfile.TarFile, ref: zipfile.ZipInfo | tarfile.TarInfo) -> IO[bytes] | None:
    """A member's data (None: a tar member that is not a regular file)."""
    if isinstance(handle, zipfile.ZipFile) and isinstance(ref, zipfile.ZipInfo):
        return handle.open(ref)
    if isinstance(handle, tarfile.TarFile) and isinstance(ref, tarfile.TarInfo):
        return handle.extractfile(ref)
    raise ValueError(f"member {ref!r} is not of archive {handle!r}")


def _is_ooxml(handle: zipfile.ZipFile | tarfile.TarFile, m: Member) -> bool:
    import io

    try:
        reader = _open_member(handle, m.ref)
        if reader is None:
            return False
        with reader:
            data = reader.read(min(m.size, 64 << 20) + 1)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _OOXML in zf.namelist()
    except Exception:
        return False


def cleanup(dest_root: Path) -> None:
    shutil.rmtree(dest_root, ignore_errors=True)


__all__ = ["archive_format", "inspect", "unpack", "parse", "safe_name", "zip_name", "cleanup"]
