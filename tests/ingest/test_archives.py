"""Archives as downloaded (issue 12 item 4): a Google Takeout zip, a zip with GBK member names (Windows in
China, no UTF-8 flag), a .tar.gz, and hostile archives (path traversal, absolute names, a link, a zip bomb,
an archive inside the archive, a broken zip). Built in tmp_path from the small fixtures. The old engine
quarantined every archive whole ("not an export" or "not an e-mail file") and loaded nothing from it."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from aemetrics.config import Settings
from aemetrics.ingest import archives
from aemetrics.ingest.runner import ingest_exports, member_kind
from aemetrics.warehouse import open_warehouse

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "exports_small"


class GbkInfo(zipfile.ZipInfo):
    """A member whose name is written in GBK without the UTF-8 flag, as Windows' zip tools do."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def write_zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, data, zipfile.ZIP_DEFLATED)
    return path


def quarantine(con) -> dict[tuple[str, str], str]:
    return {
        (f, r): reason for f, r, reason in con.execute("select source_file, record, reason from quarantine").fetchall()
    }


@pytest.fixture()
def exports(tmp_path) -> Path:
    root = tmp_path / "exports"
    mbox = (SMALL / "email" / "li.wei.mbox").read_bytes()
    write_zip(
        root / "takeout-20240105.zip",
        [
            ("Takeout/Mail/All mail.mbox", mbox),
            ("Takeout/Calendar/li.wei@adagency.cn.ics", (SMALL / "calendar" / "li.wei.ics").read_bytes()),
        ],
    )
    write_zip(
        root / "email" / "邮件备份.zip",
        [(GbkInfo("收件箱/会议纪要.eml"), (SMALL / "email" / "copy-of-r1.eml").read_bytes())],
    )
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        info = tarfile.TarInfo("mail/li.wei.mbox")
        info.size = len(mbox)
        tf.addfile(info, io.BytesIO(mbox))
    (root / "email" / "old.tgz").write_bytes(buf.getvalue())
    return root


def test_archives_are_read_as_the_folders_they_contain(exports, tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    report = ingest_exports(exports, con, Settings())
    assert quarantine(con) == {}
    mail = con.execute("select source_file, record from raw_email_messages order by source_file, record").fetchall()
    assert mail == [
        ("email/old.tgz!/mail/li.wei.mbox", "message 1"),
        ("email/old.tgz!/mail/li.wei.mbox", "message 2"),
        ("email/邮件备份.zip!/收件箱/会议纪要.eml", "file"),
        ("takeout-20240105.zip!/Takeout/Mail/All mail.mbox", "message 1"),
        ("takeout-20240105.zip!/Takeout/Mail/All mail.mbox", "message 2"),
    ]
    assert con.execute("select distinct source_file from raw_calendar_events").fetchall() == [
        ("takeout-20240105.zip!/Takeout/Calendar/li.wei@adagency.cn.ics",)
    ]
    manifest = dict(con.execute("select source_file, source_kind from ingest_manifest").fetchall())
    assert manifest["takeout-20240105.zip"] == "archive" and manifest["email/old.tgz"] == "archive"
    assert report.files_seen == 7  # 3 archives + 4 members
    # idempotent: a second ingest parses nothing and changes no row
    before = con.execute("select count(*) from raw_email_messages").fetchone()
    again = ingest_exports(exports, con, Settings())
    assert again.files_parsed == 0 and again.files_unchanged == 7
    assert con.execute("select count(*) from raw_email_messages").fetchone() == before
    # nothing is left behind in the temporary folder
    assert not list(Path(tmp_path).glob("aemetrics-archives-*"))


def test_hostile_archive_members_are_quarantined_and_never_written_outside(exports, tmp_path, monkeypatch):
    eml = (SMALL / "email" / "copy-of-r1.eml").read_bytes()
    link = zipfile.ZipInfo("link.eml")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("x.eml", eml)
    write_zip(
        exports / "email" / "hostile.zip",
        [
            ("../../evil.eml", eml),
            ("/etc/abs.eml", eml),
            ("C:\\Windows\\x.eml", eml),
            (link, b"/etc/passwd"),
            ("bomb.eml", b"A" * (3 << 20)),
            ("nested.zip", inner.getvalue()),
            ("ok.eml", eml),
        ],
    )
    (exports / "email" / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest_exports(exports, con, Settings())
    q = quarantine(con)
    hostile = {r: reason for (f, r), reason in q.items() if f == "email/hostile.zip"}
    assert set(hostile) == {
        "member ../../evil.eml",
        "member /etc/abs.eml",
        "member C:/Windows/x.eml",
        "member link.eml",
        "member bomb.eml",
        "member nested.zip",
    }
    assert "path traversal" in hostile["member ../../evil.eml"]
    assert "absolute member name" in hostile["member /etc/abs.eml"]
    assert "not a regular file" in hostile["member link.eml"]
    assert "zip bomb guard" in hostile["member bomb.eml"]
    assert "archive inside the archive" in hostile["member nested.zip"]
    assert "broken zip archive" in q[("email/broken.zip", "file")]
    loaded = {f for (f,) in con.execute("select distinct source_file from raw_email_messages").fetchall()}
    assert "email/hostile.zip!/ok.eml" in loaded and not any("evil" in f or "bomb" in f for f in loaded)
    assert not (tmp_path / "evil.eml").exists() and not (exports / "evil.eml").exists()


def test_caps_refuse_a_whole_archive(exports, tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 1000)
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest_exports(exports, con, Settings())
    q = quarantine(con)
    assert "above the 1000-byte cap" in q[("takeout-20240105.zip", "file")]
    assert con.execute("select count(*) from raw_email_messages where source_file like 'takeout%'").fetchone() == (0,)


def test_names_and_kinds():
    info = zipfile.ZipInfo("x")
    info.filename = "会议纪要.eml".encode("gbk").decode("cp437")  # what Python reads without the flag
    assert archives.zip_name(info) == "会议纪要.eml"
    assert archives.safe_name("a/./b\\c.eml") == ("a/b/c.eml", None)
    assert member_kind("takeout.zip", "Takeout/Mail/All mail.mbox") == "email"
    assert member_kind("takeout.zip", "Takeout/Calendar/a.ics") == "calendar"
    assert member_kind("crm/export.zip", "Account.csv") == "crm"
    assert member_kind("x.zip", "staff.csv") == "staff" and member_kind("x.zip", "notes.txt") == "unknown"
    assert (
        archives.archive_format(
            Path(__file__).resolve().parents[1] / "fixtures" / "attendance" / "cn" / "tencent-brandco.xlsx"
        )
        is None
    )  # an .xlsx is not an archive
