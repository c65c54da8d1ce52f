"""The period's criteria set, field by field: maxima, scoring guidance, evidence, owners."""

import streamlit as st

from cchc import web
from cchc.core import criteria
from cchc.core.text import fmt_points
from cchc.services import reference

user = web.require_user()
db = web.storage()
year = web.current_year(db)
if user.role == "commune":                       # the set the officer's own unit is assessed against
    cs = reference.unit_criteria(db, year, user.unit_code)
else:
    sets = reference.period_sets(db, user, year)
    cs = sets[0]["set"] if sets else None
    if len(sets) > 1:
        labels = {i: ("Bộ chung" if r["kind"] == "all" else f"Bộ riêng cho {criteria.APPLIES_TO[r['kind']].lower()}")
                  + f" ({r['units']} đơn vị)" for i, r in enumerate(sets)}
        cs = sets[st.radio("Bộ tiêu chí", list(labels), format_func=labels.get, horizontal=True, key="bo_xem")]["set"]

st.title(f"Bộ tiêu chí năm {year}")
web.criteria_banner(cs)
if cs is None:
    st.stop()
offices = {o["code"]: o["name"] for o in reference.offices(db)}
totals = cs.points_by_source()
cols = st.columns(4)
cols[0].metric("Chấm theo tiêu chí", fmt_points(totals["self_assessed"]))
cols[1].metric("Khảo sát người dân", fmt_points(totals["citizen_survey"]))
cols[2].metric("Điều tra xã hội học", fmt_points(totals["official_survey"]))
cols[3].metric("Tổng", fmt_points(cs.total))

for f in cs.fields():
    with st.expander(f"{f.code}. {f.title} — {fmt_points(f.max_points)} điểm"):
        st.dataframe([{
            "Mã": n.code, "Nội dung": n.title, "Điểm tối đa": fmt_points(n.max_points),
            "Cách chấm": n.guidance, "Tài liệu kiểm chứng": n.evidence,
            "Bước điểm": fmt_points(n.step) if n.is_leaf else "",
            "Không áp dụng": ("Được" if n.na_allowed else "Không") if n.is_leaf else "",
            "Nguồn điểm": criteria.SOURCES[n.source] if n.is_leaf else "",
            "Cơ quan thẩm định": offices.get(n.office_code, n.office_code or ""),
        } for n in cs.nodes if n.code.startswith(f.code + ".")], hide_index=True, width="stretch")

st.download_button("Tải bộ tiêu chí (YAML)", lambda: criteria.to_yaml(cs).encode("utf-8"),
                   file_name=f"bo-tieu-chi-{year}.yaml", mime="application/x-yaml", icon=":material/download:")
