"""Units from the official national list (data/vn-communes-2022-10-01.csv, 10,599 communes on
01/10/2022), so that another district can start in minutes."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from cchc import config
from cchc.core.permissions import User, require
from cchc.db.storage import Storage, Tx
from cchc.services.common import ServiceError

NATIONAL_LIST = config.DATA_DIR / "vn-communes-2022-10-01.csv"


@lru_cache(maxsize=1)
def national_units(path: Path = NATIONAL_LIST) -> tuple[dict, ...]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return tuple(csv.DictReader(fh))


def districts(province_code: str | None = None) -> list[dict]:
    """(province, district) pairs of the national list, with their unit counts."""
    seen: dict[str, dict] = {}
    for r in national_units():
        if province_code and r["province_code"] != province_code:
            continue
        d = seen.setdefault(r["district_code"], {k: r[k] for k in ("district_code", "district_name",
                                                                     "province_code", "province_name")} | {"units": 0})
        d["units"] += 1
    return sorted(seen.values(), key=lambda d: (d["province_code"], d["district_code"]))


def load_district(storage: Storage, actor: User, district_code: str, valid_from: int) -> int:
    """Add every unit of a district from the national list (units already there are kept as they
    are); returns how many were added."""
    require(actor, "unit.manage")
    rows = [r for r in national_units() if r["district_code"] == district_code.strip()]
    if not rows:
        raise ServiceError(f"Không có huyện mã «{district_code}» trong danh mục đơn vị hành chính cả nước.")
    existing = {u["code"] for u in storage.all("units_all")}
    new = [dict(code=r["commune_code"], name=r["commune_name"], kind=r["commune_type"],
                district_code=r["district_code"], district_name=r["district_name"],
                province_code=r["province_code"], province_name=r["province_name"],
                valid_from=valid_from, valid_to=None) for r in rows if r["commune_code"] not in existing]

    def work(tx: Tx) -> None:
        tx.many("unit_upsert", new)
        tx.many("unit_name_insert", [dict(code=u["code"], from_year=u["valid_from"], name=u["name"], kind=u["kind"])
                                     for u in new])
        tx.audit(actor.username, "unit.load_district", "district", district_code,
                 new={"added": [u["code"] for u in new], "valid_from": valid_from})

    if new:
        storage.write(work)
    return len(new)


# ------------------------------------------------------------------ one unit at a time

KINDS = ("Xã", "Thị trấn", "Phường")
CODE_RE = re.compile(r"^\d{5}$")


def _year(value, label: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 2000 <= value <= 2100:
        raise ServiceError(f"{label} «{value}» không hợp lệ (từ 2000 đến 2100).")
    return value


def _get(storage_or_tx, code: str) -> dict:
    row = storage_or_tx.one("unit_get", code=code)
    if row is None:
        raise ServiceError(f"Không có đơn vị mã «{code}».")
    return row


def _data_outside(tx: Tx, code: str, valid_from: int, valid_to: int | None) -> list[int]:
    years = [r["year"] for r in tx.run("unit_data_years", code=code)]
    return [y for y in years if y < valid_from or (valid_to is not None and y > valid_to)]


def all_units(storage: Storage, actor: User) -> list[dict]:
    """Every unit ever loaded (current name), ended and merged ones included."""
    require(actor, "unit.view")
    return storage.all("units_all")


def history(storage: Storage, actor: User, code: str) -> dict:
    """A unit's names through the years, what it was merged into and what was merged into it."""
    require(actor, "unit.view")
    u = _get(storage, code)
    return {"unit": u, "names": storage.all("unit_names", code=code),
            "predecessors": storage.all("unit_predecessors", code=code),
            "successor": storage.one("unit_get", code=u["successor_code"]) if u["successor_code"] else None}


def add_unit(storage: Storage, actor: User, code: str, name: str, kind: str, valid_from: int) -> None:
    """A new unit (e.g. one formed by a merger) of the district; its district and province come
    from the national list when the code is there, else from the units already loaded."""
    require(actor, "unit.manage")
    code, name = code.strip(), " ".join(name.split())
    if not CODE_RE.match(code):
        raise ServiceError(f"Mã đơn vị «{code}» không hợp lệ: mã đơn vị hành chính cấp xã gồm 5 chữ số (ví dụ 18133).")
    if not name:
        raise ServiceError("Cần nhập tên đơn vị.")
    if kind not in KINDS:
        raise ServiceError(f"Loại đơn vị «{kind}» không hợp lệ; chọn {', '.join(KINDS)}.")
    _year(valid_from, "Năm bắt đầu hiệu lực")
    listed = next((r for r in national_units() if r["commune_code"] == code), None)
    if listed:
        place = {k: listed[k] for k in ("district_code", "district_name", "province_code", "province_name")}
    else:
        some = storage.all("units_all")
        place = {k: some[0][k] for k in ("district_code", "district_name", "province_code", "province_name")} if some \
            else dict.fromkeys(("district_code", "district_name", "province_code", "province_name"))
    row = dict(code=code, name=name, kind=kind, valid_from=valid_from, valid_to=None, **place)

    def work(tx: Tx) -> None:
        if tx.one("unit_get", code=code):
            raise ServiceError(f"Đã có đơn vị mã «{code}».")
        tx.run("unit_insert", **row)
        tx.run("unit_name_insert", code=code, from_year=valid_from, name=name, kind=kind)
        tx.audit(actor.username, "unit.add", "unit", code, new=row)

    storage.write(work)


