import pytest

from tests.factories import PASSWORD


@pytest.fixture
def bearer(client):
    """``bearer(user)`` → headers with a fresh API token for that user."""

    def headers_for(user) -> dict:
        response = client.post("/api/v1/auth/token",
                               json={"username": user.username, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return headers_for
