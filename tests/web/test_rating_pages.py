"""A homeowner rates a closed case in the browser; the judge records the follow-up."""
from __future__ import annotations

from tests.services.test_ratings import closed  # noqa: F401  (the fixture)
from tests.web.helpers import csrf_token, get_page, login, logout


def test_rate_then_follow_up_in_the_browser(app, client, closed):
    case = closed["case"]
    login(client, closed["home"].username)
    response, html = get_page(client, f"/cases/{case.id}")
    assert 'data-testid="rating-link"' in html
    page = f"/cases/{case.id}/rating"
    token = csrf_token(client, page)
    response = client.post(page, data={"csrf_token": token, "comment": "无"})
    assert response.status_code == 422 and 'id="score-error"' in response.get_data(as_text=True)
    response = client.post(page, data={"csrf_token": token, "score": "1", "comment": "无人联系我"})
    assert response.status_code == 303
    response, html = get_page(client, page)
    assert 'data-testid="my-rating"' in html and 'data-testid="rate"' not in html
    assert client.get("/followups").status_code == 403
    logout(client)
    login(client, closed["judge"].username)
    response, html = get_page(client, "/followups")
    assert "无人联系我" in html and 'data-status="open"' in html
    followup_id = int(html.split("/followups/")[1].split("/")[0])
    token = csrf_token(client, "/followups")
    response = client.post(f"/followups/{followup_id}/done", data={"csrf_token": token, f"f{followup_id}-note": ""})
    assert response.status_code == 422
    response = client.post(f"/followups/{followup_id}/done",
                           data={"csrf_token": token, f"f{followup_id}-note": "已电话回访"})
    assert response.status_code == 303
    response, html = get_page(client, "/followups")
    assert 'data-status="done"' in html and "已电话回访" in html
