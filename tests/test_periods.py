"""Periods: deadlines in order, next year from this year, changes after a deadline passed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cchc.core import assessment as rules
from cchc.core.permissions import CLI_USER, PermissionDenied, User
from cchc.core.workflow import deadline_problems, shift_years
from cchc.services import ServiceError, periods
from cchc.services import assessment as svc
from cchc.services.reference import period, period_criteria

OFFICER = User("sonhong", "Cán bộ", "commune", unit_code="18139")


def test_deadlines_must_be_in_order():
    p = {"council_deadline": dt.date(2022, 11, 8), "self_assessment_deadline": dt.date(2022, 11, 10),
         "appraisal_deadline": dt.date(2022, 11, 9), "publication_deadline": dt.date(2022, 11, 25),
         "survey_opens": dt.date(2022, 11, 20), "survey_closes": dt.date(2022, 10, 1), "survey_quota": -1}
    problems = deadline_problems(p)
    assert problems[0].startswith("Mốc «Thẩm định, xác định chỉ số, trình phê duyệt» (09/11/2022) đứng trước mốc «Cấp xã nộp")
    assert any("Khảo sát mở ngày 20/11/2022 sau ngày đóng 01/10/2022" in x for x in problems)
    assert any("không được âm" in x for x in problems)


def test_shift_years_keeps_the_day():
    assert shift_years(dt.date(2022, 11, 10), 1) == dt.date(2023, 11, 10)
    assert shift_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)


def test_next_year_is_created_from_this_year(storage):
    periods.create_from(storage, CLI_USER, 2023, 2022)
    p = period(storage, 2023)
    assert p["self_assessment_deadline"] == dt.date(2023, 11, 10) and p["publication_deadline"] == dt.date(2023, 11, 25)
    assert "2023" in p["name"] and p["survey_quota"] == 100
    assert period_criteria(storage, CLI_USER, 2023) == period_criteria(storage, CLI_USER, 2022)
    assert storage.all("audit_recent", limit=1)[0]["action"] == "period.create"
    with pytest.raises(ServiceError, match="Đã có kỳ đánh giá năm 2023"):
        periods.create_from(storage, CLI_USER, 2023, 2022)


def test_out_of_order_changes_are_refused_whole(storage):
    with pytest.raises(ServiceError, match="đứng trước"):
        periods.update(storage, CLI_USER, 2022, {"appraisal_deadline": dt.date(2022, 11, 1)})
    assert period(storage, 2022)["appraisal_deadline"] == dt.date(2022, 11, 25)


def test_moving_a_passed_deadline_needs_a_reason_and_locks_follow_at_once(storage, on_day):
    on_day("2022-11-12")
    with pytest.raises(ServiceError, match="quá hạn"):
        svc.save_score(storage, OFFICER, 2022, "18139", "1.1.1", rules.LeafScore(Decimal(1)))
    with pytest.raises(ServiceError, match="cần ghi lý do"):
        periods.update(storage, CLI_USER, 2022, {"self_assessment_deadline": dt.date(2022, 11, 15)})
    periods.update(storage, CLI_USER, 2022, {"self_assessment_deadline": dt.date(2022, 11, 15)}, "Bão số 4")
    audit = storage.all("audit_recent", limit=1)[0]
    assert audit["action"] == "period.update" and audit["reason"] == "Bão số 4"
    svc.save_score(storage, OFFICER, 2022, "18139", "1.1.1", rules.LeafScore(Decimal(1)))   # open again


def test_only_admin_manages_periods(storage):
    with pytest.raises(PermissionDenied):
        periods.create_from(storage, User("lanhdao", "L", "leader"), 2023, 2022)
    with pytest.raises(PermissionDenied):
        periods.update(storage, OFFICER, 2022, {"name": "x"})


def test_class_bands_must_rise_and_are_copied_to_next_year(storage):
    with pytest.raises(ServiceError, match="Ngưỡng xếp loại phải tăng dần"):
        periods.update(storage, CLI_USER, 2022, {"band_good": 70, "band_fair": 75})
    periods.update(storage, CLI_USER, 2022, {"band_good": 90, "band_fair": 75, "band_average": 50})
    periods.create_from(storage, CLI_USER, 2023, 2022)
    assert [storage.one("period_get", year=2023)[k] for k in ("band_good", "band_fair", "band_average")] == [90, 75, 50]
