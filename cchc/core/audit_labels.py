"""What the audit log's codes mean, in Vietnamese, for the screen: each action, each kind of
thing changed, each detail kept with a change, and how a detail's value reads (Có/Không,
dd/mm/yyyy, a decimal comma, the names of states and roles). Pure. The log itself and its
export keep the codes; `tests/test_audit_labels.py` fails when the code writes an action, a kind
of thing or a detail that has no label here."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from cchc.core.appraisal import MEMBER_ROLES
from cchc.core.criteria import APPLIES_TO
from cchc.core.permissions import ROLES
from cchc.core.text import fmt_date
from cchc.core.urging import LAGS
from cchc.core.workflow import DEADLINES, STATES

ACTIONS = {
    "init": "Khởi tạo cơ sở dữ liệu",
    "demo.seed": "Tạo dữ liệu minh họa",
    "login": "Đăng nhập",
    "login.failed": "Đăng nhập sai mật khẩu",
    "logout": "Đăng xuất",
    "user.create": "Tạo tài khoản",
    "user.update": "Sửa tài khoản",
    "user.password": "Đặt hoặc đổi mật khẩu",
    "user.disable": "Khóa tài khoản",
    "user.enable": "Mở khóa tài khoản",
    "unit.add": "Thêm đơn vị",
    "unit.rename": "Đổi tên, đổi loại đơn vị",
    "unit.validity": "Đổi năm hiệu lực của đơn vị",
    "unit.merge": "Sáp nhập đơn vị",
    "unit.load_district": "Nạp đơn vị của một huyện",
    "period.create": "Tạo kỳ đánh giá",
    "period.update": "Sửa kỳ đánh giá",
    "criteria.add": "Lưu phiên bản bộ tiêu chí",
    "criteria.import": "Nạp bộ tiêu chí, gắn vào kỳ",
    "criteria.move": "Chuyển kỳ sang phiên bản bộ tiêu chí khác",
    "assessment.start": "Bắt đầu tự đánh giá",
    "score.save": "Lưu điểm tự đánh giá",
    "report.save": "Lưu khó khăn, kiến nghị",
    "evidence.add_file": "Thêm tệp minh chứng",
    "evidence.add_doc": "Thêm văn bản kiểm chứng",
    "evidence.docs": "Thay văn bản kiểm chứng (nhập Excel)",
    "evidence.remove_file": "Gỡ tệp minh chứng",
    "evidence.remove_doc": "Gỡ văn bản kiểm chứng",
    "assessment.submit": "Nộp báo cáo tự đánh giá",
    "assessment.withdraw": "Rút lại báo cáo tự đánh giá",
    "assessment.reopen": "Mở lại biểu mẫu sau hạn",
    "council.decision": "Quyết định thành lập Hội đồng",
    "council.member_add": "Thêm thành viên Hội đồng",
    "council.member_remove": "Bỏ thành viên Hội đồng",
    "council.assign": "Phân công lĩnh vực thẩm định",
    "appraisal.round1": "Thẩm định vòng 1",
    "appraisal.round2": "Thẩm định vòng 2",
    "appraisal.not_applicable": "Hội đồng đổi «không áp dụng»",
    "appraisal.state": "Chuyển bước thẩm định",
    "explanation.answer": "Trả lời giải trình",
    "explanation.add_doc": "Bổ sung văn bản khi giải trình",
    "explanation.add_file": "Bổ sung tệp khi giải trình",
    "results.compile": "Tổng hợp, trình kết quả",
    "results.approve": "Phê duyệt kết quả",
    "results.publish": "Công bố kết quả",
    "document.generate": "Soạn văn bản (.docx)",
    "survey.paper": "Nhập một phiếu khảo sát giấy",
    "survey.import": "Nhập tệp phiếu khảo sát giấy",
    "survey.exclude": "Loại phiếu khảo sát khỏi kết quả",
    "survey.include": "Tính phiếu khảo sát",
    "survey.review": "Xem xét phiếu bất thường",
    "survey.quota": "Đặt chỉ tiêu phiếu",
    "survey.base_url": "Lưu địa chỉ công khai",
    "survey.codes": "Tạo hoặc nạp mã phiếu",
    "survey.kiosk": "Máy khảo sát tại một cửa",
    "survey.code_setting": "Bật, tắt yêu cầu mã hồ sơ",
    "backup.create": "Tạo bản sao lưu",
    "backup.restore": "Khôi phục bản sao lưu",
    "urging.send": "Gửi thông báo đôn đốc",
}

#: The first part of an action code: the filter offers a whole group (e.g. every appraisal action).
GROUPS = {
    "init": "Khởi tạo", "demo": "Dữ liệu minh họa", "login": "Đăng nhập", "logout": "Đăng xuất",
    "user": "Tài khoản", "unit": "Đơn vị", "period": "Kỳ đánh giá", "criteria": "Bộ tiêu chí",
    "assessment": "Tự đánh giá", "score": "Điểm tự đánh giá", "report": "Khó khăn, kiến nghị",
    "evidence": "Minh chứng", "council": "Hội đồng thẩm định", "appraisal": "Thẩm định",
    "explanation": "Giải trình", "results": "Kết quả", "document": "Văn bản", "survey": "Khảo sát", "backup": "Sao lưu",
    "urging": "Đôn đốc",
}

#: The kind of thing an audit row is about (its `entity`).
ENTITIES = {
    "app_user": "Tài khoản",
    "app_setting": "Cài đặt",
    "appraisal": "Điểm thẩm định",
    "assessment": "Báo cáo tự đánh giá",
    "council": "Hội đồng thẩm định",
    "criteria_set": "Bộ tiêu chí",
    "database": "Cơ sở dữ liệu",
    "district": "Huyện",
    "document": "Văn bản",
    "field": "Lĩnh vực",
    "period": "Kỳ đánh giá",
    "score": "Điểm tiêu chí",
    "survey_kiosk": "Máy tại một cửa",
    "survey_quota": "Chỉ tiêu phiếu",
    "survey_response": "Phiếu khảo sát",
    "unit": "Đơn vị",
    "urging_notice": "Thông báo đôn đốc",
}

#: The details kept with a change (the keys of the old and new values).
FIELDS = {
    # scores, appraisal, workflow
    "points": "Điểm", "not_applicable": "Không áp dụng", "note": "Ghi chú", "explanation": "Giải trình",
    "r1_points": "Điểm vòng 1", "r1_reason": "Lý do vòng 1", "flagged": "Cần giải trình",
    "question": "Nội dung cần giải trình", "answer": "Trả lời giải trình", "r2_points": "Điểm vòng 2",
    "r2_reason": "Lý do vòng 2", "r2_not_applicable": "Không áp dụng (vòng 2)",
    "state": "Trạng thái", "late": "Nộp muộn", "submitted_at": "Nộp lúc", "reopened_until": "Mở lại đến hết ngày",
    "difficulties": "Khó khăn, vướng mắc", "recommendations": "Kiến nghị, đề xuất",
    # evidence
    "file": "Tệp", "file_name": "Tệp", "sha256": "Mã băm SHA-256", "bytes": "Dung lượng (byte)",
    "number": "Số văn bản", "doc_number": "Số văn bản", "issued_on": "Ngày ban hành", "summary": "Trích yếu",
    # criteria sets
    "code": "Mã", "version": "Phiên bản", "applies_to": "Áp dụng cho", "leaves": "Số tiêu chí", "kind": "Loại",
    "sets": "Bộ tiêu chí (số)", "set_id": "Bộ tiêu chí (số)", "submitted": "Đã nộp",
    "scores_carried": "Điểm được giữ", "scores_set_aside": "Điểm cất vào kho lưu", "reopened": "Đơn vị được mở lại",
    "leaves_added": "Tiêu chí mới", "leaves_dropped": "Tiêu chí bị bỏ",
    # accounts, logins
    "client": "Địa chỉ máy", "username": "Tên đăng nhập", "full_name": "Họ tên", "role": "Vai trò",
    "unit_code": "Đơn vị", "office_code": "Cơ quan", "must_change_password": "Phải đổi mật khẩu",
    "is_demo": "Tài khoản minh họa", "created_at": "Tạo lúc", "created_by": "Người tạo", "active": "Đang hoạt động",
    # units
    "name": "Tên", "valid_from": "Hiệu lực từ năm", "valid_to": "Đến năm", "district_code": "Mã huyện",
    "district_name": "Huyện", "province_code": "Mã tỉnh", "province_name": "Tỉnh", "names": "Các tên",
    "from_year": "Từ năm", "successor_code": "Sáp nhập vào", "merged": "Đơn vị được sáp nhập", "into": "Vào đơn vị",
    "added": "Đã thêm", "already": "Đã có từ trước",
    # periods
    "year": "Năm", "plan_reference": "Kế hoạch", "survey_opens": "Khảo sát mở", "survey_closes": "Khảo sát đóng",
    "survey_quota": "Chỉ tiêu phiếu mỗi xã", "criteria_set_id": "Bộ tiêu chí (số)", "band_good": "Tốt từ",
    "band_fair": "Khá từ", "band_average": "Trung bình từ", "from": "Tạo từ kỳ", "kind_sets": "Bộ tiêu chí riêng theo loại",
    **dict(DEADLINES),
    # council, results
    "decision_number": "Số quyết định", "decision_date": "Ngày quyết định", "signer": "Người ký",
    "title": "Chức vụ", "member_role": "Vai trò trong Hội đồng", "compiled_at": "Tổng hợp lúc",
    # surveys
    "unit": "Đơn vị", "units": "Đơn vị", "ratings": "Số câu trả lời", "filled_on": "Ngày trên phiếu",
    "forms": "Số phiếu", "again": "Nhập lại tệp đã nhập", "excluded": "Bị loại", "reason": "Lý do",
    "review": "Xem xét", "flags": "Dấu hiệu", "flag": "Dấu hiệu", "decision": "Quyết định", "count": "Số phiếu",
    "filter": "Bộ lọc", "since": "Từ", "until": "Đến", "label": "Tên máy", "activated": "Đã mở đường dẫn",
    "revoked": "Đã thu hồi", "needs_code": "Cần mã hồ sơ", "source": "Nguồn", "per_unit": "Số mã mỗi xã",
    "group": "Nhóm người trả lời", "codes": "Số mã", "target": "Chỉ tiêu", "dossiers": "Số hồ sơ",
    "margin": "Sai số",
    # the database: first start, demo, backups
    "offices": "Số cơ quan", "periods": "Kỳ đánh giá", "draft": "Đang tự đánh giá", "today": "Ngày của bản minh họa",
    "app": "Ứng dụng", "format": "Định dạng", "app_version": "Phiên bản ứng dụng",
    "schema": "Phiên bản cơ sở dữ liệu", "files": "Số tệp",
    # urging, account e-mail
    "email": "E-mail", "email_to": "Gửi e-mail tới", "deadline": "Hạn nộp", "message": "Nội dung", "lag": "Tình trạng",
}

#: Values that are codes themselves, by the detail that holds them.
REVIEW_STATES = {"pending": "Chờ xem xét", "accepted": "Đã chấp nhận", "excluded": "Đã loại"}
FLAG_NAMES = {"honeypot": "Ô ẩn chống máy tự động", "rate": "Nhiều phiếu từ một địa chỉ mạng",
              "duplicate": "Trùng lặp"}
VALUES: dict[str, dict[str, str]] = {
    "state": {**STATES, **REVIEW_STATES},
    "review": REVIEW_STATES,
    "role": ROLES,
    "member_role": MEMBER_ROLES,
    "kind": APPLIES_TO,
    "applies_to": APPLIES_TO,
    "flag": FLAG_NAMES,
    "decision": {"accept": "Chấp nhận (tính)", "exclude": "Loại"},
    "source": {"printed": "In mã phiếu", "dossier": "Danh sách hồ sơ một cửa"},
    "lag": LAGS,
}

#: Details whose text is a number (the services keep some as text, «0.5»): shown with a decimal comma.
NUMERIC = {"points", "r1_points", "r2_points", "band_good", "band_fair", "band_average", "margin"}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")
_DECIMAL = re.compile(r"-?\d+\.\d+")


def action_label(code: str) -> str:
    """«Thẩm định vòng 1» for "appraisal.round1"; an unknown code as it is."""
    return ACTIONS.get(code) or code


def group_label(prefix: str) -> str:
    """The filter's name for every action of a group: «Thẩm định (mọi hành động)»."""
    return f"{GROUPS.get(prefix, prefix)} (mọi hành động)"


