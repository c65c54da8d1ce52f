"""Numbers from outside (a YAML file, a workbook cell, a typed field), checked before any
arithmetic: one rule for the criteria set, the self-assessment and the appraisal.

A number is accepted only when it is plain: an integer or a decimal with at most two decimals,
of a sane size. Text such as «1e-999999999» is refused although float() reads it (as 0.0, after
underflow: it would silently turn into a zero score); so are inf, NaN and «1e308», whose
arithmetic raises (Decimal) or overflows (float) far from where the number was read."""

from __future__ import annotations

import math
import re
from decimal import Decimal

#: No number the app reads is this large: a criteria set has at most 1,000 points.
LIMIT = Decimal(1_000_000)
PLACES = 2
PLAIN = re.compile(r"[+-]?[0-9]{1,7}(?:\.[0-9]+)?")
COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")


class NumberError(ValueError):
    """Not a number the app accepts; str() is the Vietnamese reason («không phải là số», …)."""


class DecimalComma(NumberError):
    """«1,5» where the reader wants a dot."""

    def __init__(self, text: str):
        super().__init__("dùng dấu phẩy thập phân")
        self.text = text


def decimal(raw: object, decimal_comma: bool = True, places: int = PLACES) -> Decimal | None:
    """The value as a Decimal; None when empty (None or blank text). `raw` may be an int, a
    float, a Decimal or text («1.5», and «1,5» when `decimal_comma`). NumberError otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise NumberError("không phải là số")
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise NumberError("không phải là số hữu hạn")
        value = Decimal(repr(raw))
    elif isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, str):
        value = _from_text(raw.strip(), decimal_comma)
    else:
        raise NumberError("không phải là số")
    return _bounded(value, places)


def _from_text(text: str, decimal_comma: bool) -> Decimal:
    if COMMA.fullmatch(text):
        if not decimal_comma:
            raise DecimalComma(text)
        text = text.replace(",", ".")
    if not PLAIN.fullmatch(text):       # 1e5, 0x10, inf, nan, 1_000: not what a person types
        raise NumberError("không phải là số")
    return Decimal(text)


def _bounded(value: Decimal, places: int) -> Decimal:
    """Checked in this order because comparing NaN or rounding 1e308 raises."""
    if not value.is_finite():
        raise NumberError("không phải là số hữu hạn")
    if abs(value) > LIMIT:
        raise NumberError("quá lớn")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise NumberError(f"có quá {places} chữ số thập phân")
    return value
