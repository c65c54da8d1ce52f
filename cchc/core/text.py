"""Text and number conventions shared by every layer: NFC in, Vietnamese formats out."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any


def nfc(value: Any) -> Any:
    """Normalise text to Unicode NFC; other values pass through, containers recursively."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(nfc(v) for v in value)
    return value


def fmt_date(value: dt.date | None) -> str:
    """dd/mm/yyyy, as dates are written in Vietnamese documents."""
    return value.strftime("%d/%m/%Y") if value else "—"


def fmt_datetime(value: dt.datetime | None) -> str:
    return value.strftime("%H:%M %d/%m/%Y") if value else "—"


def fmt_points(value: Decimal | float | int | None) -> str:
    """A score with a decimal comma and no trailing zeros: 1,5 · 0,25 · 70."""
    if value is None:
        return "—"
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",")


def ascii_slug(text: str) -> str:
    """'Xã Sơn Kim 1' -> 'sonkim1' (after the unit kind), for readable demo usernames."""
    text = text.replace("Đ", "D").replace("đ", "d")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    for prefix in ("Thi tran ", "Xa ", "Phuong "):
        if plain.startswith(prefix):
            plain = plain[len(prefix):]
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def fold(text: str) -> str:
    """'Xã Sơn Tây' -> 'xasontay': lower case, without tone or vowel marks, «đ» as «d», letters
    and digits only. For search as phone users type: «son tay», «SONTAY», «Sơn Tây» all fold alike."""
    plain = unicodedata.normalize("NFKD", text.translate(str.maketrans("ĐđÐð", "dddd"))).lower()
    return "".join(ch for ch in plain if ch.isascii() and ch.isalnum())
