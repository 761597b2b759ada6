"""Every action written to the audit log has a Chinese name (each app's ``audit_labels``),
so that the log reads like a record instead of codes such as ``workers.imported``."""

import ast
import re
from pathlib import Path

from django.apps import apps

from liandong.core.audit import action_label, audit_vocabulary, change_lines
from liandong.meetings.models import Reminder

SOURCE = Path(__file__).resolve().parents[2]  # src/liandong
ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")
AUDIT_CALLS = {"audit_log", "audit_entry", "AuditLog", "_audit"}
# Actions written with an f-string: the template and the values its hole takes.
DYNAMIC = {
    "meetings.reminder_{}": [str(kind) for kind in Reminder.Kind.values],
    "demands.{}": [],  # demands.services._finish: its callers' values, see PREFIXED
}
# ``demands.services._finish(action="accepted")`` writes ``demands.accepted``.
PREFIXED = {"_finish": "demands."}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _constants(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return []


def _template(node: ast.JoinedStr) -> str:
    return "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)


def actions_written() -> tuple[dict[str, str], list[str]]:
    """Action -> where it is written, and the f-string templates nobody declared."""
    found: dict[str, str] = {}
    unknown: list[str] = []
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            values: list[ast.expr] = [k.value for k in node.keywords if k.arg == "action"]
            if name in AUDIT_CALLS and node.args:
                values.append(node.args[0])
            where = f"{path.relative_to(SOURCE)}:{node.lineno}"
            for value in values:
                if isinstance(value, ast.JoinedStr):
                    template = _template(value)
                    if template in DYNAMIC:
                        for hole in DYNAMIC[template]:
                            found[template.format(hole)] = where
                    elif name not in PREFIXED and ACTION.match(template.replace("{}", "x")):
                        unknown.append(f"{where}: {template}")
                    continue
                for text in _constants(value):
                    if name in PREFIXED and "." not in text:
                        text = PREFIXED[name] + text
                    if ACTION.match(text):
                        found[text] = where
    return found, unknown


def test_every_action_written_has_a_chinese_label() -> None:
    written, unknown = actions_written()
    assert not unknown, f"actions built with an f-string: declare their values in DYNAMIC {unknown}"
    assert len(written) > 100  # the scan finds the calls (a broken scan would pass vacuously)
    labels = audit_vocabulary().actions
    missing = {action: where for action, where in written.items() if action not in labels}
    assert not missing, f"add these to the app's audit_labels.ACTIONS: {missing}"
    assert "workers.imported" in written
    assert "demands.accepted" in written
    assert "meetings.reminder_overdue" in written


def test_labels_are_chinese_and_links_name_real_models() -> None:
    vocabulary = audit_vocabulary()
    for action, label in vocabulary.actions.items():
        assert re.search(r"[\u4e00-\u9fff]", label), action
    for target_type in vocabulary.links:
        apps.get_model(target_type)  # raises LookupError for a misspelt type
    assert action_label("workers.imported") == "导入职工名册"
    assert action_label("test.unknown") == "test.unknown"


def test_changes_read_as_field_old_to_new() -> None:
    lines = change_lines(
        "competitions.contest", {"status": ["draft", "registration"], "team_size": [0, 2]}
    )
    assert [(line.label, line.old, line.new) for line in lines] == [
        ("状态", "筹备中", "报名中"),
        ("每队人数", "0", "2"),
    ]
    [single] = change_lines("workers.worker", {"rows": 12})
    assert (single.label, single.old, single.new) == ("行数", None, "12")
