from tests.api.conftest import bearer  # noqa: F401  (``bearer(user)`` → API token headers)
