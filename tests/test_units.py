"""Units of another district, loaded from the national list in one step."""

from __future__ import annotations

import pytest

from cchc.permissions import CLI_USER, PermissionDenied, User
from cchc.services import ServiceError, units


def test_the_national_list_is_complete():
    assert len(units.national_units()) == 10599
    ha_tinh = units.districts("42")
    assert sum(d["units"] for d in ha_tinh) == 216
    assert next(d for d in ha_tinh if d["district_code"] == "439")["units"] == 25


def test_a_district_is_loaded_once_and_existing_units_are_kept(storage):
    added = units.load_district(storage, CLI_USER, "440", 2022)          # Huyện Đức Thọ, Hà Tĩnh
    assert added == next(d["units"] for d in units.districts("42") if d["district_code"] == "440")
    assert units.load_district(storage, CLI_USER, "440", 2022) == 0
    assert units.load_district(storage, CLI_USER, "439", 2022) == 0      # Hương Sơn was seeded
    assert len(storage.all("units_in_year", year=2022)) == 25 + added
    assert storage.all("audit_recent", limit=1)[0]["action"] == "unit.load_district"


def test_unknown_districts_and_other_roles_are_refused(storage):
    with pytest.raises(ServiceError, match="Không có huyện mã «999»"):
        units.load_district(storage, CLI_USER, "999", 2022)
    with pytest.raises(PermissionDenied):
        units.load_district(storage, User("lanhdao", "L", "leader"), "440", 2022)
