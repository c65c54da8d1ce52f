"""Officials' sociological survey, opened with a one-time code: /dieu-tra?ma=<code>. No login;
the code works once. See cchc/web/survey_public.py."""

from cchc.web import survey_public

survey_public.official_page()
