"""The permission table for the actions of the appraisal work, through the real services on a
real database: every role against every action, allowed and refused; communes only on their own
unit. (The shared table in test_permissions.py gets the same entries.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cchc.core.permissions import ACTIONS, UNIT_SCOPED, PermissionDenied, User, can
from cchc.services import ServiceError, appraisal, approval, audit
from cchc.services import council as council_svc
from cchc.services import explanation as explanation_svc

ADMIN = User("quantri", "Quản trị", "admin")
LEADER = User("lanhdao", "Lãnh đạo", "leader")
COUNCIL = User("hoidong", "Hội đồng", "council", office_code="NV")
COMMUNE = User("sonhong", "Cán bộ Sơn Hồng", "commune", unit_code="18139")
ROLES = {"admin": ADMIN, "leader": LEADER, "council": COUNCIL, "commune": COMMUNE}
OWN, OTHER = "18139", "18142"
STAFF = set(ROLES)

EXPECTED = {
    "council.view": {"admin", "leader", "council"},
    "council.manage": {"admin"},
    "appraisal.view": {"admin", "council"},
    "appraisal.score": {"admin", "council"},
    "appraisal.finalise": {"admin", "council"},
    "explanation.view": {"admin", "commune"},
    "explanation.answer": {"admin", "commune"},
    "results.compile": {"admin"},
    "results.approve": {"leader"},
    "results.publish": {"admin", "leader"},
    "results.own_detail": STAFF,
    "audit.view": {"admin"},
}


def run_action(storage, user, action):
    """The service call behind each action."""
    calls = {
        "council.view": lambda: council_svc.council(storage, user, 2022),
        "council.manage": lambda: council_svc.save_decision(storage, user, 2022, "1/QĐ-UBND", dt.date(2022, 11, 7), "A"),
        "appraisal.view": lambda: appraisal.queue(storage, user, 2022),
        "appraisal.score": lambda: appraisal.save_round1(storage, user, 2022, OWN, "1.1.1", Decimal(1)),
        "appraisal.finalise": lambda: appraisal.finalise(storage, user, 2022, OWN),
        "explanation.view": lambda: explanation_svc.explanation(storage, user, 2022, OWN),
        "explanation.answer": lambda: explanation_svc.save_answer(storage, user, 2022, OWN, "1.1.1", "Trả lời"),
        "results.compile": lambda: approval.compile_results(storage, user, 2022),
        "results.approve": lambda: approval.approve(storage, user, 2022, "9/QĐ-UBND", dt.date(2022, 11, 24)),
        "results.publish": lambda: approval.publish(storage, user, 2022),
        "results.own_detail": lambda: approval.own_detail(storage, user, 2022, OWN),
        "audit.view": lambda: audit.entries(storage, user),
    }
    calls[action]()


def test_every_action_of_this_work_is_in_the_table():
    assert set(EXPECTED) <= set(ACTIONS)
    assert {a: set(ACTIONS[a]) for a in EXPECTED} == EXPECTED
    assert {"explanation.view", "explanation.answer", "results.own_detail"} <= UNIT_SCOPED


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_role_against_action(storage, monkeypatch, role, action):
    monkeypatch.setenv("CCHC_TODAY", "2022-11-12")
    user = ROLES[role]
    allowed = role in EXPECTED[action]
    assert can(user, action, OWN) is allowed
    if allowed:
        try:
            run_action(storage, user, action)
        except PermissionDenied:  # pragma: no cover - this is the failure being tested for
            pytest.fail(f"{role} was refused {action}")
        except ServiceError:
            pass      # allowed through the permission check; the state or the input is refused
    else:
        with pytest.raises(PermissionDenied) as info:
            run_action(storage, user, action)
        assert "không được phép" in str(info.value)


@pytest.mark.parametrize("action", ["explanation.view", "explanation.answer", "results.own_detail"])
def test_a_commune_acts_only_on_its_own_unit(storage, monkeypatch, action):
    monkeypatch.setenv("CCHC_TODAY", "2022-11-12")
    neighbour = User("sontien", "Cán bộ Sơn Tiến", "commune", unit_code=OTHER)
    assert not can(neighbour, action, OWN)
    with pytest.raises(PermissionDenied, match="đơn vị mình"):
        run_action(storage, neighbour, action)


def test_only_the_chair_among_council_members_finalises(storage, monkeypatch):
    monkeypatch.setenv("CCHC_TODAY", "2022-11-12")
    with pytest.raises(ServiceError, match="Chỉ Chủ tịch Hội đồng"):
        appraisal.finalise(storage, COUNCIL, 2022, OWN)
