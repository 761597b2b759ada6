"""What the import commands (``liandong import-workers``, ``import-organizations``) share: who
imports, opening the file, listing the rejected rows, and the exit codes."""

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, OutputWrapper

EXIT_REJECTED = 1  # rows were rejected
EXIT_FILE_ERROR = 2  # the file, or the command line, could not be used at all


def acting_account(username: str | None, allowed: Callable[[Any], bool], refusal: str) -> Any:
    """The account named by ``--user`` (None: the system), if it exists and ``allowed``
    (core imports no app: the account model is Django's configured one);
    ``refusal`` (with ``{user}``) says what it may not do."""
    if not username:
        return None
    actor = get_user_model()._default_manager.filter(username=username).first()
    if actor is None:
        raise CommandError(f"找不到账号 {username}", returncode=EXIT_FILE_ERROR)
    if not allowed(actor):
        raise CommandError(refusal.format(user=username), returncode=EXIT_FILE_ERROR)
    return actor


def open_file(file: Path) -> BinaryIO:
    try:
        return file.open("rb")
    except OSError as error:
        raise CommandError(
            f"无法打开文件 {file}：{error.strerror}", returncode=EXIT_FILE_ERROR
        ) from None


def write_row_errors(
    out: OutputWrapper, errors: Iterable[tuple[int, str, str, str]], kept: int
) -> None:
    """One line per rejected row's error; ``kept``: how many errors the import kept (it keeps
    at most LIANDONG_IMPORT_MAX_ERRORS)."""
    for row, column, reason, value in errors:
        out.write(f"第 {row} 行 [{column}] {reason}" + (f"（{value}）" if value else ""))
    if kept >= getattr(settings, "LIANDONG_IMPORT_MAX_ERRORS", 5000):
        out.write(f"（只列出前 {kept} 条错误）")
