"""Receipt numbers handed to a filer: short, unguessable, readable over the phone."""
from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

#: No 0/O, 1/I/L: a receipt number is read aloud at the window and over the hotline.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_receipt_no(now: datetime) -> str:
    """``TS20261127-7KQ4M9``: the court date plus six random characters (31⁶ ≈ 887 million
    per day, so a collision is practically impossible; the column is unique anyway)."""
    day = now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
    return f"TS{day}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))
