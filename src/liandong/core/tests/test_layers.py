"""The layers, checked from the import statements of every product module (tests aside),
including imports inside functions: core imports no other app of ours, and accounts does not
import workers (workers depend on accounts: Worker.user is a foreign key to User)."""

import ast
from collections.abc import Iterator
from pathlib import Path

import liandong

PACKAGE_DIR = Path(liandong.__file__).resolve().parent

# (importing package, imported package or a prefix of it, why not)
FORBIDDEN = [
    ("liandong.core", "liandong.", "core is the bottom layer: it imports only itself"),
    ("liandong.accounts", "liandong.workers", "workers depend on accounts, not the reverse"),
]
ALLOWED = {"liandong.core": ("liandong.core",)}


def module_name(path: Path, package_dir: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_modules(package_dir: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(package_dir.rglob("*.py")):
        relative = path.relative_to(package_dir).parts
        if "tests" in relative or path.name == "conftest.py":
            continue
        yield module_name(path, package_dir), path


def imported_modules(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """Every module an ``import`` or ``from … import`` names, at any depth of the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if "." in base:
                yield node.lineno, base
            else:  # ``from liandong import workers``: the names are the packages imported
                for alias in node.names:
                    yield node.lineno, f"{base}.{alias.name}"


def layer_violations(package_dir: Path) -> list[str]:
    found = []
    for module, path in product_modules(package_dir):
        for importer, imported_prefix, why in FORBIDDEN:
            if not (module == importer or module.startswith(importer + ".")):
                continue
            for line, imported in imported_modules(module, path):
                allowed = ALLOWED.get(importer, ())
                if not (imported == imported_prefix or imported.startswith(imported_prefix)):
                    continue
                if any(imported == a or imported.startswith(a + ".") for a in allowed):
                    continue
                found.append(f"{path.relative_to(package_dir)}:{line} imports {imported} ({why})")
    return sorted(set(found))


def test_core_imports_no_app_and_accounts_does_not_import_workers() -> None:
    assert layer_violations(PACKAGE_DIR) == []


def write(root: Path, relative: str, text: str) -> None:
    path = root / "liandong" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_check_finds_imports_at_any_depth(tmp_path: Path) -> None:
    write(tmp_path, "__init__.py", "")
    write(tmp_path, "core/__init__.py", "")
    write(
        tmp_path, "core/fine.py", "from liandong.core import crypto\nimport liandong.core.audit\n"
    )
    write(tmp_path, "core/tests/test_x.py", "from liandong.workers.models import Worker\n")
    write(
        tmp_path,
        "core/nav.py",
        "def menu():\n    from liandong.workers.permissions import can_manage_roster\n",
    )
    write(tmp_path, "core/pkg.py", "from liandong import accounts\n")
    write(tmp_path, "accounts/__init__.py", "")
    write(tmp_path, "accounts/backends.py", "import liandong.workers.models\n")
    write(tmp_path, "accounts/views.py", "from ..workers import signin\n")
    write(tmp_path, "workers/signin.py", "from liandong.accounts.models import User\n")

    found = layer_violations(tmp_path / "liandong")

    assert [line.split(" (")[0] for line in found] == [
        "accounts/backends.py:1 imports liandong.workers.models",
        "accounts/views.py:1 imports liandong.workers",
        "core/nav.py:2 imports liandong.workers.permissions",
        "core/pkg.py:1 imports liandong.accounts",
    ]
