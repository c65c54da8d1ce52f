"""Leadership dashboard: where the campaign stands against its deadlines (who has not handed in
yet, by name, first) and how the units rank, refreshed every minute; a click on a unit's row, bar
or cell opens its scorecard (/phieu-diem)."""

import streamlit as st

from cchc import web
from cchc.core.text import fmt_date
from cchc.core.workflow import days_left_text
from cchc.services import progress, results
from cchc.services.council import council_formed
from cchc.web import charts, dashboard, survey_views

user = web.require_user()
db = web.storage()
year = web.selected_year(db)
st.title(f"Bảng điều khiển — năm {year}")
web.period_banner(db, user, year)
places = results.places(db, user, year)
province, district = dashboard.place_filters(places)
many = dashboard.units_shown(places, province, district) > dashboard.UNIT_LEVEL   # then grouped, added up in SQL


@st.fragment(run_every="60s")
def live() -> None:
    s = progress.campaign(db, user, year, province, district, with_units=not many)
    r = None if many else results.results(db, user, year, province, district)
    groups = results.by_place(db, user, year, province) if many else []
    final = sum(g["final"] for g in groups) if many else sum(1 for row in r.rows if row["is_final"])
    units = sum(g["units"] for g in groups) if many else len(r.rows)
    cols = st.columns(5)
    cols[0].metric("Đã nộp tự đánh giá", f"{s['submitted']}/{s['total']}", help="Đơn vị đã nộp báo cáo tự đánh giá")
    cols[1].metric("Nộp muộn", s["late"])
    cols[2].metric("Đã thẩm định xong", f"{final}/{s['total']}")
    cols[3].metric("Phiếu khảo sát", dashboard.thousands(s["survey_responses"]),
                   delta=f"chỉ tiêu {dashboard.thousands(s['survey_target'])}", delta_color="off", delta_arrow="off")
    nd = s["next_deadline"]
    cols[4].metric("Mốc tiếp theo", fmt_date(nd.date) if nd else "—",
                   delta=days_left_text(nd, s["today"]) if nd else None, delta_color="off", delta_arrow="off",
                   help=nd.label if nd else "Mọi mốc đã qua")
    if not many:
        dashboard.pending(db, user, s, year)
    st.subheader("Các mốc của kỳ đánh giá")
    st.vega_lite_chart(charts.timeline(s["period"], s["today"]), width="stretch", alt="Các mốc của kỳ đánh giá")
    dashboard.council_line(council_formed(db, year), s["period"], s["today"])
    st.caption((f"**Số liệu tạm tính** (chưa thẩm định xong {s['total'] - final} đơn vị): chỉ số tính trên điểm "
                "thẩm định nếu đã có, chưa có thì trên điểm tự chấm. " if final < units else "Số liệu chính thức. ")
               + f"Tự cập nhật mỗi phút. Hôm nay: {fmt_date(s['today'])}.")
    survey_views.pending_note(db, user, year)
    if not units:
        st.info("Kỳ này chưa có đơn vị hoặc chưa có bộ tiêu chí, nên chưa có số liệu.")
        return
    if many:
        dashboard.grouped(db, user, year, groups, province)
        return
    dashboard.units(db, user, r, s, province, district)


live()
