"""The state documents on the pages: one call shows, for one kind, a button that builds the .docx
when clicked (never at page load), then its download, and where LibreOffice is installed a button
that makes the PDF and its download. Refusals (not yet possible, not allowed) show in Vietnamese
under the button. Nothing is shown to a role that may not make the document. A fragment: its
clicks rerun only itself, not the page."""

from __future__ import annotations

import streamlit as st

from cchc.core.permissions import PermissionDenied, User, can
from cchc.core.text import fmt_datetime
from cchc.db.storage import Storage
from cchc.services import ServiceError, documents
from cchc.services.common import clock_now


@st.fragment
def document_button(db: Storage, user: User, kind: str, year: int, unit_code: str | None = None) -> None:
    """«Soạn …» for one document kind (cchc.services.documents.KINDS), then «Tải văn bản (.docx)»
    and, where LibreOffice is installed, «Tạo bản PDF» → «Tải bản PDF»."""
    k = documents.kind_of(kind)
    if not can(user, k.action, unit_code):
        return
    key = f"vb_{kind}_{year}_{unit_code or ''}"
    with st.container(key=key):
        if st.button(f"Soạn {k.short} (.docx)", key=f"{key}_soan", icon=":material/description:",
                     help="Văn bản Word theo thể thức Nghị định 30/2020/NĐ-CP, điền số liệu hiện tại; "
                          "văn thư ghi số, ngày và trình ký."):
            st.session_state.pop(f"{key}_pdf", None)
            try:
                name, data = documents.build(db, user, kind, year, unit_code)
            except (ServiceError, PermissionDenied) as exc:
                st.session_state.pop(key, None)
                st.error(str(exc), icon=":material/block:")
                return
            st.session_state[key] = (name, data, clock_now(db))
        made = st.session_state.get(key)
        if not made:
            return
        name, data, at = made
        c1, c2 = st.columns(2)
        c1.download_button("Tải văn bản (.docx)", data, file_name=name, mime=documents.DOCX_MIME, on_click="ignore",
                           key=f"{key}_docx", icon=":material/download:", width="stretch")
        c1.caption(f"Soạn lúc {fmt_datetime(at)}: {name}")
        if not documents.pdf_available():
            c2.caption("Máy chủ chưa cài LibreOffice: chưa có bản PDF (mở bản .docx rồi in từ Word).")
            return
        pdf = st.session_state.get(f"{key}_pdf")
        if pdf is None:
            if c2.button("Tạo bản PDF", key=f"{key}_tao_pdf", icon=":material/picture_as_pdf:", width="stretch"):
                try:
                    with st.spinner("Đang chuyển sang PDF…"):
                        st.session_state[f"{key}_pdf"] = documents.to_pdf(data)
                except ServiceError as exc:
                    c2.error(str(exc), icon=":material/block:")
                    return
                st.rerun(scope="fragment")
            return
        c2.download_button("Tải bản PDF", pdf, file_name=name.removesuffix(".docx") + ".pdf",
                           mime=documents.PDF_MIME, on_click="ignore", key=f"{key}_pdf_tai",
                           icon=":material/download:", width="stretch")
