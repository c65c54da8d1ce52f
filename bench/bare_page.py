"""The floor of bench/pages.py: the plainest Streamlit page, served by the same Streamlit in the
same run. A title, a paragraph, a field and a button, as one page of a two-page app opened at its
own address (/trang-trong), as the app's pages are: what any page costs before our own work."""

import streamlit as st


def bare() -> None:
    st.title("Trang trống")
    st.write("Một đoạn văn bản để so sánh thời gian tải trang.")
    st.text_input("Ô nhập")
    st.button("Nút bấm")


def other() -> None:
    st.title("Trang khác")


st.set_page_config(page_title="Trang trống", layout="wide")
st.navigation([st.Page(other, title="Trang khác", url_path="trang-khac", default=True),
               st.Page(bare, title="Trang trống", url_path="trang-trong")], position="hidden").run()
