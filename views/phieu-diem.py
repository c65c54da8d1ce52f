"""A unit's scorecard: index, rank and class; each field against the district average; where it
lost most points and where it scored full marks; another year beside it. A commune officer sees
their own unit only."""

import streamlit as st

from cchc import web
from cchc.core.permissions import PermissionDenied
from cchc.services import ServiceError, reference, results
from cchc.services.common import today
from cchc.web import scorecard, survey_views

user = web.require_user()
db = web.storage()
year = web.selected_year(db)
st.title("Phiếu điểm Chỉ số CCHC")
if user.role == "commune":
    code = user.unit_code
else:
    units = {u["code"]: u["name"] for u in reference.units(db, user, year)}
    if not units:
        st.info(f"Kỳ {year} chưa có đơn vị nào.")
        st.stop()
    wanted = str(st.query_params.get("dv", ""))
    code = st.selectbox("Đơn vị", list(units), index=list(units).index(wanted) if wanted in units else 0,
                        format_func=units.get, key=f"pd_dv_{wanted}")
    st.query_params["dv"] = code
try:
    card = results.scorecard(db, user, year, code)
except (ServiceError, PermissionDenied) as exc:
    st.warning(str(exc))
    st.stop()
scorecard.print_header(f"PHIẾU ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}", card.row["unit_name"], today(db))
scorecard.show(card)
survey_views.pending_note(db, user, year, code)
others = [p["year"] for p in reference.periods(db) if p["year"] != year]
if others:
    st.subheader("So sánh hai kỳ")
    other = st.selectbox("So với kỳ", others, format_func=lambda y: f"Năm {y}", key="pd_so_sanh")
    try:
        scorecard.compare(card, results.scorecard(db, user, other, code))
    except (ServiceError, PermissionDenied) as exc:
        st.info(str(exc))
