"""Permission matrix of the activities app: one row per page route and API operation of this app
(the completeness test in core/tests/test_permission_matrix.py collects these tables)."""

PAGE_TABLE: dict[str, tuple[str, str]] = {}
API_TABLE: dict[tuple[str, str], str] = {}
