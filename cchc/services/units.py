"""Units from the official national list (data/vn-communes-2022-10-01.csv, 10,599 communes on
01/10/2022), so that another district can start in minutes."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from .. import config
from ..permissions import User, require
from ..storage import Storage, Tx
from .common import ServiceError

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
        tx.audit(actor.username, "unit.load_district", "district", district_code,
                 new={"added": [u["code"] for u in new], "valid_from": valid_from})

    if new:
        storage.write(work)
    return len(new)
