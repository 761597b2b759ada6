"""Reading an uploaded Excel workbook safely (rosters, contest score sheets).

The file is checked as a container before anything parses it: its size
(``LIANDONG_IMPORT_MAX_BYTES``), its type (an old .xls, an encrypted workbook or a CSV
renamed .xlsx each get their own message), the ZIP's entry count and declared uncompressed
size, and macros. It is then opened with openpyxl in read-only mode, whose XML goes through
defusedxml, and streamed row by row. Every refusal is a ``FileRejected`` whose message is
shown to the user as it is.
"""

import io
import logging
import re
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

logger = logging.getLogger(__name__)

# A ZIP says how large each entry unpacks to, and Python's zipfile stops at that size (a
# lying entry fails its CRC check), so capping the declared sizes caps what parsing can
# inflate. A real 200,000-row roster unpacks to well under 100 MB.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000

ERR_EMPTY = "文件是空的，请选择填好的名册文件"
ERR_TOO_LARGE = "文件超过 {mb} MB，请拆分成几个文件分批导入"
ERR_OLD_XLS = "这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后重新上传"
ERR_ENCRYPTED = "文件已加密（设置了打开密码），请在 Excel 中取消密码后重新上传"
ERR_CSV = "这是文本（CSV）文件，不是 Excel 工作簿，请在 Excel 中“另存为” .xlsx 格式后重新上传"
ERR_NOT_XLSX = "文件不是 Excel 工作簿（.xlsx），请上传 .xlsx 格式的名册"
ERR_CORRUPT = "文件已损坏，无法读取，请在 Excel 中打开并另存为 .xlsx 后重新上传"
ERR_MACROS = "文件包含宏（.xlsm），为安全起见不予处理，请另存为不含宏的 .xlsx 后重新上传"
ERR_BOMB = "文件解压后过大或包含的部件过多，疑似异常文件，已拒绝"
ERR_UNSAFE_XML = "文件包含不安全的 XML 内容（实体定义），已拒绝"
ERR_NO_SHEET = "工作簿中没有工作表"

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CFB_END = 0xFFFFFFFA  # sector numbers at or above this are markers, not sectors


class FileRejected(Exception):
    """The file as a whole cannot be imported; the message is shown to the user."""


# ---------------------------------------------------------------------------------------
# The container: size, type, ZIP limits, macros.


def _file_size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    file.seek(0)
    return int(size)


