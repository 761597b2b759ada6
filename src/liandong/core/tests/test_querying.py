"""PreparedQuery: the same rows and related objects as the ORM, with the SQL compiled once."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liandong.accounts.models import ApiToken
from liandong.core.querying import PreparedQuery

pytestmark = pytest.mark.django_db


def token_query() -> PreparedQuery:
    return PreparedQuery(
        lambda digest: ApiToken.objects.select_related("user", "user__organization").filter(
            key_digest=digest
        )
    )


@pytest.fixture
def tokens(world: Any) -> list[ApiToken]:
    soon = timezone.now() + timedelta(days=1)
    return [
        ApiToken.objects.create(user=world.users["staff_a"], key_digest="a" * 64, expires_at=soon),
        ApiToken.objects.create(user=world.users["liaison"], key_digest="b" * 64, expires_at=soon),
    ]


def test_it_returns_what_the_orm_returns_with_relations_in_one_query(
    tokens: list[ApiToken],
) -> None:
    query = token_query()
    for token in tokens:
        expected = ApiToken.objects.select_related("user", "user__organization").get(pk=token.pk)
        with CaptureQueriesContext(connection) as queries:
            (found,) = query(token.key_digest)
            # Relations come with the row: reading them costs no further query.
            assert found.user.username == expected.user.username
            assert found.user.organization.path == expected.user.organization.path
        assert len(queries) == 1
        assert found.pk == expected.pk
        assert (
            found.expires_at == expected.expires_at
        )  # converted to an aware datetime, as the ORM does
        assert found.expires_at.tzinfo is not None
        assert found.user.is_active is True  # SQLite's 1 converted to a bool
        for model_field in ApiToken._meta.concrete_fields:
            assert getattr(found, model_field.attname) == getattr(expected, model_field.attname)


def test_parameters_are_parameters_not_sql(tokens: list[ApiToken]) -> None:
    query = token_query()
    assert query("x' OR '1'='1") == []
    assert query("%") == []
    assert query("") == []
    assert ApiToken.objects.count() == 2
    assert [t.pk for t in query(tokens[1].key_digest)] == [tokens[1].pk]


def test_each_call_sees_the_current_rows(tokens: list[ApiToken]) -> None:
    query = token_query()
    assert len(query(tokens[0].key_digest)) == 1
    ApiToken.objects.filter(pk=tokens[0].pk).delete()
    assert query(tokens[0].key_digest) == []


def test_it_refuses_what_it_cannot_prepare(db: None) -> None:
    with pytest.raises(TypeError):
        token_query()(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        token_query()("a", "b")
    twice = PreparedQuery(
        lambda v: ApiToken.objects.filter(key_digest=v) | ApiToken.objects.filter(key_digest=v)
    )
    with pytest.raises(ValueError, match="exactly once"):
        twice("a")
