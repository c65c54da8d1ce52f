"""Citizens' satisfaction survey for one commune: /khao-sat?dv=<commune code> (QR codes point
here). No login; one column for a phone; see cchc/web/survey_public.py."""

from cchc.web import survey_public

survey_public.citizen_page()
