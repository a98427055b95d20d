"""The developer's "cases against us": the cases where the company is the respondent."""
from __future__ import annotations

from app.web.developer import bp
from app.web.case_lists import render_case_list
from app.web.page_cache import cached_page


@bp.get("/cases")
@cached_page
def list_cases():
    return render_case_list("developer/cases.html", "developer")
