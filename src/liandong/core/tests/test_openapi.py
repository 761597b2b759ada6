"""The OpenAPI document is a contract: it is compared with the committed ``openapi.json``, so
that every change to the API shows up in review. After an intended change, refresh it with

    UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/pytest src/liandong/core/tests/test_openapi.py

The document is also checked for what it must never say: an operation without
authentication (other than obtaining a token), or a response carrying stored ciphertexts,
digests or unmasked personal data outside the reveal operation.
"""

import enum
import json
import os
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ninja import Schema

from liandong.api import api
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import collected

SNAPSHOT = Path(__file__).with_name("openapi.json")
# Declared next to each app's permission matrix (core/tests/matrix.py explains them).
PUBLIC_OPERATIONS = collected("PUBLIC_OPERATIONS")
# Schemas that may carry full ID and mobile numbers: the answers of audited reveals.
UNMASKED_SCHEMAS = collected("UNMASKED_SCHEMAS")
REVEAL_OPERATIONS = collected("REVEAL_OPERATIONS")
FORBIDDEN_PROPERTY_PARTS = ("cipher", "digest", "password_hash", "key_digest", "path")


def current() -> dict[str, Any]:
    return json.loads(json.dumps(api.get_openapi_schema(), ensure_ascii=False))


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
    ]


def test_schema_matches_the_committed_snapshot() -> None:
    schema = current()
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        SNAPSHOT.write_text(
            json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_OPENAPI_SNAPSHOT=1"
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert committed == schema, (
        "The API changed. If that is intended, review the diff and refresh the snapshot: "
        "UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/pytest src/liandong/core/tests/test_openapi.py\n"
        + "\n".join(differences(committed, schema)[:20])
    )


def differences(old: Any, new: Any, where: str = "") -> list[str]:
    """Where two JSON documents differ, as JSON-pointer-like paths with both values."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            line
            for key in sorted(old.keys() | new.keys())
            for line in differences(old.get(key), new.get(key), f"{where}/{key}")
        ]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            line
            for index, (a, b) in enumerate(zip(old, new, strict=True))
            for line in differences(a, b, f"{where}/{index}")
        ]
    return [] if old == new else [f"{where}: {str(old)[:200]} -> {str(new)[:200]}"]


def test_the_served_document_is_the_same(db: None) -> None:
    response = BrowserClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == current()


def test_every_operation_is_named_and_authenticated() -> None:
    schema = current()
    assert schema["info"]["version"] == "1"
    for method, path, op in operations(schema):
        assert op.get("operationId"), (method, path)
        if op["operationId"] in PUBLIC_OPERATIONS:
            assert not op.get("security"), (method, path)
        else:
            schemes = {name for requirement in op.get("security", []) for name in requirement}
            assert schemes == {"BearerAuth", "SessionAuth"}, (method, path, schemes)
    ids = [op["operationId"] for _, _, op in operations(schema)]
    assert len(ids) == len(set(ids))


def properties(schema: dict[str, Any]) -> dict[str, set[str]]:
    return {
        name: set(component.get("properties", {}))
        for name, component in schema["components"]["schemas"].items()
    }


def test_no_schema_exposes_ciphertext_digests_or_paths() -> None:
    for name, fields in properties(current()).items():
        for field in fields:
            assert not any(part in field for part in FORBIDDEN_PROPERTY_PARTS), (name, field)


def test_full_numbers_only_in_the_reveal_answer() -> None:
    schema = current()
    carriers = {
        name for name, fields in properties(schema).items() if fields & {"id_number", "mobile"}
    }
    assert carriers == UNMASKED_SCHEMAS
    revealing = [
        op["operationId"]
        for _, _, op in operations(schema)
        if any(
            response.get("content", {})
            .get("application/json", {})
            .get("schema", {})
            .get("$ref", "")
            .endswith(tuple(f"/{name}" for name in UNMASKED_SCHEMAS))
            for response in op.get("responses", {}).values()
        )
    ]
    assert set(revealing) == REVEAL_OPERATIONS


@pytest.mark.parametrize("schema_name", ["WorkerOut", "WorkerPage"])
def test_worker_schemas_show_masked_fields_only(schema_name: str) -> None:
    fields = properties(current())
    if schema_name == "WorkerOut":
        assert {"id_number_masked", "mobile_masked"} <= fields["WorkerOut"]
        assert not fields["WorkerOut"] & {"id_number", "mobile", "mobile_tail"}
    else:
        assert fields["WorkerPage"] == {"items", "next_cursor"}


# -- one name, one schema -----------------------------------------------------------------------
# Ninja files the schemas of every operation under their class names, so two classes of the
# same name collapse into one component: one app's fields or enum values documented for the
# other's endpoint (a client then builds requests the endpoint refuses).


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _enums(annotation: Any) -> set[type[enum.Enum]]:
    found = set()
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
    for arg in typing.get_args(annotation):
        found |= _enums(arg)
    return found


def _product_schemas(components: dict[str, Any]) -> list[type[Schema]]:
    return [
        cls
        for cls in set(_subclasses(Schema))
        if cls.__module__.startswith("liandong.") and cls.__name__ in components
    ]


def _enum_values(node: Any, components: dict[str, Any], seen: frozenset = frozenset()) -> set:
    """Every enum value a property's schema allows, following its references."""
    values: set = set()
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref and ref not in seen:
            values |= _enum_values(components[ref.rsplit("/", 1)[1]], components, seen | {ref})
        values |= set(node.get("enum", []))
        for value in node.values():
            values |= _enum_values(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            values |= _enum_values(value, components, seen)
    return values


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"].rsplit("/", 1)[1]} if "$ref" in node else set()
        return own.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def test_every_schema_name_is_one_class() -> None:
    components = current()["components"]["schemas"]
    classes: dict[str, set[type]] = {}
    for cls in _product_schemas(components):
        classes.setdefault(cls.__name__, set()).add(cls)
        for name, field in cls.model_fields.items():
            referenced = _refs(components[cls.__name__].get("properties", {}).get(name, {}))
            for choices in _enums(field.annotation):
                if choices.__name__ in referenced:
                    classes.setdefault(choices.__name__, set()).add(choices)
    shared = {
        name: sorted(f"{c.__module__}.{c.__qualname__}" for c in found)
        for name, found in classes.items()
        if len(found) > 1
    }
    assert not shared, shared


def test_enums_list_what_the_endpoints_accept() -> None:
    components = current()["components"]["schemas"]
    checked = 0
    for cls in _product_schemas(components):
        for name, field in cls.model_fields.items():
            choices = _enums(field.annotation)
            if not choices:
                continue
            documented = _enum_values(
                components[cls.__name__]["properties"][field.alias or name], components
            )
            accepted = {member.value for c in choices for member in c}
            assert documented == accepted, (cls.__name__, name, documented ^ accepted)
            checked += 1
    assert checked >= 10
