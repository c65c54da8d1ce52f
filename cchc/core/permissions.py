"""Who may do what: one table, checked by every service call (pages only decide what to show)."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = {
    "admin": "Quản trị (Phòng Nội vụ)",
    "leader": "Lãnh đạo UBND huyện",
    "council": "Thành viên Hội đồng thẩm định",
    "commune": "Cán bộ UBND cấp xã",
}
STAFF = frozenset(ROLES)

#: action -> roles allowed. For actions in UNIT_SCOPED a commune officer is allowed only on
#: their own unit.
ACTIONS: dict[str, frozenset[str]] = {
    "user.view": frozenset({"admin"}),
    "user.manage": frozenset({"admin"}),
    "unit.view": STAFF,
    "unit.manage": frozenset({"admin"}),
    "criteria.view": STAFF,
    "period.manage": frozenset({"admin"}),
    "criteria.import": frozenset({"admin"}),
    "assessment.view": STAFF,
    "assessment.edit": frozenset({"commune", "admin"}),
    "assessment.submit": frozenset({"commune", "admin"}),
    "assessment.reopen": frozenset({"admin"}),
    "evidence.read": STAFF,
    "progress.view": frozenset({"admin", "leader", "council"}),
    "results.view": frozenset({"admin", "leader", "council"}),
    "scorecard.view": STAFF,
    "survey.view": STAFF,
    "survey.enter": frozenset({"admin", "commune"}),
    "survey.manage": frozenset({"admin"}),
    "audit.view": frozenset({"admin"}),
    "backup.create": frozenset({"admin"}),
    "backup.restore": frozenset({"admin"}),
    "council.view": frozenset({"admin", "leader", "council"}),
    "council.manage": frozenset({"admin"}),
    "appraisal.view": frozenset({"admin", "council"}),
    "appraisal.score": frozenset({"admin", "council"}),
    "appraisal.finalise": frozenset({"admin", "council"}),
    "explanation.view": frozenset({"admin", "commune"}),
    "explanation.answer": frozenset({"admin", "commune"}),
    "results.compile": frozenset({"admin"}),
    "results.approve": frozenset({"leader"}),
    "results.publish": frozenset({"admin", "leader"}),
    "results.own_detail": STAFF,
    # state documents (.docx, Nghị định 30/2020/NĐ-CP): cchc.services.documents
    "documents.self_assessment": frozenset({"commune", "admin"}),
    "documents.appraisal_notice": frozenset({"admin", "council"}),
    "documents.decision": frozenset({"admin", "leader"}),
    "documents.urging": frozenset({"admin"}),
    "urging.view": frozenset({"admin", "leader", "commune"}),
    "urging.send": frozenset({"admin"}),
}
UNIT_SCOPED = frozenset({"assessment.view", "assessment.edit", "assessment.submit", "evidence.read", "scorecard.view"})
UNIT_SCOPED = UNIT_SCOPED | {"survey.view", "survey.enter"}
UNIT_SCOPED = UNIT_SCOPED | {"explanation.view", "explanation.answer", "results.own_detail"}
UNIT_SCOPED = UNIT_SCOPED | {"documents.self_assessment"}
UNIT_SCOPED = UNIT_SCOPED | {"urging.view"}


@dataclass(frozen=True)
class User:
    username: str
    full_name: str
    role: str
    unit_code: str | None = None
    office_code: str | None = None
    must_change_password: bool = False

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


#: The command line acts as an administrator and is audited under this name.
CLI_USER = User(username="cli", full_name="Dòng lệnh (quản trị)", role="admin")


class PermissionDenied(Exception):
    """Refused by the permission table; the message is Vietnamese and says why."""


def can(user: User | None, action: str, unit_code: str | None = None) -> bool:
    if user is None or action not in ACTIONS or user.role not in ACTIONS[action]:
        return False
    if user.role == "commune" and action in UNIT_SCOPED:
        return unit_code is not None and unit_code == user.unit_code
    return True


def require(user: User | None, action: str, unit_code: str | None = None) -> None:
    if can(user, action, unit_code):
        return
    if user is None:
        raise PermissionDenied("Bạn cần đăng nhập để làm việc này.")
    if user.role == "commune" and action in UNIT_SCOPED and user.role in ACTIONS.get(action, ()):
        raise PermissionDenied("Tài khoản cấp xã chỉ được xem dữ liệu của đơn vị mình.")
    raise PermissionDenied(f"Vai trò «{user.role_label}» không được phép làm việc này.")
