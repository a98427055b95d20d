"""The homeowner's "my cases": the cases they are a party to."""
from __future__ import annotations

from app.web.homeowner import bp
from app.web.case_lists import render_case_list
from app.web.page_cache import cached_page


@bp.get("/cases")
@cached_page
def list_cases():
    return render_case_list("homeowner/cases.html", "homeowner")
