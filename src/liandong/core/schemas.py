"""The base of every API input schema (query strings and request bodies).

Some input that Python accepts the databases refuse, and the refusal would surface as a 500:
PostgreSQL stores no NUL character in text or jsonb, neither database encodes a lone UTF-16
surrogate, and SQLite cannot bind an integer beyond 64 bits. Such input is refused here, as a
422 that names the field.
"""

from typing import Any

from ninja import Schema
from pydantic import field_validator

BIGINT_MAX = 2**63 - 1


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
