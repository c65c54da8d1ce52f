"""The officials' sociological survey: one-time codes for each respondent group and commune,
printed on invitations; each code opens one questionnaire once, and each chosen option weighs
a share of its criterion's points (official_survey_points).

Issuing and reading codes are staff calls (the permission table, audited); opening a code and
answering take no user, and never tell an unknown code from a used one."""

from __future__ import annotations

from dataclasses import dataclass

from cchc.core import survey as rules
from cchc.core.permissions import User, require
from cchc.db.storage import Storage, Tx
from cchc.files import survey_workbook as survey_excel
from cchc.services.citizen_survey import base_url, period_row, unit_in_period
from cchc.services.common import ServiceError, clock_now


@dataclass(frozen=True)
class CodeInfo:
    code: str
    year: int
    group: rules.Group
    unit_code: str
    unit_name: str
    questions: tuple[rules.OfficialQuestion, ...]


def issue_codes(storage: Storage, actor: User, year: int, group_code: str, unit_codes: list[str], per_unit: int,
                oq: rules.OfficialQuestionnaire | None = None) -> list[str]:
    """`per_unit` new one-time codes for a respondent group, for each of the given units. Audited."""
    require(actor, "survey.manage")
    oq = oq or rules.official_questionnaire()
    if oq.group(group_code) is None:
        raise ServiceError(f"Không có nhóm người trả lời mã «{group_code}».")
    if not unit_codes:
        raise ServiceError("Chọn ít nhất một đơn vị.")
    if not 1 <= per_unit <= 200:
        raise ServiceError("Số mã mỗi đơn vị phải từ 1 đến 200.")
    period_row(storage, year)
    at = clock_now(storage)

    def work(tx: Tx) -> list[str]:
        for code in unit_codes:
            unit_in_period(tx, year, code)
        units = [u for u in unit_codes for _ in range(per_unit)]
        codes = [rules.new_official_code() for _ in units]
        while len(set(codes)) < len(codes) or tx.one("official_code_exists", codes=codes)["n"]:
            codes = [rules.new_official_code() for _ in units]        # 50 random bits: practically never
        tx.run("official_code_insert_many", codes=codes, year=year, group_code=group_code, unit_codes=units,
               questionnaire=f"{oq.code}/{oq.version}", at=at, by=actor.username)
        tx.audit(actor.username, "survey.codes", "period", str(year),
                 new={"group": group_code, "units": unit_codes, "per_unit": per_unit, "codes": len(codes)})
        return codes

    return storage.write(work)


def official_codes(storage: Storage, actor: User, year: int, codes: list[str] | None = None) -> list[dict]:
    require(actor, "survey.manage")
    return storage.all("official_codes_of_period", year=year, codes=codes)


def codes_sheet(storage: Storage, actor: User, year: int, codes: list[str] | None = None,
                oq: rules.OfficialQuestionnaire | None = None) -> bytes:
    """The unused codes (or the given ones) as an A4 sheet to print and cut apart."""
    oq = oq or rules.official_questionnaire()
    rows = [r for r in official_codes(storage, actor, year, codes) if r["used_at"] is None and not r["voided"]]
    return survey_excel.build_codes_sheet(rows, {g.code: g.name for g in oq.groups}, base_url(storage), year)


def official_progress(storage: Storage, actor: User, year: int) -> list[dict]:
    require(actor, "survey.view")
    return storage.all("official_progress", year=year)


def official_points(storage: Storage, actor: User, year: int) -> list[dict]:
    require(actor, "survey.view")
    return storage.all("official_points_of_period", year=year)


_REFUSED = "Mã phiếu không đúng, hoặc đã được sử dụng. Mời bạn kiểm tra lại mã in trên giấy mời."


def open_code(storage: Storage, raw_code, oq: rules.OfficialQuestionnaire | None = None) -> CodeInfo:
    """The questionnaire a code opens; the same message for an unknown and a used code (a
    guesser learns nothing)."""
    oq = oq or rules.official_questionnaire()
    code = rules.normalise_official_code(raw_code)
    row = storage.one("official_code_get", code=code) if code else None
    if row is None or row["used_at"] is not None or row["voided"]:
        raise ServiceError(_REFUSED)
    group = oq.group(row["group_code"])
    if group is None:
        raise ServiceError("Nhóm người trả lời của mã này không còn trong phiếu điều tra; liên hệ Phòng Nội vụ.")
    return CodeInfo(row["code"], row["period_year"], group, row["unit_code"], row["unit_name"] or row["unit_code"],
                    tuple(oq.for_group(group.code)))


def submit_official(storage: Storage, raw_code, answers: dict[str, str],
                    oq: rules.OfficialQuestionnaire | None = None) -> None:
    """Store an official's answers; the code is spent in the same transaction, so a second use
    (another tab, a copied link) is refused."""
    oq = oq or rules.official_questionnaire()
    info = open_code(storage, raw_code, oq)
    try:
        clean = rules.check_official_answers(oq, info.group.code, answers)
    except rules.AnswerError as exc:
        raise ServiceError(str(exc)) from None
    qs = {q.code: q for q in info.questions}
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        if not tx.run("official_code_use", code=info.code, at=at):
            raise ServiceError(_REFUSED)
        codes = list(clean)
        tx.run("official_answers_insert", code=info.code, questions=codes, criteria=[qs[c].criterion for c in codes],
               choices=[clean[c] for c in codes], weights=[float(oq.weights[clean[c]]) for c in codes])

    storage.write(work)
