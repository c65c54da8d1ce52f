"""Tables with Vietnamese numbers: a decimal comma, a dot between thousands, "—" for no data.
`show` draws the data grid (the column stays numeric: it sorts as numbers, only the display is
formatted); `plain` draws a plain HTML table, with links, for lists nobody needs to sort: the grid's
code is the heaviest part of a page load in the browser (bench/pages.py)."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any, Callable, Iterable, Sequence

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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def plain_html(rows: Sequence[dict], links: Sequence[str | None] | None = None, places: int = 2,
               styles: dict[str, Callable[[Any], str]] | None = None, name: str = "",
               link_column: str | None = None) -> str:
    """The HTML of `rows` (dicts with the same keys, in order) as one table: numbers the Vietnamese
    way, right-aligned, «—» for no data; row i's cell of link_column (the first column unless
    named) a link to links[i] (opened in this tab) when given; styles: column → value → CSS of
    that cell."""
    if not rows:
        return ""
    heads = list(rows[0])
    linked = link_column or heads[0]
    numeric = {h for h in heads if any(_is_number(r.get(h)) for r in rows)}
    number = ' class="so"'
    body = []
    for i, r in enumerate(rows):
        cells = []
        for h in heads:
            v = r.get(h)
            text = escape(_vn(v, places) if v is None or _is_number(v) else str(v))
            if h == linked and links and links[i]:
                text = f'<a href="{escape(links[i], quote=True)}" target="_self">{text}</a>'
            css = styles[h](v) if styles and h in styles else ""
            attrs = (number if h in numeric else "") + (f' style="{escape(css, quote=True)}"' if css else "")
            cells.append(f"<td{attrs}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f'<th scope="col"{number if h in numeric else ""}>{escape(h)}</th>' for h in heads)
    return (f'<div class="cchc-bang{f" cchc-bang-{name}" if name else ""}"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def plain(rows: Sequence[dict], links: Sequence[str | None] | None = None, places: int = 2,
          styles: dict[str, Callable[[Any], str]] | None = None, name: str = "",
          link_column: str | None = None) -> None:
    """Draw plain_html(rows, …): one light element (its style is in static/app.css)."""
    if rows:
        st.html(plain_html(rows, links, places, styles, name, link_column))
