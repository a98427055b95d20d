"""The mediator's case list: the cases assigned to them, with filters, search and deadlines."""
from __future__ import annotations

from app.web.mediator import bp
from app.web.case_lists import render_case_list
from app.web.page_cache import cached_page


@bp.get("/cases")
@cached_page
def list_cases():
    return render_case_list("mediator/cases.html", "mediator")
