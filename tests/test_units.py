"""Units of another district, loaded from the national list in one step."""

from __future__ import annotations

import pytest

from cchc.core.permissions import CLI_USER, PermissionDenied, User
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


# ------------------------------------------------------------------ one unit: add, rename, validity, merge

from decimal import Decimal  # noqa: E402

from cchc.core import assessment as rules  # noqa: E402
from cchc.services import assessment as svc  # noqa: E402
from cchc.services import periods  # noqa: E402

ADMIN = User("quantri", "Quản trị", "admin")
SON_HONG, SON_TIEN = "18139", "18142"


def names_in(storage, year):
    return {u["code"]: u["name"] for u in storage.all("units_in_year", year=year)}


def test_a_renamed_unit_keeps_its_old_name_and_data_in_earlier_years(storage, monkeypatch):
    monkeypatch.setenv("CCHC_TODAY", "2022-11-05")
    svc.save_score(storage, ADMIN, 2022, SON_HONG, "1.1.1", rules.LeafScore(Decimal(1)))
    periods.create_from(storage, ADMIN, 2023, 2022)
    units.rename_unit(storage, ADMIN, SON_HONG, "Thị trấn Sơn Hồng", "Thị trấn", 2023, "Nghị quyết thành lập thị trấn")
    assert names_in(storage, 2022)[SON_HONG] == "Xã Sơn Hồng"
    assert names_in(storage, 2023)[SON_HONG] == "Thị trấn Sơn Hồng"
    assert storage.one("unit_get", code=SON_HONG)["name"] == "Thị trấn Sơn Hồng"       # today's name
    assert svc.open_form(storage, ADMIN, 2022, SON_HONG).scores["1.1.1"].points == 1
    h = units.history(storage, ADMIN, SON_HONG)
    assert [(n["from_year"], n["name"]) for n in h["names"]][-1] == (2023, "Thị trấn Sơn Hồng")
    assert storage.all("audit_recent", limit=1)[0]["reason"] == "Nghị quyết thành lập thị trấn"


def test_merged_units_end_the_year_before_and_keep_their_history(storage, monkeypatch):
    monkeypatch.setenv("CCHC_TODAY", "2022-11-05")
    svc.save_score(storage, ADMIN, 2022, SON_TIEN, "1.1.1", rules.LeafScore(Decimal(1)))
    periods.create_from(storage, ADMIN, 2023, 2022)
    units.add_unit(storage, ADMIN, "18140", "Xã Sơn Tiến Hồng", "Xã", 2023)
    units.merge_units(storage, ADMIN, [SON_HONG, SON_TIEN], "18140", 2023, "Nghị quyết của UBTV Quốc hội")
    y2022, y2023 = names_in(storage, 2022), names_in(storage, 2023)
    assert SON_HONG in y2022 and SON_TIEN in y2022 and "18140" not in y2022
    assert SON_HONG not in y2023 and SON_TIEN not in y2023 and y2023["18140"] == "Xã Sơn Tiến Hồng"
    assert len(y2023) == 24
    h = units.history(storage, ADMIN, "18140")
    assert [p["code"] for p in h["predecessors"]] == [SON_HONG, SON_TIEN]
    assert units.history(storage, ADMIN, SON_TIEN)["successor"]["code"] == "18140"
    assert svc.open_form(storage, ADMIN, 2022, SON_TIEN).scores["1.1.1"].points == 1


def test_a_unit_with_data_cannot_be_ended_before_that_year(storage, monkeypatch):
    monkeypatch.setenv("CCHC_TODAY", "2022-11-05")
    svc.save_score(storage, ADMIN, 2022, SON_HONG, "1.1.1", rules.LeafScore(Decimal(1)))
    with pytest.raises(ServiceError, match="đã có dữ liệu năm 2022"):
        units.set_validity(storage, ADMIN, SON_HONG, 2020, 2021)
    with pytest.raises(ServiceError, match="bắt đầu hiệu lực năm 2022"):
        units.merge_units(storage, ADMIN, [SON_HONG], SON_TIEN, 2022)
    units.set_validity(storage, ADMIN, SON_HONG, 2020, None)
    with pytest.raises(ServiceError, match="đã có dữ liệu năm 2022"):
        units.merge_units(storage, ADMIN, [SON_HONG], SON_TIEN, 2022)
    with pytest.raises(ServiceError, match="trước năm bắt đầu"):
        units.set_validity(storage, ADMIN, SON_HONG, 2022, 2021)
    assert storage.one("unit_get", code=SON_HONG)["valid_to"] is None
    assert names_in(storage, 2022)[SON_HONG] == "Xã Sơn Hồng"