def _cfb_entry_names(data: bytes) -> set[str]:
    """Names of the streams and storages of an OLE compound file (MS-CFB), read from its
    directory. Encrypted OOXML workbooks are such a file with an ``EncryptionInfo`` stream;
    an old .xls has a ``Workbook`` (or ``Book``) stream."""
    if len(data) < 512:
        return set()
    shift = int.from_bytes(data[30:32], "little")
    if shift not in (9, 12):
        return set()
    size = 1 << shift

    def sector(number: int) -> bytes:
        return data[(number + 1) * size : (number + 2) * size]

    def words(block: bytes) -> tuple[int, ...]:
        return struct.unpack(f"<{len(block) // 4}I", block[: len(block) // 4 * 4])

    fat_sectors = list(words(data[76:512]))
    next_difat, hops = int.from_bytes(data[68:72], "little"), 0
    while next_difat < _CFB_END and hops < 10_000:
        block = words(sector(next_difat))
        if not block:
            break
        fat_sectors += block[:-1]
        next_difat, hops = block[-1], hops + 1
    fat: list[int] = []
    for number in fat_sectors:
        if number < _CFB_END:
            fat += words(sector(number))
    names: set[str] = set()
    current, seen = int.from_bytes(data[48:52], "little"), set()
    while current < _CFB_END and current not in seen:
        seen.add(current)
        directory = sector(current)
        for offset in range(0, len(directory) - 127, 128):
            entry = directory[offset : offset + 128]
            length = int.from_bytes(entry[64:66], "little")
            if 2 <= length <= 64 and entry[66] in (1, 2, 5):
                names.add(entry[: length - 2].decode("utf-16-le", "replace"))
        current = fat[current] if current < len(fat) else _CFB_END
    return names


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            # The sample may end inside a multi-byte character.
            try:
                text = head[:-4].decode(encoding)
            except UnicodeDecodeError:
                continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        return printable >= 0.95 * max(1, len(text))
    return False


def check_container(file: IO[bytes]) -> None:
    """Refuse what is not a plain xlsx workbook, before any XML is parsed."""
    size = _file_size(file)
    if size == 0:
        raise FileRejected(ERR_EMPTY)
    limit = settings.LIANDONG_IMPORT_MAX_BYTES
    if size > limit:
        raise FileRejected(ERR_TOO_LARGE.format(mb=round(limit / 1024 / 1024)))
    head = file.read(4096)
    file.seek(0)
    if head.startswith(_CFB_MAGIC):
        names = _cfb_entry_names(file.read())
        file.seek(0)
        if {"EncryptionInfo", "EncryptedPackage"} & names:
            raise FileRejected(ERR_ENCRYPTED)
        if {"Workbook", "Book"} & names:
            raise FileRejected(ERR_OLD_XLS)
        raise FileRejected(ERR_NOT_XLSX)
    if not head.startswith(b"PK"):
        raise FileRejected(ERR_CSV if _looks_like_text(head) else ERR_NOT_XLSX)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRejected(ERR_CORRUPT) from None
    with archive:
        entries = archive.infolist()
        if (
            len(entries) > MAX_ZIP_ENTRIES
            or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED_BYTES
        ):
            raise FileRejected(ERR_BOMB)
        names = {e.filename for e in entries}
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise FileRejected(ERR_MACROS)
        if "[Content_Types].xml" not in names:
            raise FileRejected(ERR_NOT_XLSX)
        if archive.getinfo("[Content_Types].xml").file_size > 1024 * 1024:
            raise FileRejected(ERR_BOMB)
        try:
            content_types = archive.read("[Content_Types].xml")
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise FileRejected(ERR_CORRUPT) from None
    file.seek(0)
    if b"macroEnabled" in content_types:
        raise FileRejected(ERR_MACROS)
    if not re.search(rb"spreadsheetml\.(sheet|template)\.main\+xml", content_types):
        raise FileRejected(ERR_NOT_XLSX)


# ---------------------------------------------------------------------------------------
# The sheet: opening it and streaming its rows.


def _unsafe_xml(error: BaseException | None) -> bool:
    """Whether defusedxml refused the XML (openpyxl re-raises its errors wrapped)."""
    depth = 0
    while error is not None and depth < 10:
        if isinstance(error, DefusedXmlException):
            return True
        error, depth = error.__cause__ or error.__context__, depth + 1
    return False


@contextmanager
def open_workbook(file: IO[bytes]) -> Iterator[Workbook]:
    if not openpyxl.DEFUSEDXML:  # pragma: no cover - OPENPYXL_DEFUSEDXML=False in the environment
        raise RuntimeError("openpyxl must parse with defusedxml (unset OPENPYXL_DEFUSEDXML)")
    try:
        # data_only=False: a formula arrives as its text ("=…") and is refused, never evaluated
        # nor replaced by whatever value Excel last cached for it.
        book = openpyxl.load_workbook(file, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises anything from KeyError to XML errors
        logger.info("Unreadable workbook: %r", error)
        raise FileRejected(ERR_UNSAFE_XML if _unsafe_xml(error) else ERR_CORRUPT) from None
    try:
        yield book
    finally:
        book.close()


def first_sheet(book: Workbook) -> ReadOnlyWorksheet:
    sheets = [s for s in book.worksheets if getattr(s, "sheet_state", "visible") == "visible"]
    sheets = sheets or book.worksheets
    if not sheets:
        raise FileRejected(ERR_NO_SHEET)
    sheet = sheets[0]
    # The stored dimension is often wrong (written by other tools); read every row instead.
    sheet.reset_dimensions()
    return sheet


def sheet_rows(
    sheet: ReadOnlyWorksheet, *, min_row: int, max_col: int
) -> Iterator[tuple[int, tuple]]:
    """``(excel row number, values)``, turning openpyxl's parse errors into a file error."""
    # types-openpyxl types ReadOnlyWorksheet.iter_rows as Worksheet's function (it is, at
    # run time), so its self argument does not match.
    rows = sheet.iter_rows(  # type: ignore[misc]
        min_row=min_row, max_col=max_col, values_only=True
    )
    number = min_row - 1
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:
            logger.info("Unreadable worksheet: %r", error)
            raise FileRejected(ERR_UNSAFE_XML if _unsafe_xml(error) else ERR_CORRUPT) from None
        number += 1
        yield number, values
