"""The surveys as data, and the rules around them. Pure: no Streamlit, no database.

- The citizens' satisfaction questionnaire (SIPAS, docs/domain.md §6): five elements, a few questions
  each rated 1 (Rất không hài lòng) … 5 (Rất hài lòng), the respondent's profile, overall
  satisfaction and a free-text suggestion.
- The officials' sociological survey: respondent groups, closed questions A–D per criterion,
  option weights (default A 100%, B 60%, C 20%, D 0%).

Both come from YAML files in data/surveys/, validated on load: every problem is reported, one
Vietnamese line each naming the file and the item, and nothing is returned while any remains.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from cchc.config import DATA_DIR
from cchc.core import yaml_text
from cchc.core.text import nfc

SURVEY_DIR = DATA_DIR / "surveys"
CITIZEN_FILE = SURVEY_DIR / "khao-sat-hai-long.yaml"
OFFICIAL_FILE = SURVEY_DIR / "dieu-tra-xa-hoi-hoc.yaml"
ELEMENTS = 5
SATISFIED_FROM = 4          # Hài lòng (4) and Rất hài lòng (5) count as satisfied
CHANNELS = {"web": "Trực tuyến (mã QR)", "paper": "Phiếu giấy"}
DEFAULT_WEIGHTS = {"A": 100, "B": 60, "C": 20, "D": 0}
UNIT_CODE_RE = re.compile(r"^\d{5}$")
# One-time codes: no 0/O, 1/I/L to misread on paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
OFFICIAL_CODE_RE = re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$")


class SurveyDataError(ValueError):
    """A questionnaire file that cannot be used; `errors` lists every problem."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class AnswerError(ValueError):
    """A questionnaire filled in wrongly; the message is Vietnamese and names the question."""


# ------------------------------------------------------------------ the citizens' questionnaire


@dataclass(frozen=True)
class Question:
    code: str
    element: int
    text: str


@dataclass(frozen=True)
class Element:
    number: int
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class ProfileItem:
    key: str
    label: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Questionnaire:
    code: str
    version: int
    name: str
    source: str
    scale: tuple[str, ...]
    elements: tuple[Element, ...]
    profile: tuple[ProfileItem, ...]
    overall_label: str
    suggestion_label: str
    suggestion_max: int

    def questions(self) -> list[Question]:
        return [q for e in self.elements for q in e.questions]

    def question(self, code: str) -> Question:
        return next(q for q in self.questions() if q.code == code)


def _text(value: Any) -> str | None:
    return nfc(value).strip() if isinstance(value, str) and value.strip() else None


def _options(raw: Any) -> tuple[str, ...] | None:
    if not isinstance(raw, list) or not raw:
        return None
    out = tuple(_text(o) if isinstance(o, str) else None for o in raw)
    return None if None in out or len(set(out)) != len(out) else out


