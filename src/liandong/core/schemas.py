"""The base of every API input schema (query strings and request bodies).

Some input that Python accepts the databases refuse, and the refusal would surface as a 500:
PostgreSQL stores no NUL character in text or jsonb, neither database encodes a lone UTF-16
surrogate, and SQLite cannot bind an integer beyond 64 bits. Such input is refused here, as a
422 that names the field.
"""

from enum import Enum
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, WithJsonSchema, field_validator

BIGINT_MAX = 2**63 - 1

# A record id inside a list (``co_body_ids: list[Id]``), which the base schema's range check
# does not see: the bigint range of the primary keys is declared in the OpenAPI document and
# checked before the id reaches the database, where a larger one fails to bind (a 500).
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]


def enum_schema(choices: type[Enum], name: str) -> WithJsonSchema:
    """An enum field's schema under a name of its own, for ``Annotated[Enum, enum_schema(...)]``.
    The document names an enum's schema after its class, and ninja files the schemas of every
    operation under those names, so two enums both called ``Category`` collapse into one: the
    document would list one app's values for the other's field. This one is written inline."""
    return WithJsonSchema(
        {"title": name, "type": "string", "enum": [member.value for member in choices]}
    )


class InputSchema(Schema):
    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("不能包含空字符（\\0）")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("包含无效的字符") from None
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > BIGINT_MAX:
            raise ValueError("数值超出范围")
        return value
