"""Benchmark: a 3-page Chinese agreement with an embedded CJK font subset against a plain
ASCII reportlab document of the same layout, measured in the same run.

    .venv/bin/python bench/bench_documents.py [--runs 15]

Both documents are built from the same layout functions (app.documents.layout): the
court's header, a parties table, numbered terms, a payment table, a milestone table and a
signature block, with the verification line on every page, and both run to three pages.
The Chinese one is the real agreement renderer with the court's CJK font (WenQuanYi Zen Hei
when installed: embedded, subset to the glyphs used); the ASCII one uses Helvetica (a
standard PDF font: nothing embedded). Runs alternate between the two, so a burst of load
on the shared machine hits both alike; medians are reported. The font's one-off
registration (parsing the 17 MB collection, once per process) is reported apart.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.documents import layout  # noqa: E402
from app.documents.agreement import AgreementData, AgreementParty, Milestone, Payment, render_agreement  # noqa: E402
from app.documents.fonts import cjk_font  # noqa: E402

CODE = "ABCDEFGHJKMNPQRS"
URL = "https://court.example/verify/" + CODE
N_TERMS = 30


def chinese_agreement() -> AgreementData:
    terms = ["被申请人于2027年3月31日前向申请人交付椰风海韵3栋1201室，并办理交接手续。",
             "被申请人向申请人支付逾期交房违约金人民币48,000元，分两期付清。"]
    terms += [f"第{i + 3}项：双方就房屋质量保修、物业交接、办证期限及相关费用承担事宜达成一致，按本协议约定履行。"
              for i in range(N_TERMS - 2)]
    return AgreementData(
        court_name="海南省文昌市人民法院", circuit_name="防范房地产风险巡回法庭", case_number="（2026）琼9005民诉前调123号",
        parties=(AgreementParty("person:1", "申请人", "王海燕", "469005198001011234", True, "13812345678", "文昌市文城镇椰风路8号"),
                 AgreementParty("developer:2", "被申请人", "海南椰海置业有限公司", "91469005MA5T000001", False,
                                "0898-63331234", "文昌市文城镇文建路1号", "法定代表人 李强")),
        terms=tuple(terms), dispute="申请人购买椰风海韵3栋1201室，被申请人逾期交房。", mediator="陈调解",
        payments=(Payment(date(2027, 1, 15), "海南椰海置业有限公司", "王海燕", 2_400_000, "第一期"),
                  Payment(date(2027, 3, 15), "海南椰海置业有限公司", "王海燕", 2_400_000, "第二期")),
        milestones=(Milestone("完成竣工验收备案", "海南椰海置业有限公司", date(2027, 2, 28), None, "逾期交房"),
                    Milestone("交付房屋并移交钥匙", "海南椰海置业有限公司", date(2027, 3, 31), None, "逾期交房")),
        place="文昌市", dated=date(2026, 12, 2))


def ascii_document() -> bytes:
    """The same layout in English with Helvetica: header, tables, numbered terms, signatures."""
    st = layout.styles("Helvetica")
    story = layout.court_header(st, court_name="Wenchang People's Court of Hainan Province",
                                circuit_name="Real-Estate Risk Prevention Circuit Court",
                                title="Mediation Agreement", case_number="(2026) Qiong 9005 Pre-litigation No. 123")
    story += layout.section(st, "Parties", layout.table(
        st, ["Role", "Name", "ID number", "Phone", "Address", "Agent"],
        [["Applicant", "Wang Haiyan", "469005198001011234", "13812345678", "8 Yefeng Road, Wencheng", ""],
         ["Respondent", "Hainan Yehai Real Estate Co.", "91469005MA5T000001", "0898-63331234",
          "1 Wenjian Road, Wencheng", "Li Qiang, legal rep."]],
        widths=[0.09, 0.16, 0.26, 0.18, 0.17, 0.14]))
    story += layout.section(st, "Dispute", layout.para("The applicant bought unit 1201 of building 3; the "
                                                       "respondent delivered it late.", st.body))
    terms = ["The respondent delivers unit 1201 of building 3 by 31 March 2027 and completes the hand-over.",
             "The respondent pays damages for late delivery of 48,000 yuan in two instalments."]
    terms += [f"Item {i + 3}: the parties agree on warranty repairs, property hand-over, title certificate deadlines "
              f"and the costs involved, and perform them as agreed." for i in range(N_TERMS - 2)]
    story += layout.section(st, "The parties agree as follows", *layout.numbered(st, terms))
    story += layout.section(st, "Payments", layout.table(
        st, ["No.", "Due", "Payer", "Payee", "Amount", "Note"],
        [["1", "2027-01-15", "Hainan Yehai Real Estate Co.", "Wang Haiyan", "24,000.00", "first"],
         ["2", "2027-03-15", "Hainan Yehai Real Estate Co.", "Wang Haiyan", "24,000.00", "second"]],
        widths=[0.07, 0.14, 0.19, 0.19, 0.16, 0.25]))
    story += layout.section(st, "Milestones", layout.table(
        st, ["No.", "What", "Who", "Due", "Amount", "Settles"],
        [["1", "Completion acceptance filed", "Hainan Yehai Real Estate Co.", "2027-02-28", "", "late delivery"],
         ["2", "Unit delivered, keys handed over", "Hainan Yehai Real Estate Co.", "2027-03-31", "", "late delivery"]],
        widths=[0.07, 0.33, 0.16, 0.14, 0.14, 0.16]))
    story += layout.section(st, "Other", layout.para("This agreement takes effect when the last party signs.", st.body),
                            layout.para("The parties may apply jointly for judicial confirmation within 30 days.", st.body))
    story.append(layout.para("Mediator: Chen", st.body))
    story += layout.signature_block(st, [("Applicant", "Wang Haiyan"), ("Respondent", "Hainan Yehai Real Estate Co.")],
                                    dated=date(2026, 12, 2), place="Wenchang",
                                    labels=("Party", "Signature", "Date", "Signature (seal):", "Date:"))
    return layout.build_pdf(story, font="Helvetica", title="Mediation Agreement", case_number="(2026) No. 123",
                            verify_code=CODE, verify_url=URL, footer_label="Verification code", check_label="check",
                            page_label="page {page}")


def pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"{cpu}, nproc {os.cpu_count()}, Python {platform.python_version()}, load average "
          f"{os.getloadavg()[0]:.1f} at start (the machine is shared with eight other processes)")
    start = time.perf_counter()
    font = cjk_font()
    print(f"CJK font: {font.source} (embedded: {font.embedded}); registration once per process: "
          f"{time.perf_counter() - start:.3f} s")
    data = chinese_agreement()
    chinese = lambda: render_agreement(data, font=font.name, verify_code=CODE, verify_url=URL)  # noqa: E731
    chinese(), ascii_document()  # warm both paths once
    times = {"cjk": [], "ascii": []}
    for _ in range(args.runs):
        for name, fn in (("cjk", chinese), ("ascii", ascii_document)):
            t = time.perf_counter()
            pdf = fn()
            times[name].append(time.perf_counter() - t)
            if name == "cjk":
                cjk_pdf = pdf
            else:
                ascii_pdf = pdf
    cjk_t, ascii_t = statistics.median(times["cjk"]), statistics.median(times["ascii"])
    print(f"Chinese agreement, embedded CJK subset: {pages(cjk_pdf)} pages, {len(cjk_pdf) / 1024:.1f} KiB, "
          f"median {cjk_t * 1000:.1f} ms (best {min(times['cjk']) * 1000:.1f})")
    print(f"ASCII document, same layout, Helvetica: {pages(ascii_pdf)} pages, {len(ascii_pdf) / 1024:.1f} KiB, "
          f"median {ascii_t * 1000:.1f} ms (best {min(times['ascii']) * 1000:.1f})")
    print(f"ratio (median time): {cjk_t / ascii_t:.2f}x (target at most 4x); size ratio {len(cjk_pdf) / len(ascii_pdf):.1f}x")


if __name__ == "__main__":
    main()
