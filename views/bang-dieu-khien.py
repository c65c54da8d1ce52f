"""Leadership dashboard: where the campaign stands against its deadlines. Rankings, heatmaps and
scorecards come with the index work; the figures here are live."""

import altair as alt
import streamlit as st

from cchc import web
from cchc.services import progress, reference
from cchc.text import fmt_date, fmt_datetime, fmt_points
from cchc.workflow import STATES, days_left_text

user = web.require_user()
db = web.storage()
year = web.current_year(db)
st.title(f"Bảng điều khiển — năm {year}")
web.criteria_banner(reference.period_criteria(db, user, year))
STATE_COLOURS = {"Chưa bắt đầu": "#9e9e9e", "Đang tự đánh giá": "#f9a825", "Đã nộp": "#2e7d32"}


@st.fragment(run_every="60s")
def live() -> None:
    s = progress.campaign(db, user, year)
    cols = st.columns(4)
    cols[0].metric("Đã nộp tự đánh giá", f"{s['submitted']}/{s['total']}",
                   help="Số đơn vị đã nộp báo cáo tự đánh giá trên tổng số đơn vị")
    cols[1].metric("Nộp muộn", s["late"])
    cols[2].metric("Phiếu khảo sát", f"{s['survey_responses']:,}".replace(",", "."),
                   help=f"Chỉ tiêu: {s['survey_target']:,} phiếu".replace(",", "."))
    nd = s["next_deadline"]
    cols[3].metric("Mốc tiếp theo", fmt_date(nd.date) if nd else "—",
                   delta=days_left_text(nd, s["today"]) if nd else None, delta_color="off", delta_arrow="off",
                   help=nd.label if nd else "Mọi mốc đã qua")
    st.caption(f"Số liệu tạm thời, cập nhật mỗi phút. Hôm nay: {fmt_date(s['today'])}.")
    rows = [{"Mã": r["unit_code"], "Đơn vị": r["unit_name"], "Trạng thái": STATES[r["state"]],
             "Tiêu chí đã chấm": f"{r['leaves_done']}/{r['leaves_total']}",
             "Điểm tự chấm (tạm tính)": fmt_points(r["self_points"]),
             "Nộp lúc": fmt_datetime(r["submitted_at"]), "Phiếu khảo sát": r["survey_responses"]}
            for r in s["units"]]
    counts = [{"Trạng thái": k, "Số đơn vị": sum(1 for r in rows if r["Trạng thái"] == k)} for k in STATE_COLOURS]
    chart = alt.Chart(alt.Data(values=counts)).mark_bar().encode(
        x=alt.X("Số đơn vị:Q", title="Số đơn vị", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("Trạng thái:N", sort=list(STATE_COLOURS), title=None),
        color=alt.Color("Trạng thái:N", scale=alt.Scale(domain=list(STATE_COLOURS), range=list(STATE_COLOURS.values())), legend=None),
    ).properties(height=140)
    st.altair_chart(chart, width="stretch")
    st.dataframe(rows, hide_index=True, width="stretch")


live()
st.info("Sẽ bổ sung: chỉ số và xếp hạng, bản đồ nhiệt theo lĩnh vực, so sánh điểm tự chấm với điểm thẩm định, "
        "mức độ hài lòng theo yếu tố, phiếu điểm từng xã và báo cáo Excel.", icon=":material/construction:")
