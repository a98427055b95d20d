"""Helpers for driving the web app through Flask's test client."""
from __future__ import annotations

import re

from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client, username: str, password: str = PASSWORD, remember: bool = False):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def logout(client):
    token = csrf_token(client, "/account/password")
    return client.post("/logout", data={"csrf_token": token})


def get_page(client, path: str, **params):
    """The response and its HTML."""
    response = client.get(path, query_string=params)
    return response, response.get_data(as_text=True)


def case_ids(html: str) -> list[int]:
    """The case ids of a case list's rows, in order."""
    return [int(i) for i in re.findall(r'<tr data-case-id="(\d+)"', html)]