def rename_unit(storage: Storage, actor: User, code: str, name: str, kind: str, from_year: int, reason: str = "") -> None:
    """A new name (and kind, e.g. a xã becoming a thị trấn) from a year on; earlier years keep
    the earlier name. Giving the first year corrects the original name."""
    require(actor, "unit.manage")
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Cần nhập tên mới của đơn vị.")
    if kind not in KINDS:
        raise ServiceError(f"Loại đơn vị «{kind}» không hợp lệ; chọn {', '.join(KINDS)}.")
    _year(from_year, "Năm áp dụng tên mới")

    def work(tx: Tx) -> None:
        u = _get(tx, code)
        if from_year < u["valid_from"] or (u["valid_to"] is not None and from_year > u["valid_to"]):
            raise ServiceError(f"Năm {from_year} nằm ngoài thời gian hiệu lực của {u['name']} "
                               f"({u['valid_from']}–{u['valid_to'] or 'nay'}).")
        _check_kind_change(tx, u, kind, from_year)
        names = tx.run("unit_names", code=code)
        tx.run("unit_name_insert", code=code, from_year=from_year, name=name, kind=kind)
        if from_year >= max(n["from_year"] for n in names):
            tx.run("unit_set_current_name", code=code, name=name, kind=kind)
        tx.audit(actor.username, "unit.rename", "unit", code, old={"names": {n["from_year"]: n["name"] for n in names}},
                 new={"from_year": from_year, "name": name, "kind": kind}, reason=reason.strip())

    storage.write(work)


def _check_kind_change(tx: Tx, u: dict, kind: str, from_year: int) -> None:
    """A new kind may give the unit another criteria set (a set per unit kind): refuse it for a
    year that already has the unit's scores under a different set."""
    key = {"Xã": "xa", "Thị trấn": "thi_tran", "Phường": "phuong"}[kind]
    for y in (r["year"] for r in tx.run("unit_data_years", code=u["code"]) if r["year"] >= from_year):
        now_set = tx.one("unit_set_id", year=y, unit_code=u["code"])
        p = tx.one("period_get", year=y)
        if now_set is None or p is None:
            continue
        own = {r["unit_kind"]: r["set_id"] for r in tx.run("period_kind_sets", year=y)}
        if own.get(key, p["criteria_set_id"]) != now_set["set_id"]:
            raise ServiceError(f"Đổi {u['name']} thành «{kind}» từ năm {from_year} làm đổi bộ tiêu chí của kỳ {y}, "
                               "kỳ đã có điểm của đơn vị: hãy chọn năm áp dụng sau kỳ đó.")


def set_validity(storage: Storage, actor: User, code: str, valid_from: int, valid_to: int | None, reason: str = "") -> None:
    """The years a unit exists; refused when it would hide a year that already has its data."""
    require(actor, "unit.manage")
    _year(valid_from, "Năm bắt đầu hiệu lực")
    if valid_to is not None:
        _year(valid_to, "Năm kết thúc hiệu lực")
        if valid_to < valid_from:
            raise ServiceError(f"Năm kết thúc {valid_to} trước năm bắt đầu {valid_from}.")

    def work(tx: Tx) -> None:
        u = _get(tx, code)
        hidden = _data_outside(tx, code, valid_from, valid_to)
        if hidden:
            raise ServiceError(f"{u['name']} đã có dữ liệu năm {', '.join(map(str, hidden))}: "
                               "không thể đặt thời gian hiệu lực bỏ ra ngoài năm đó.")
        tx.run("unit_set_validity", code=code, valid_from=valid_from, valid_to=valid_to,
               successor_code=u["successor_code"] if valid_to is not None else None)
        tx.audit(actor.username, "unit.validity", "unit", code, old={"valid_from": u["valid_from"], "valid_to": u["valid_to"]},
                 new={"valid_from": valid_from, "valid_to": valid_to}, reason=reason.strip())

    storage.write(work)


def merge_units(storage: Storage, actor: User, codes: list[str], into: str, year: int, reason: str = "") -> None:
    """Units merged into another from `year`: they end the year before and name their successor;
    their earlier years keep their data and names. `into` may be one of them or a unit added
    first for the purpose."""
    require(actor, "unit.manage")
    _year(year, "Năm sáp nhập")
    merged = [c for c in dict.fromkeys(codes) if c != into]
    if not merged:
        raise ServiceError("Chọn ít nhất một đơn vị được sáp nhập (khác đơn vị nhận).")

    def work(tx: Tx) -> None:
        target = _get(tx, into)
        if target["valid_from"] > year or (target["valid_to"] is not None and target["valid_to"] < year):
            raise ServiceError(f"Đơn vị nhận {target['name']} không có hiệu lực năm {year}.")
        old = {}
        for code in merged:
            u = _get(tx, code)
            if u["valid_to"] is not None and u["valid_to"] < year - 1:
                raise ServiceError(f"{u['name']} đã hết hiệu lực sau năm {u['valid_to']}: không thể sáp nhập từ năm {year}.")
            if u["valid_from"] >= year:
                raise ServiceError(f"{u['name']} bắt đầu hiệu lực năm {u['valid_from']}: không thể sáp nhập từ năm {year}.")
            hidden = _data_outside(tx, code, u["valid_from"], year - 1)
            if hidden:
                raise ServiceError(f"{u['name']} đã có dữ liệu năm {', '.join(map(str, hidden))}: "
                                   f"không thể sáp nhập từ năm {year}.")
            old[code] = {"valid_to": u["valid_to"], "successor_code": u["successor_code"]}
            tx.run("unit_set_validity", code=code, valid_from=u["valid_from"], valid_to=year - 1, successor_code=into)
        tx.audit(actor.username, "unit.merge", "unit", into, old=old,
                 new={"merged": merged, "into": into, "from_year": year}, reason=reason.strip())

    storage.write(work)
