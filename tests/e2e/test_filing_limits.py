"""What the filing form says before it sends: the real per-file limit, and a counter
instead of a silent cut (issue 8)."""
from __future__ import annotations

from tests.e2e.test_one_door import _log_in


def test_the_form_names_the_per_file_limit_and_counts_characters(phone, make):
    make.project(name="椰风海韵")
    make.user("homeowner", username="homeowner")
    _log_in(phone, "homeowner")
    phone.goto("/homeowner/complaints/new")

    # A 10,000-character paste stays whole; the counter says how much is too much.
    facts = phone.get_by_label("事实与理由")
    facts.fill("交" * 10_000)
    assert len(facts.input_value()) == 10_000
    counter = phone.get_by_test_id("char-counter")
    assert "10,000 / 5,000" in counter.inner_text() and "5,000" in counter.inner_text()
    facts.fill("交" * 120)
    assert counter.inner_text().startswith("120 / 5,000")

    # One 11 MB photo: the message names it and the 10 MB per-file rule, not a total.
    phone.get_by_label("证据文件").set_input_files(
        files=[{"name": "合同.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * (11 << 20)}])
    phone.get_by_test_id("file-submit").click()
    message = phone.locator("[data-size-error]").inner_text()
    assert "合同.jpg" in message and "10 MB" in message.replace("10MB", "10 MB")
    assert "63" not in message