def parse_questionnaire(data: Any, where: str = "tệp khảo sát") -> Questionnaire:
    errors: list[str] = []
    if not isinstance(data, dict):
        raise SurveyDataError([f"{where}: nội dung phải là một bảng khóa–giá trị (YAML)."])
    data = nfc(data)
    for key in ("code", "name", "source"):
        if not _text(data.get(key)):
            errors.append(f"{where}: thiếu «{key}» (văn bản).")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        errors.append(f"{where}: «version» phải là số nguyên từ 1.")
    scale = _options(data.get("scale"))
    if scale is None or len(scale) != 5:
        errors.append(f"{where}: «scale» phải có đúng 5 mức, từ «Rất không hài lòng» đến «Rất hài lòng».")
    elements: list[Element] = []
    raw_elements = data.get("elements")
    if not isinstance(raw_elements, list) or len(raw_elements) != ELEMENTS:
        errors.append(f"{where}: «elements» phải có đúng {ELEMENTS} yếu tố SIPAS.")
        raw_elements = raw_elements if isinstance(raw_elements, list) else []
    seen: set[str] = set()
    for i, raw in enumerate(raw_elements, 1):
        label = f"{where}, yếu tố thứ {i}"
        if not isinstance(raw, dict):
            errors.append(f"{label}: phải là một bảng có number, title, questions.")
            continue
        if raw.get("number") != i:
            errors.append(f"{label}: «number» phải là {i} (các yếu tố đánh số 1..{ELEMENTS} theo thứ tự).")
        title = _text(raw.get("title"))
        if not title:
            errors.append(f"{label}: thiếu «title».")
        questions = []
        raw_q = raw.get("questions")
        if not isinstance(raw_q, list) or not raw_q:
            errors.append(f"{label}: cần ít nhất một câu hỏi trong «questions».")
            raw_q = []
        for j, q in enumerate(raw_q, 1):
            qlabel = f"{label}, câu thứ {j}"
            if not isinstance(q, dict):
                errors.append(f"{qlabel}: phải có code và text.")
                continue
            code = q.get("code")
            code = code if isinstance(code, str) else None
            if not code or not re.fullmatch(rf"{i}\.[1-9][0-9]?", code):
                errors.append(f"{qlabel}: mã «{q.get('code')}» phải có dạng «{i}.<số>» (ví dụ {i}.{j}), viết trong ngoặc kép.")
                continue
            if code in seen:
                errors.append(f"{qlabel}: mã câu hỏi {code} bị trùng.")
                continue
            seen.add(code)
            if not _text(q.get("text")):
                errors.append(f"{where}, câu {code}: thiếu nội dung «text».")
                continue
            questions.append(Question(code, i, _text(q["text"])))
        elements.append(Element(i, title or "", tuple(questions)))
    profile: list[ProfileItem] = []
    keys: set[str] = set()
    raw_profile = data.get("profile") or []
    if not isinstance(raw_profile, list):
        errors.append(f"{where}: «profile» phải là một danh sách.")
        raw_profile = []
    for i, item in enumerate(raw_profile, 1):
        label = f"{where}, mục thông tin người trả lời thứ {i}"
        if not isinstance(item, dict):
            errors.append(f"{label}: phải có key, label, options.")
            continue
        key = item.get("key")
        if not isinstance(key, str) or not re.fullmatch(r"[a-z_]{1,30}", key) or key in keys:
            errors.append(f"{label}: «key» phải là chữ thường không dấu, không trùng (đang là «{key}»).")
            continue
        keys.add(key)
        options = _options(item.get("options"))
        if not _text(item.get("label")) or options is None:
            errors.append(f"{label} ({key}): cần «label» và «options» (danh sách không trùng, không rỗng).")
            continue
        profile.append(ProfileItem(key, _text(item["label"]), options))
    overall = data.get("overall") or {}
    suggestion = data.get("suggestion") or {}
    if not isinstance(overall, dict) or not _text(overall.get("label")):
        errors.append(f"{where}: thiếu «overall.label» (câu hỏi hài lòng chung).")
        overall = {}
    if not isinstance(suggestion, dict) or not _text(suggestion.get("label")):
        errors.append(f"{where}: thiếu «suggestion.label» (câu hỏi góp ý).")
        suggestion = {}
    max_len = suggestion.get("max_length", 1000)
    if not isinstance(max_len, int) or isinstance(max_len, bool) or not 50 <= max_len <= 5000:
        errors.append(f"{where}: «suggestion.max_length» phải là số nguyên từ 50 đến 5000.")
    if errors:
        raise SurveyDataError(errors)
    return Questionnaire(code=_text(data["code"]), version=version, name=_text(data["name"]),
                         source=_text(data["source"]), scale=scale, elements=tuple(elements),
                         profile=tuple(profile), overall_label=_text(overall["label"]),
                         suggestion_label=_text(suggestion["label"]), suggestion_max=max_len)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml_text.load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SurveyDataError([f"Không đọc được tệp {path}: {exc.strerror or exc}."]) from None
    except yaml_text.YamlError as exc:
        raise SurveyDataError([f"Tệp {Path(path).name} không phải YAML hợp lệ: {exc}."]) from None


@lru_cache(maxsize=4)
def citizen_questionnaire(path: Path = CITIZEN_FILE) -> Questionnaire:
    return parse_questionnaire(_read_yaml(path), f"Tệp {Path(path).name}")


# ------------------------------------------------------------------ a citizen's answers


