"""CCHC: start with `streamlit run app.py`. Login, then the pages of the user's role."""

from cchc import web

web.main()
