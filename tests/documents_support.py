"""What the document tests share: an agreement for a factory case, and the PDF's text."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from app.documents.agreement import AgreementData, AgreementParty, Milestone, Payment
from app.services.documents import Copy

HOMEOWNER_PHONE = "13812345678"
DEVELOPER_PHONE = "0898-63331234"


def pdf_text(data: bytes, tmp_path, page: int | None = None) -> str:
    """The text poppler's pdftotext extracts (the test is skipped, saying why, without it)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: apt-get install poppler-utils")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def agreement_for(case, person, developer, *, terms=None, extra_terms: int = 0) -> tuple[AgreementData, list[Copy]]:
    """A late-delivery agreement between the case's homeowner and developer, and its three copies."""
    home = AgreementParty(f"person:{person.id}", "申请人", person.name, person.resident_id, True, HOMEOWNER_PHONE,
                          "文昌市文城镇椰风路8号")
    company = AgreementParty(f"developer:{developer.id}", "被申请人", developer.name, developer.uscc, False,
                             DEVELOPER_PHONE, "文昌市文城镇文建路1号", "法定代表人 李强")
    terms = list(terms or ["被申请人于2027年3月31日前向申请人交付椰风海韵3栋1201室。",
                           "被申请人向申请人支付逾期交房违约金48,000元，分两期付清。"])
    terms += [f"第{i}项补充约定：双方就房屋质量保修、物业交接及办证事宜另行协商，不影响本协议效力。" for i in range(extra_terms)]
    data = AgreementData(
        court_name="海南省文昌市人民法院", circuit_name="防范房地产风险巡回法庭", case_number=case.number,
        parties=(home, company), terms=tuple(terms), dispute="申请人购买椰风海韵3栋1201室，被申请人逾期交房。",
        mediator="陈调解",
        payments=(Payment(date(2027, 1, 15), developer.name, person.name, 2_400_000, "第一期"),
                  Payment(date(2027, 3, 15), developer.name, person.name, 2_400_000, "第二期")),
        milestones=(Milestone("完成竣工验收备案", developer.name, date(2027, 2, 28), None, "逾期交房"),
                    Milestone("交付房屋并移交钥匙", developer.name, date(2027, 3, 31), None, "逾期交房")),
        place="文昌市", dated=date(2026, 12, 2))
    copies = [Copy(None), Copy(home.key, person_id=person.id), Copy(company.key, developer_id=developer.id)]
    return data, copies
