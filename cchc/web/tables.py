"""Tables with Vietnamese numbers: a decimal comma, a dot between thousands, "—" for no data,
while the column stays numeric (it sorts as numbers; only the display is formatted)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

import pandas as pd
import streamlit as st


def _vn(value: Any, places: int) -> str:
    if value is None or (isinstance(value, float) and value != value):      # None or NaN
        return "—"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        text = f"{float(value):,.{places}f}" if places else f"{round(float(value)):,}"
        if places:
            text = text.rstrip("0").rstrip(".") if "." in text else text
        return text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return str(value)


def frame(rows: Iterable[dict] | pd.DataFrame, places: int = 2) -> Any:
    """A Styler of `rows` whose numbers read «74,6», «1.234», «—»; pass it to st.dataframe."""
    data = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    numeric = []
    for c in data.columns:
        column = data[c]
        if pd.api.types.is_bool_dtype(column):
            continue
        if column.dtype == object:       # Decimal or numbers with None: numeric if every value is
            values = column.dropna()
            if values.empty or not values.map(lambda v: isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)).all():
                continue
            data[c] = pd.to_numeric(column.map(lambda v: None if v is None else float(v)), errors="coerce")
        elif not pd.api.types.is_numeric_dtype(column):
            continue
        numeric.append(c)
    return data.style.format({c: (lambda v, p=places: _vn(v, p)) for c in numeric}, na_rep="—")


def show(rows: Iterable[dict] | pd.DataFrame, places: int = 2, **kwargs) -> Any:
    """st.dataframe of `rows` with Vietnamese numbers, no index, the page's width."""
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("placeholder", "—")       # how the grid draws an empty cell (not the Styler's)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(frame(rows, places), **kwargs)
