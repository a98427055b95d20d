"""The court's documents as PDFs (reportlab): renderers that take plain data, never query.

- :mod:`app.documents.fonts` — the Chinese font: embedded TrueType (configured or found),
  else the built-in STSong-Light; registered once per process.
- :mod:`app.documents.layout` — the court's header, tables, numbered clauses, the
  signature block and the verification line on every page; user text escaped.
- :mod:`app.documents.agreement` — the mediation agreement (调解协议书), one copy per party.

Storing, hashing and serving the files is ``app.services.documents``; see docs/documents.md.
"""

#: The kinds of document the court issues (the API's ``kind``, docs/contracts.md).
DOCUMENT_KINDS = ("agreement", "confirmation_ruling", "visit_sheet", "session_record", "inquiry_letter",
                  "warning_notice", "release_ruling")
