from datetime import datetime

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import BIGINT_MAX, InputSchema


class MessageOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    urgent: bool
    read: bool
    read_at: datetime | None
    created_at: datetime


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: int | None
    unread_count: int


class InboxQuery(InputSchema):
    cursor: int | None = Field(default=None, ge=1, le=BIGINT_MAX)
    limit: int = Field(default=20, ge=1, le=100)
    unread: bool = False


class ReadOut(Schema):
    marked: int
    unread_count: int
