"""CCHC: the commune PAR Index (Chỉ số cải cách hành chính) of a district, year by year."""

__version__ = "0.1.0"