def entity_label(code: str) -> str:
    return ENTITIES.get(code) or code


def field_label(key: str) -> str:
    return FIELDS.get(key) or key


def value_text(key: str | None, value: Any) -> str:
    """One detail's value as people read it: Có/Không, «—» for nothing, dates dd/mm/yyyy, a
    decimal comma, the names of states, roles, flags; lists and nested details spelled out."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float):
        return f"{value:.6g}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "(" + details_text(value, ", ") + ")" if value else "—"
    if isinstance(value, (list, tuple)):
        if not value:
            return "—"
        if all(isinstance(v, (list, tuple)) for v in value):        # rows, as (number, date, summary)
            return "; ".join(" · ".join(value_text(None, x) for x in v) for v in value)
        return ", ".join(value_text(key, v) for v in value)
    text = str(value)
    if key == "client":                          # "client:10.0.0.1", as the login throttle names it
        return text.removeprefix("client:")
    if key == "flags":
        return "; ".join(FLAG_NAMES.get(f, f) for f in text.split(",") if f) or "—"
    names = VALUES.get(key or "")
    if names and text in names:
        return names[text]
    if _DATE.fullmatch(text):
        return fmt_date(dt.date.fromisoformat(text))
    if _DATETIME.fullmatch(text):
        moment = dt.datetime.fromisoformat(text)
        return moment.strftime("%H:%M:%S %d/%m/%Y" if moment.second else "%H:%M %d/%m/%Y")
    if key in NUMERIC and _DECIMAL.fullmatch(text):
        return text.rstrip("0").rstrip(".").replace(".", ",")
    return text


def details_text(data: dict, separator: str = "; ") -> str:
    return separator.join(f"{field_label(str(k))}: {value_text(str(k), v)}" for k, v in data.items())


def _loaded(stored: str | None) -> Any:
    if stored is None:
        return None
    try:
        return json.loads(stored)
    except ValueError:
        return stored


def change_text(old: str | None, new: str | None) -> str:
    """A change as one line, old → new, as the audit log stores both (JSON): only the details
    that changed, «Đang hoạt động: Có → Không»; a detail that is new alone, «Máy: 10.0.0.1»; one
    that is gone, «Tệp: a.pdf → —». When nothing differs, the new details in full."""
    before, after = _loaded(old), _loaded(new)
    if before is None:
        return "" if after is None else (details_text(after) if isinstance(after, dict) else value_text(None, after))
    if not (isinstance(before, dict) and isinstance(after, dict)):
        def side(v: Any) -> str:
            return "—" if v is None else (details_text(v, ", ") if isinstance(v, dict) else value_text(None, v))
        return f"{side(before)} → {side(after)}"
    parts = []
    for key in [*after, *(k for k in before if k not in after)]:
        label = field_label(str(key))
        if key not in before:
            parts.append(f"{label}: {value_text(str(key), after[key])}")
        elif key not in after:
            if before[key] is not None:
                parts.append(f"{label}: {value_text(str(key), before[key])} → —")
        elif before[key] != after[key]:
            parts.append(f"{label}: {value_text(str(key), before[key])} → {value_text(str(key), after[key])}")
    return "; ".join(parts) or details_text(after)


def detail_text(stored: str | None) -> str:
    """An old or new value as the audit log stores it (JSON) → what the screen shows:
    «Điểm vòng 1: 0,5; Cần giải trình: Không». Text that is not JSON is shown as it is."""
    if stored is None:
        return ""
    try:
        data = json.loads(stored)
    except ValueError:
        return stored
    if isinstance(data, dict):
        return details_text(data)
    if isinstance(data, list):
        return value_text(None, data)
    return value_text(None, data) if data is not None else ""
