from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    """A model change without its migration (or a model whose migration state is not
    deterministic) fails here rather than on a deployment."""
    out = StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out)
    except SystemExit:
        pytest.fail(f"makemigrations would write migrations:\n{out.getvalue()}")
