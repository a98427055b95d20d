"""One door, end to end: a homeowner files on a phone with a photo, a judge gathers the
building's complaints into a group case, and the homeowner sees the new case number."""
from __future__ import annotations

import re
import struct
import zlib

from tests.factories import PASSWORD


def _png(width: int = 8, height: int = 8) -> bytes:
    """A real (tiny) PNG photo, so the content check sees an image."""
    raw = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _log_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()


def test_a_phone_filing_becomes_a_group_case_the_homeowner_can_follow(phone, page, make):
    project = make.project(name="椰风海韵")
    make.user("judge", username="judge", court=project.court)
    owner = make.user("homeowner", username="homeowner", name="王海燕")
    for _ in range(10):  # the neighbours already complained about the same delay
        make.complaint(project=project, status="submitted", dispute_type="late_delivery")

    # The homeowner files on a phone-sized screen, with a photo.
    _log_in(phone, "homeowner")
    phone.get_by_test_id("file-complaint").click()
    phone.get_by_label("项目", exact=True).select_option(str(project.id))
    phone.get_by_label("房号（楼栋及房间）").fill("3栋1单元502")
    phone.get_by_label("纠纷类型").select_option("late_delivery")
    phone.get_by_label("请求1：请求事项").fill("逾期交房违约金")
    phone.get_by_label("请求1：金额（元）").fill("36500.50")
    phone.get_by_label("事实与理由").fill("合同约定2025年6月30日交房，至今未交付。")
    phone.get_by_label("证据文件").set_input_files(
        files=[{"name": "合同照片.png", "mimeType": "image/png", "buffer": _png()}])
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    phone.get_by_test_id("file-submit").click()
    receipt = phone.get_by_test_id("receipt-no").inner_text().strip()
    assert re.fullmatch(r"TS\d{8}-[0-9A-Z]{6}", receipt)

    # The judge sees eleven complaints about one building and merges them into a group case.
    _log_in(page, "judge")
    page.goto("/court/triage")
    proposal = page.get_by_test_id(f"group-{project.id}-late_delivery")
    assert proposal.get_by_test_id("group-dispute").is_visible()  # ten or more claimants
    proposal.get_by_test_id("merge-group").click()
    page.wait_for_load_state()
    number = re.search(r"（\d{4}）琼9005民诉前调\d+号", page.content()).group(0)

    # The homeowner follows the complaint and finds the case number.
    phone.goto("/homeowner/")
    phone.get_by_text(receipt).first.click()
    phone.wait_for_load_state()
    assert number in phone.content()
    assert owner.name in phone.content()

    # The homeowner was told: the badge on the phone, the case number in the inbox.
    assert phone.get_by_test_id("unread-count").inner_text().startswith("1")
    phone.get_by_test_id("nav-list_notices").click()
    phone.wait_for_load_state()
    notice = phone.locator(".notice-item").first
    assert number in notice.inner_text() and receipt in notice.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    notice.get_by_role("button", name="标为已读").click()
    phone.wait_for_load_state()
    assert phone.get_by_test_id("unread-count").count() == 0
    notice.get_by_role("link", name="查看案件").click()
    phone.wait_for_load_state()
    assert number in phone.content()