@pytest.mark.parametrize("code, name, kind, year, expected", [
    ("1814", "Xã A", "Xã", 2023, "gồm 5 chữ số"),
    ("18139", "Xã A", "Xã", 2023, "Đã có đơn vị mã «18139»"),
    ("18999", "  ", "Xã", 2023, "Cần nhập tên"),
    ("18999", "Xã A", "Huyện", 2023, "Loại đơn vị «Huyện» không hợp lệ"),
    ("18999", "Xã A", "Xã", 1990, "không hợp lệ"),
])
def test_bad_units_are_refused(storage, code, name, kind, year, expected):
    with pytest.raises(ServiceError, match=expected):
        units.add_unit(storage, ADMIN, code, name, kind, year)


def test_only_admin_changes_units(storage):
    for who in (User("lanhdao", "L", "leader"), User("sonhong", "S", "commune", unit_code=SON_HONG)):
        with pytest.raises(PermissionDenied):
            units.add_unit(storage, who, "18999", "Xã A", "Xã", 2023)
        with pytest.raises(PermissionDenied):
            units.rename_unit(storage, who, SON_HONG, "Xã B", "Xã", 2023)
        with pytest.raises(PermissionDenied):
            units.merge_units(storage, who, [SON_HONG], SON_TIEN, 2023)


def test_a_kind_change_that_would_switch_a_scored_years_set_is_refused(storage, monkeypatch):
    import copy

    import yaml

    from cchc.core import criteria
    from cchc.services import reference

    from .conftest import TEMPLATE
    monkeypatch.setenv("CCHC_TODAY", "2022-11-05")
    data = copy.deepcopy(yaml.safe_load(TEMPLATE.read_text(encoding="utf-8")))
    data["set"].update(code="HT-TT-2022", applies_to="thi_tran")
    reference.import_criteria_set(storage, ADMIN, criteria.parse_set(data), 2022)
    svc.save_score(storage, ADMIN, 2022, SON_HONG, "1.1.1", rules.LeafScore(Decimal(1)))
    with pytest.raises(ServiceError, match="làm đổi bộ tiêu chí của kỳ 2022"):
        units.rename_unit(storage, ADMIN, SON_HONG, "Thị trấn Sơn Hồng", "Thị trấn", 2022)
    units.rename_unit(storage, ADMIN, SON_HONG, "Xã Sơn Hồng", "Xã", 2022)         # same kind: a spelling fix
    units.rename_unit(storage, ADMIN, SON_HONG, "Thị trấn Sơn Hồng", "Thị trấn", 2023)   # a later year: fine


def test_a_unit_that_already_ended_cannot_be_merged_later(storage):
    units.set_validity(storage, ADMIN, SON_TIEN, 2022, 2022)
    with pytest.raises(ServiceError, match="đã hết hiệu lực sau năm 2022"):
        units.merge_units(storage, ADMIN, [SON_TIEN], SON_HONG, 2025)


def test_an_ended_or_merged_unit_is_named_as_such(storage, monkeypatch):
    from cchc.services import periods, reference
    monkeypatch.setenv("CCHC_TODAY", "2022-11-05")
    periods.create_from(storage, ADMIN, 2023, 2022)
    units.merge_units(storage, ADMIN, [SON_TIEN], SON_HONG, 2023)
    with pytest.raises(ServiceError, match="Xã Sơn Tiến đã sáp nhập vào Xã Sơn Hồng từ năm 2023"):
        svc.open_form(storage, ADMIN, 2023, SON_TIEN)
    units.rename_unit(storage, ADMIN, SON_HONG, "Xã Sơn Hồng Tiến", "Xã", 2023)
    assert svc.open_form(storage, ADMIN, 2022, SON_HONG).unit["name"] == "Xã Sơn Hồng"      # that year's name
    assert reference.unit_in_year(storage, 2023, SON_HONG)["name"] == "Xã Sơn Hồng Tiến"
