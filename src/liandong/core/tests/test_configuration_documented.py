"""Configuration is read in one place and documented in one place: every environment variable
the settings read appears in the README's configuration table, and no product module outside
settings reads the environment."""

import ast
import re
from pathlib import Path

import liandong

PACKAGE = Path(liandong.__file__).resolve().parent
README = PACKAGE.parent.parent / "README.md"
# Entry points may choose the settings module; nothing else may read the environment.
ALLOWED_OUTSIDE_SETTINGS = {"__main__.py", "wsgi.py", "asgi.py", "conftest.py"}


def _env_reads(source: str) -> list[ast.expr]:
    """The first argument of every ``os.environ.get``, ``os.getenv`` or settings ``env_*``
    call, and the key of every ``os.environ[...]``, literal or not. (Handing the whole
    environment on to a child process, ``{**os.environ}``, is not reading a setting.)"""
    keys: list[ast.expr] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            func = ast.unparse(node.func)
            if func in {"os.environ.get", "os.getenv"} or func.startswith("env_"):
                keys.append(node.args[0])
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            keys.append(node.slice)
    return keys


def _env_names(source: str) -> set[str]:
    return {
        key.value
        for key in _env_reads(source)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def test_every_variable_the_settings_read_is_in_the_readme_table() -> None:
    names = set()
    for path in (PACKAGE / "settings").glob("*.py"):
        names |= _env_names(path.read_text(encoding="utf-8"))
    names.discard("DJANGO_SETTINGS_MODULE")
    assert "LIANDONG_FIELD_KEY" in names
    assert "DATABASE_URL" not in names  # dj_database_url reads it
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", README.read_text(encoding="utf-8"), re.MULTILINE))
    assert "DATABASE_URL" in table
    assert sorted(names - table) == []


def test_no_product_module_outside_settings_reads_the_environment() -> None:
    readers = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "settings" or "tests" in relative.parts:
            continue
        if relative.name in ALLOWED_OUTSIDE_SETTINGS:
            continue
        if _env_reads(path.read_text(encoding="utf-8")):
            readers.append(str(relative))
    assert readers == []


def test_the_checker_finds_each_way_of_reading() -> None:
    source = (
        'import os\nos.environ.get("A")\nos.getenv("B", "x")\nos.environ["C"]\n'
        'env_bool("D")\nenv_int("E", 3)\nprint("F")\nos.environ.get(name)\n'
    )
    assert _env_names(source) == {"A", "B", "C", "D", "E"}
    assert len(_env_reads(source)) == 6
