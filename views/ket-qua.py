"""Published results: the ranking, indices, field sub-indices, self-assessed next to appraised
points, as approved and published. No login; a commune officer also sees their own detail."""

import streamlit as st

from cchc import web
from cchc.core.text import fmt_date, fmt_points
from cchc.services import approval, reference
from cchc.services.common import today
from cchc.web import appraisal_results as ui
from cchc.web import scorecard

db = web.storage()
st.title("Kết quả Chỉ số cải cách hành chính cấp xã")
years = approval.published_years(db)
if not years:
    year = reference.latest_year(db)
    if year is None:
        st.info("Chưa có kỳ đánh giá nào.")
        st.stop()
    period = reference.period(db, year)
    st.markdown(f"**{period['name']}**")
    st.info(f"Kết quả năm {year} chưa được công bố. Theo kế hoạch, kết quả được phê duyệt và công bố trước "
            f"ngày {fmt_date(period['publication_deadline'])}.", icon=":material/hourglass_top:")
    st.stop()
year = st.selectbox("Năm", years, format_func=lambda y: f"Năm {y}", key="kq_nam") if len(years) > 1 else years[0]
pub = approval.published(db, year)
scorecard.print_header(f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP XÃ NĂM {year}",
                       f"(Phê duyệt tại Quyết định số {pub.decision_number} ngày {fmt_date(pub.decision_date)})", today(db))
st.markdown(f"**{reference.period(db, year)['name']}**  \nPhê duyệt tại Quyết định số {pub.decision_number} "
            f"ngày {fmt_date(pub.decision_date)}.")
ui.ranking_table(pub.rows, pub.fields, pub.by_field)
scorecard.print_ranking(pub.rows, pub.fields, pub.by_field)        # the same table, for print only
st.caption("Các cột «(%)» theo lĩnh vực là chỉ số thành phần: điểm của lĩnh vực / điểm tối đa áp dụng × 100.")
names = {r["unit_code"]: r for r in pub.rows}
code = st.selectbox("Tra cứu một xã, thị trấn", list(names), format_func=lambda c: names[c]["unit_name"], index=None,
                    placeholder="Chọn đơn vị", key="kq_don_vi")
if code:
    r = names[code]
    st.markdown(f"**{r['unit_name']}** — hạng {r['rank']}/{len(pub.rows)}, chỉ số {fmt_points(r['index'])}%, "
                f"xếp loại {r['class'] or '—'}.")
user = web.current_user()
if user is not None and user.role == "commune":
    ui.own_detail(db, user, year)
