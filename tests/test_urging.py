"""Urging the communes that lag (đôn đốc): the rule of who lags, the notices and their audit rows
on a real database, the permissions, and the account e-mail rule."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.core import urging as rules
from cchc.core.permissions import PermissionDenied
from cchc.services import ServiceError, urging, users
from cchc.services import assessment as svc

from .test_assessment import (
    ADMIN,
    COUNCIL,
    LEADER,
    NEIGHBOUR,
    OFFICER,
    OTHER,
    OWN,
    YEAR,
    fill_all,
)

DEADLINE = dt.date(2022, 11, 10)


@pytest.mark.parametrize("state, reopened, today, expected", [
    ("draft", None, dt.date(2022, 11, 11), rules.LATE),
    ("not_started", None, dt.date(2022, 11, 7), rules.AT_RISK),          # 3 days left
    ("not_started", None, dt.date(2022, 11, 10), rules.AT_RISK),         # the deadline day itself
    ("draft", None, dt.date(2022, 11, 6), rules.PENDING),                # 4 days left
    ("draft", dt.date(2022, 11, 20), dt.date(2022, 11, 12), rules.PENDING),   # reopened: not late
    ("draft", dt.date(2022, 11, 13), dt.date(2022, 11, 12), rules.AT_RISK),
    ("draft", dt.date(2022, 11, 13), dt.date(2022, 11, 14), rules.LATE),      # past the reopening too
    ("submitted", None, dt.date(2022, 11, 20), None),
    ("appraisal_r1", None, dt.date(2022, 11, 20), None),
])
def test_who_lags(state, reopened, today, expected):
    assert rules.lag(state, DEADLINE, reopened, today) == expected
    assert rules.AT_RISK_DAYS == 3


def test_what_is_left_reads_in_vietnamese():
    assert rules.when_text(DEADLINE, dt.date(2022, 11, 12)) == "đã quá hạn 2 ngày"
    assert rules.when_text(DEADLINE, DEADLINE) == "hạn cuối là hôm nay"
    assert rules.when_text(DEADLINE, dt.date(2022, 11, 8)) == "còn 2 ngày"
    assert "10/11/2022" in rules.default_message("Xã Sơn Hồng", DEADLINE, dt.date(2022, 11, 8))


@pytest.mark.parametrize("raw, expected", [
    (" CanBo@SonHong.HaTinh.gov.vn ", "CanBo@sonhong.hatinh.gov.vn"), ("", None), (None, None),
    ("a.b+c@x.vn", "a.b+c@x.vn")])
def test_an_account_email_is_trimmed(raw, expected):
    assert rules.normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["khong-phai-email", "a@b", "cán@bộ.vn", "a b@x.vn", "a@x..vn", "@x.vn"])
def test_a_bad_email_is_refused_with_one_vietnamese_message(raw):
    with pytest.raises(ValueError, match="không hợp lệ"):
        rules.normalise_email(raw)


def test_accounts_keep_an_optional_email(storage):
    users.add_user(storage, ADMIN, "sonhong", "Cán bộ Sơn Hồng", "commune", "MatKhau#2022", unit_code=OWN,
                   email="canbo@sonhong.vn")
    assert storage.one("user_get", username="sonhong")["email"] == "canbo@sonhong.vn"
    with pytest.raises(ServiceError, match="không hợp lệ"):
        users.update_user(storage, ADMIN, "sonhong", "Cán bộ Sơn Hồng", "commune", OWN, email="sai@")
    users.update_user(storage, ADMIN, "sonhong", "Cán bộ Sơn Hồng", "commune", OWN)      # None: kept
    assert storage.one("user_get", username="sonhong")["email"] == "canbo@sonhong.vn"
    users.update_user(storage, ADMIN, "sonhong", "Cán bộ Sơn Hồng", "commune", OWN, email="moi@sonhong.vn")
    audit = storage.all("audit_recent", limit=1)[0]
    assert audit["action"] == "user.update" and "moi@sonhong.vn" in audit["new_value"]
    users.update_user(storage, ADMIN, "sonhong", "Cán bộ Sơn Hồng", "commune", OWN, email="")
    assert storage.one("user_get", username="sonhong")["email"] is None
    with pytest.raises(ServiceError, match="không hợp lệ"):
        users.add_user(storage, ADMIN, "sontien", "X", "commune", "MatKhau#2022", unit_code=OTHER, email="x y@z.vn")
    assert storage.one("user_get", username="sontien") is None


def test_late_and_at_risk_units_are_listed_and_urged_in_one_action(storage, on_day, monkeypatch):
    monkeypatch.delenv("CCHC_SMTP_HOST", raising=False)
    on_day("2022-11-08")                                  # 2 days before the deadline: every unit at risk
    fill_all(storage, unit=OTHER, actor=NEIGHBOUR)
    svc.submit(storage, NEIGHBOUR, YEAR, OTHER)           # Sơn Tiến has handed in
    rows = urging.laggards(storage, LEADER, YEAR)
    codes = [r["unit_code"] for r in rows]
    assert OWN in codes and OTHER not in codes
    own = next(r for r in rows if r["unit_code"] == OWN)
    assert own["lag"] == rules.AT_RISK and own["when"] == "còn 2 ngày" and own["last_urged_at"] is None
    sent = urging.send(storage, ADMIN, YEAR, message="  Đề nghị nộp trước ngày 10/11/2022.  ")
    assert {s.unit_code for s in sent} == set(codes)
    assert all(s.email_status == "no_address" for s in sent)
    notices = storage.all("urging_list", year=YEAR)
    assert len(notices) == len(codes) and notices[0]["message"] == "Đề nghị nộp trước ngày 10/11/2022."
    assert notices[0]["deadline"] == DEADLINE and notices[0]["sent_by"] == "quantri"
    audits = [a for a in storage.all("audit_recent", limit=100) if a["action"] == "urging.send"]
    assert len(audits) == len(codes) and {a["entity_key"] for a in audits} == {f"{YEAR}/{c}" for c in codes}
    again = {r["unit_code"]: r for r in urging.laggards(storage, ADMIN, YEAR)}
    assert again[OWN]["last_urged_at"] is not None and again[OWN]["times"] == 1


def test_the_commune_sees_its_latest_notice_until_it_hands_in(storage, on_day):
    fill_all(storage)
    on_day("2022-11-11")                                  # past the deadline: late
    assert urging.latest_for_unit(storage, OFFICER, YEAR, OWN) is None
    urging.send(storage, ADMIN, YEAR, [OWN])
    seen = urging.latest_for_unit(storage, OFFICER, YEAR, OWN)
    assert seen["late"] and seen["when"] == "đã quá hạn 1 ngày" and seen["deadline"] == DEADLINE
    assert "đã quá hạn 10/11/2022" in seen["message"] and seen["lag"] == rules.LATE
    with pytest.raises(PermissionDenied):
        urging.latest_for_unit(storage, NEIGHBOUR, YEAR, OWN)    # another commune's notice
    svc.reopen(storage, ADMIN, YEAR, OWN, dt.date(2022, 11, 15), "Mất điện")
    reopened = urging.latest_for_unit(storage, OFFICER, YEAR, OWN)
    assert reopened["deadline"] == dt.date(2022, 11, 15) and reopened["when"] == "còn 4 ngày"
    svc.submit(storage, OFFICER, YEAR, OWN)
    assert urging.latest_for_unit(storage, OFFICER, YEAR, OWN) is None


def test_a_unit_that_has_handed_in_is_refused_and_nothing_is_written(storage, on_day):
    on_day("2022-11-09")
    fill_all(storage)
    svc.submit(storage, OFFICER, YEAR, OWN)
    with pytest.raises(ServiceError, match="Không đôn đốc đơn vị đã nộp báo cáo tự đánh giá: Xã Sơn Hồng"):
        urging.send(storage, ADMIN, YEAR, [OTHER, OWN])
    assert storage.all("urging_list", year=YEAR) == []
    with pytest.raises(ServiceError, match="tối đa 1000 ký tự"):
        urging.send(storage, ADMIN, YEAR, [OTHER], message="x" * 1001)
    assert storage.all("urging_list", year=YEAR) == []


def test_nobody_to_urge_far_from_the_deadline_unless_chosen(storage, on_day):
    on_day("2022-11-01")
    with pytest.raises(ServiceError, match="Không có đơn vị nào quá hạn hoặc sắp hết hạn"):
        urging.send(storage, ADMIN, YEAR)
    assert len(urging.send(storage, ADMIN, YEAR, [OWN])) == 1           # chosen by hand: a reminder


@pytest.mark.parametrize("actor", [LEADER, COUNCIL, OFFICER])
def test_only_the_district_office_sends(storage, on_day, actor):
    with pytest.raises(PermissionDenied):
        urging.send(storage, actor, YEAR, [OWN])


def test_council_members_do_not_see_the_urging_list(storage, on_day):
    with pytest.raises(PermissionDenied):
        urging.laggards(storage, COUNCIL, YEAR)
    with pytest.raises(PermissionDenied):
        urging.laggards(storage, OFFICER, YEAR)
