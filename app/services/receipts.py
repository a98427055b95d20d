"""Receipt numbers handed to a filer: short, unguessable, readable over the phone."""
from __future__ import annotations

import secrets
from datetime import datetime

from mediation.lifecycle import court_date

#: No 0/O, 1/I/L: a receipt number is read aloud at the window and over the hotline.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_receipt_no(now: datetime) -> str:
    """``TS20261127-7KQ4M9``: the court date plus six random characters (31⁶ ≈ 887 million
    per day, so a collision is practically impossible; the column is unique anyway)."""
    day = court_date(now).strftime("%Y%m%d")
    return f"TS{day}-" + "".join(secrets.choice(ALPHABET) for _ in range(6))