@dataclass
class Answers:
    """One questionnaire as filled in: ratings by question code (1..5; a question left blank
    on paper is absent), profile by key, overall rating, suggestion."""
    ratings: dict[str, int]
    profile: dict[str, str] = field(default_factory=dict)
    overall: int | None = None
    suggestion: str = ""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any, max_len: int) -> str:
    """Free text from the public: NFC, no control characters, trimmed to a length."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return _CONTROL.sub("", text).strip()[:max_len]


def check_answers(q: Questionnaire, answers: Answers, require_all: bool) -> Answers:
    """Validate against the questionnaire (never trusting the caller); return a clean copy.
    `require_all`: the web form needs every rating; a paper form may leave some blank."""
    ratings: dict[str, int] = {}
    known = {x.code: x for x in q.questions()}
    for code, value in (answers.ratings or {}).items():
        if code not in known:
            raise AnswerError(f"Không có câu hỏi mã «{str(code)[:10]}» trong phiếu.")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise AnswerError(f"Câu {code}: mức đánh giá phải từ 1 (Rất không hài lòng) đến 5 (Rất hài lòng).")
        ratings[code] = value
    missing = [c for c in known if c not in ratings]
    if require_all and missing:
        raise AnswerError(f"Mời bạn trả lời câu {', '.join(missing)}.")
    if not ratings:
        raise AnswerError("Phiếu chưa có câu trả lời nào về mức độ hài lòng.")
    profile: dict[str, str] = {}
    items = {p.key: p for p in q.profile}
    for key, value in (answers.profile or {}).items():
        if key not in items:
            raise AnswerError(f"Không có mục «{str(key)[:20]}» trong thông tin người trả lời.")
        if value in (None, ""):
            continue
        value = unicodedata.normalize("NFC", str(value))
        if value not in items[key].options:
            raise AnswerError(f"Mục «{items[key].label}»: «{value[:40]}» không phải một lựa chọn của phiếu.")
        profile[key] = value
    overall = answers.overall
    if overall is not None and (isinstance(overall, bool) or not isinstance(overall, int) or not 1 <= overall <= 5):
        raise AnswerError("Câu hài lòng chung: mức đánh giá phải từ 1 đến 5.")
    return Answers(ratings, profile, overall, clean_text(answers.suggestion, q.suggestion_max))


def is_unit_code(value: Any) -> bool:
    return isinstance(value, str) and bool(UNIT_CODE_RE.fullmatch(value))


# ------------------------------------------------------------------ abuse control


@dataclass(frozen=True)
class Limits:
    """Suspicion thresholds, applied in SQL (`survey_web_insert_many`) in the same statement that
    stores the answer, so that parallel answers are counted exactly. Crossing one flags the answer:
    it is kept but counts only once staff accept it. Beyond `refuse_max` answers from one client
    address or one browser within `refuse_window` the service refuses politely (counted from the
    stored answers). A registered desk tablet (kiosk) is exempt from the volume rules."""
    rate_max: int = 6                       # answers from one client address …
    rate_window: dt.timedelta = dt.timedelta(minutes=10)    # … within this long: flag "rate"
    duplicate_window: dt.timedelta = dt.timedelta(hours=24)  # same browser, same answers: flag "duplicate"
    refuse_max: int = 20                    # answers from one address or browser …
    refuse_window: dt.timedelta = dt.timedelta(hours=1)     # … within this long: the next is refused


LIMITS = Limits()
FLAGS = {
    "honeypot": "Ô ẩn chống máy tự động đã bị điền (gần như chắc chắn là máy)",
    "rate": "Nhiều phiếu từ cùng một địa chỉ mạng trong thời gian ngắn",
    "duplicate": "Trùng nội dung với phiếu khác từ cùng trình duyệt",
}


def fingerprint(answers: Answers) -> str:
    """Same answers, same fingerprint (for duplicate detection)."""
    parts = [f"{k}={answers.ratings[k]}" for k in sorted(answers.ratings)]
    parts += [f"{k}={answers.profile[k]}" for k in sorted(answers.profile)]
    parts += [f"overall={answers.overall}", f"text={answers.suggestion.strip().lower()}"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def client_hash(value: str | None, salt: str) -> str | None:
    """A client address or browser token is never stored as such: only a salted hash."""
    if not value:
        return None
    return hashlib.sha256(f"{salt}|{value}".encode()).hexdigest()[:32]


def flag_labels(flags: str | None) -> str:
    return "; ".join(FLAGS.get(f, f) for f in (flags or "").split(",") if f)


# ------------------------------------------------------------------ quota


def sample_size(dossiers: int, margin: float = 0.05) -> int:
    """Answers needed for a margin of error e with N dossiers: n = N / (1 + N·e²), rounded up."""
    if dossiers < 0:
        raise ValueError("Số hồ sơ không được âm.")
    if not 0 < margin < 1:
        raise ValueError("Sai số phải lớn hơn 0 và nhỏ hơn 1.")
    if dossiers == 0:
        return 0
    return math.ceil(round(dossiers / (1 + dossiers * margin * margin), 9))


# ------------------------------------------------------------------ the officials' survey


@dataclass(frozen=True)
class Group:
    code: str
    name: str


@dataclass(frozen=True)
class OfficialQuestion:
    code: str
    criterion: str
    text: str
    options: tuple[tuple[str, str], ...]        # (letter, text)
    groups: tuple[str, ...]                     # empty: every group


@dataclass(frozen=True)
class OfficialQuestionnaire:
    code: str
    version: int
    name: str
    weights: dict[str, int]
    groups: tuple[Group, ...]
    questions: tuple[OfficialQuestion, ...]

    def group(self, code: str) -> Group | None:
        return next((g for g in self.groups if g.code == code), None)

    def for_group(self, code: str) -> list[OfficialQuestion]:
        return [q for q in self.questions if not q.groups or code in q.groups]


def parse_official(data: Any, where: str = "tệp điều tra") -> OfficialQuestionnaire:
    errors: list[str] = []
    if not isinstance(data, dict):
        raise SurveyDataError([f"{where}: nội dung phải là một bảng khóa–giá trị (YAML)."])
    data = nfc(data)
    for key in ("code", "name"):
        if not _text(data.get(key)):
            errors.append(f"{where}: thiếu «{key}».")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        errors.append(f"{where}: «version» phải là số nguyên từ 1.")
    weights = data.get("weights", DEFAULT_WEIGHTS)
    if not isinstance(weights, dict) or not weights or not all(
            isinstance(k, str) and re.fullmatch(r"[A-F]", k) and isinstance(v, int) and not isinstance(v, bool)
            and 0 <= v <= 100 for k, v in weights.items()):
        errors.append(f"{where}: «weights» phải ghi mỗi phương án (A, B, …) một số nguyên 0–100, ví dụ "
                      "{A: 100, B: 60, C: 20, D: 0}.")
        weights = DEFAULT_WEIGHTS
    groups: list[Group] = []
    for i, g in enumerate(data.get("groups") or [], 1):
        if not isinstance(g, dict) or not isinstance(g.get("code"), str) or not re.fullmatch(r"[A-Z0-9]{2,10}", g["code"]) \
                or not _text(g.get("name")):
            errors.append(f"{where}, nhóm thứ {i}: cần «code» (2–10 chữ in hoa, số) và «name».")
            continue
        if any(x.code == g["code"] for x in groups):
            errors.append(f"{where}, nhóm thứ {i}: mã nhóm {g['code']} bị trùng.")
            continue
        groups.append(Group(g["code"], _text(g["name"])))
    if not groups:
        errors.append(f"{where}: cần ít nhất một nhóm người trả lời trong «groups».")
    questions: list[OfficialQuestion] = []
    for i, q in enumerate(data.get("questions") or [], 1):
        label = f"{where}, câu hỏi thứ {i}"
        if not isinstance(q, dict):
            errors.append(f"{label}: phải có code, criterion, text, options.")
            continue
        code, crit = q.get("code"), q.get("criterion")
        if not isinstance(code, str) or not code.strip() or any(x.code == code for x in questions):
            errors.append(f"{label}: «code» phải là văn bản, không trùng (đang là «{code}»).")
            continue
        label = f"{where}, câu {code}"
        if not isinstance(crit, str) or not re.fullmatch(r"[1-9][0-9]*(\.[1-9][0-9]*)*", crit):
            errors.append(f"{label}: «criterion» phải là mã tiêu chí trong ngoặc kép, ví dụ \"9.2.1\".")
            continue
        if not _text(q.get("text")):
            errors.append(f"{label}: thiếu «text».")
            continue
        options = q.get("options")
        if not isinstance(options, dict) or len(options) < 2 or not all(
                k in weights and _text(v) for k, v in options.items()):
            errors.append(f"{label}: «options» cần ít nhất hai phương án, mỗi phương án là một chữ có trong "
                          f"«weights» ({', '.join(weights)}) kèm nội dung.")
            continue
        qgroups = q.get("groups") or []
        unknown = [g for g in qgroups if g not in {x.code for x in groups}] if isinstance(qgroups, list) else ["?"]
        if unknown:
            errors.append(f"{label}: nhóm {', '.join(map(str, unknown))} không có trong «groups».")
            continue
        questions.append(OfficialQuestion(code.strip(), crit, _text(q["text"]),
                                          tuple((k, _text(v)) for k, v in sorted(options.items())), tuple(qgroups)))
    if not questions and not errors:
        errors.append(f"{where}: cần ít nhất một câu hỏi trong «questions».")
    for g in groups:
        if questions and not [q for q in questions if not q.groups or g.code in q.groups]:
            errors.append(f"{where}: nhóm {g.code} không có câu hỏi nào.")
    if errors:
        raise SurveyDataError(errors)
    return OfficialQuestionnaire(_text(data["code"]), version, _text(data["name"]), dict(weights),
                                 tuple(groups), tuple(questions))


@lru_cache(maxsize=4)
def official_questionnaire(path: Path = OFFICIAL_FILE) -> OfficialQuestionnaire:
    return parse_official(_read_yaml(path), f"Tệp {Path(path).name}")


DOSSIER_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9./_-]{2,39}$")


def normalise_dossier_code(value: Any) -> str | None:
    """A dossier code as printed on a receipt (mã hồ sơ / phiếu hẹn) or a printed one-time code:
    upper case, spaces dropped, 3-40 letters, digits and . / _ -; None if it cannot be one."""
    if isinstance(value, (int,)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    code = re.sub(r"\s+", "", nfc(value)).upper()
    return code if DOSSIER_CODE_RE.fullmatch(code) else None


def wait_minutes(oldest: dt.datetime, now: dt.datetime, window: dt.timedelta) -> int:
    """Whole minutes until the oldest answer counted against a client leaves the window (at least 1)."""
    seconds = (oldest + window - now).total_seconds()
    return max(1, -int(-seconds // 60))


def new_official_code() -> str:
    """A one-time code like K7M4P-9QXRT: 50 random bits, easy to type from paper."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_official_code(value: Any) -> str | None:
    """What a person typed or a link carried, as a code; None if it cannot be one."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"[\s]", "", value).upper()
    if len(text) == 10 and "-" not in text:
        text = f"{text[:5]}-{text[5:]}"
    return text if OFFICIAL_CODE_RE.fullmatch(text) else None


def check_official_answers(oq: OfficialQuestionnaire, group: str, answers: dict[str, str]) -> dict[str, str]:
    """Every question of the group answered with one of its options."""
    out = {}
    for q in oq.for_group(group):
        choice = answers.get(q.code)
        if choice not in dict(q.options):
            raise AnswerError(f"Mời bạn chọn một phương án cho câu {q.code}.")
        out[q.code] = choice
    extra = set(answers) - {q.code for q in oq.for_group(group)}
    if extra:
        raise AnswerError(f"Câu {', '.join(sorted(extra))[:40]} không thuộc phiếu của nhóm này.")
    return out


def parse_digits(q: Questionnaire, element: int, text: str) -> dict[str, int]:
    """A paper form keyed fast: the ratings of one element's questions typed as digits in order,
    «4540» = 4, 5, 4 and the fourth left blank (0 or a dot). Spaces are ignored."""
    questions = q.elements[element - 1].questions
    digits = re.sub(r"\s", "", text or "")
    if not digits:
        return {}
    if len(digits) != len(questions) or not re.fullmatch(r"[0-5.]+", digits):
        raise AnswerError(f"Yếu tố {element}: cần đúng {len(questions)} chữ số từ 1 đến 5 (câu "
                          f"{questions[0].code}–{questions[-1].code}; câu bỏ trống gõ 0), đang là «{digits[:20]}».")
    return {x.code: int(d) for x, d in zip(questions, digits) if d not in "0."}
