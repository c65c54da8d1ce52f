"""The criteria set as data: the shipped template, and every validation error."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from cchc.core import criteria
from cchc.core.criteria import (
    CriteriaError,
    load_yaml_file,
    load_yaml_text,
    parse_set,
    to_yaml,
)

from .conftest import TEMPLATE

OFFICES = ["NV", "TP", "VP", "TCKH", "VHTT"]


def small_set() -> dict:
    """A valid two-field set: 6 points scored + 4 from the citizen survey = 10."""
    return {
        "set": {"code": "T", "name": "Bộ thử", "year": 2022, "total": 10, "is_template": True},
        "defaults": {"step": 0.5},
        "nodes": [
            {"code": "1", "title": "Lĩnh vực một", "max": 6, "office": "NV"},
            {"code": "1.1", "title": "Tiêu chí", "max": 4},
            {"code": "1.1.1", "title": "Thành phần a", "max": 2, "guidance": "Đạt: 2", "evidence": "Kế hoạch"},
            {"code": "1.1.2", "title": "Thành phần b", "max": 2, "guidance": "Đạt: 2", "evidence": "Báo cáo", "na_allowed": True},
            {"code": "1.2", "title": "Tiêu chí lá", "max": 2, "guidance": "Đạt: 2", "evidence": "Quyết định", "step": 1},
            {"code": "2", "title": "Khảo sát", "max": 4, "office": "NV", "source": "citizen_survey", "step": 0.01},
            {"code": "2.1", "title": "Tiếp cận", "max": 4, "guidance": "max × tỷ lệ", "evidence": "Phiếu"},
        ],
    }


def errors_of(data, offices=OFFICES) -> list[str]:
    with pytest.raises(CriteriaError) as info:
        parse_set(data, offices)
    return info.value.errors


# ------------------------------------------------------------------ the template


def test_template_is_complete_and_valid():
    cs = load_yaml_file(TEMPLATE, OFFICES)
    by_source = cs.points_by_source()
    assert cs.is_template and cs.year == 2022
    assert by_source["self_assessed"] == 70
    assert by_source["citizen_survey"] + by_source["official_survey"] == 30
    assert cs.total == 100
    assert len(cs.fields()) >= 8 + 1          # eight scored fields and the survey field
    assert sum(1 for n in cs.nodes if n.depth == 2 and n.source == "self_assessed") >= 30
    for leaf in cs.leaves():
        assert leaf.guidance and leaf.evidence and leaf.office_code
        assert leaf.max_points % leaf.step == 0
        assert leaf.source in criteria.SOURCES


def test_template_survey_field_has_the_five_sipas_elements():
    cs = load_yaml_file(TEMPLATE, OFFICES)
    citizen = [n for n in cs.leaves() if n.source == "citizen_survey"]
    assert len(citizen) == 5


def test_yaml_round_trip_gives_the_same_set():
    cs = load_yaml_file(TEMPLATE, OFFICES)
    assert load_yaml_text(to_yaml(cs), OFFICES) == cs


def test_leaves_inherit_office_step_and_source():
    cs = parse_set(small_set(), OFFICES)
    assert cs.node("1.1.1").office_code == "NV"
    assert cs.node("1.1.1").step == Decimal("0.5")
    assert cs.node("1.2").step == 1
    assert cs.node("2.1").source == "citizen_survey"
    assert cs.node("1.1.2").na_allowed and not cs.node("1.1.1").na_allowed
    assert [n.code for n in cs.leaves("1")] == ["1.1.1", "1.1.2", "1.2"]


def test_text_is_normalised_to_nfc():
    data = small_set()
    decomposed = "Lĩnh vực một".encode().decode()  # composed in source
    import unicodedata
    data["nodes"][0]["title"] = unicodedata.normalize("NFD", decomposed)
    cs = parse_set(data, OFFICES)
    assert cs.node("1").title == unicodedata.normalize("NFC", decomposed)


# ------------------------------------------------------------------ every validation error


def mutate(fn) -> dict:
    data = copy.deepcopy(small_set())
    fn(data)
    return data


def node(data, code):
    return next(n for n in data["nodes"] if str(n.get("code")) == code)


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["nodes"].append({"code": "1.1.1", "title": "x", "max": 1}), "Tiêu chí 1.1.1: mã bị trùng."),
    (lambda d: node(d, "1.2").update(code="1.x"), "Tiêu chí 1.x: mã không hợp lệ"),
    (lambda d: node(d, "1.2").update(code="0"), "Tiêu chí 0: mã không hợp lệ"),
    (lambda d: d["nodes"].insert(1, {"code": "3.1", "title": "mồ côi", "max": 1}), "Tiêu chí 3.1: không có tiêu chí cha 3 đứng trước nó."),
    (lambda d: node(d, "1.2").update(code="1.3"), "Tiêu chí 1.3: sai thứ tự; sau 1.1 phải là 1.2."),
    (lambda d: d["nodes"].insert(0, d["nodes"].pop(5)), "Tiêu chí 2: sai thứ tự; ở vị trí đầu phải là 1."),
    (lambda d: node(d, "1.1").update(max=5), "Tiêu chí 1.1: điểm tối đa 5 khác tổng điểm các tiêu chí con 4."),
    (lambda d: d["set"].update(total=12), "Bộ tiêu chí: tổng điểm các lĩnh vực là 10, khác tổng điểm khai báo 12."),
    (lambda d: node(d, "1.2").update(step=0.75), "Tiêu chí 1.2: điểm tối đa 2 không chia hết cho bước điểm 0,75."),
    (lambda d: node(d, "1.2").update(step=0), "Tiêu chí 1.2: bước điểm (step) phải lớn hơn 0."),
    (lambda d: node(d, "1.2").update(max="1,5"), "Tiêu chí 1.2: điểm tối đa (max) '1,5' dùng dấu phẩy"),
    (lambda d: node(d, "1.2").update(max="hai"), "Tiêu chí 1.2: điểm tối đa (max) 'hai' không phải là số."),
    (lambda d: node(d, "1.2").update(max=-2), "Tiêu chí 1.2: điểm tối đa (max) phải lớn hơn 0."),
    (lambda d: node(d, "1.2").update(source="bogus"), "Tiêu chí 1.2: nguồn điểm (source) 'bogus' không hợp lệ"),
    (lambda d: node(d, "1.2").update(na_allowed="có"), "Tiêu chí 1.2: na_allowed"),
    (lambda d: node(d, "1.2").update(office="XYZ"), "Tiêu chí 1.2: cơ quan thẩm định 'XYZ' không có trong danh mục cơ quan."),
    (lambda d: node(d, "1.2").update(guidance=""), "Tiêu chí 1.2: thiếu cách chấm điểm (guidance)."),
    (lambda d: node(d, "1.2").update(evidence=None), "Tiêu chí 1.2: thiếu tài liệu kiểm chứng cần có (evidence)."),
    (lambda d: node(d, "1.2").update(title=" "), "Tiêu chí 1.2: thiếu nội dung (title)."),
    (lambda d: node(d, "1.2").update(gudance="typo"), "Tiêu chí 1.2: khóa không hợp lệ 'gudance'."),
    (lambda d: node(d, "1.2").update(code=1.2), "Mục thứ 5 trong danh sách: mã số thập phân"),
    (lambda d: node(d, "1.2").pop("code"), "Mục thứ 5 trong danh sách: thiếu mã (code)."),
    (lambda d: d["nodes"].append("không phải tiêu chí"), "Mục thứ 8 trong danh sách: không phải là một tiêu chí"),
    (lambda d: d["nodes"].extend([{"code": "2.1.1", "title": "a", "max": 4}, {"code": "2.1.1.1", "title": "b", "max": 4},
                                  {"code": "2.1.1.1.1", "title": "c", "max": 4, "guidance": "g", "evidence": "e"}]),
     "Tiêu chí 2.1.1.1.1: cây tiêu chí sâu quá 4 cấp."),
    (lambda d: d["set"].pop("code"), "Phần 'set': thiếu mã bộ tiêu chí (code)."),
    (lambda d: d["set"].update(year="2022a"), "Phần 'set': năm (year) '2022a' không hợp lệ."),
    (lambda d: d["set"].update(applies_to="huyen"), "Phần 'set': applies_to 'huyen' không hợp lệ"),
    (lambda d: d["set"].update(colour="red"), "Phần 'set': khóa không hợp lệ 'colour'."),
    (lambda d: d["defaults"].update(source="nowhere"), "Phần 'defaults': nguồn điểm (source) 'nowhere' không hợp lệ"),
    (lambda d: node(d, "1.2").update(source="bonus"), "Tiêu chí 1: một lĩnh vực không được trộn"),
])
def test_each_error_is_one_vietnamese_line_naming_the_code(change, expected):
    errors = errors_of(mutate(change))
    assert any(e.startswith(expected) for e in errors), errors


def test_every_error_is_listed_not_just_the_first():
    def many(d):
        node(d, "1.2").update(guidance="", step=0.75)
        d["nodes"].append({"code": "1.1.1", "title": "trùng", "max": 1})
        d["set"]["year"] = 1800
    errors = errors_of(mutate(many))
    assert len(errors) >= 4, errors


def test_bonus_and_penalty_stay_outside_the_total():
    def add_bonus(d):
        d["nodes"].append({"code": "3", "title": "Điểm thưởng", "max": 1, "office": "NV", "source": "bonus"})
        d["nodes"].append({"code": "3.1", "title": "Sáng kiến", "max": 1, "guidance": "g", "evidence": "e"})
    cs = parse_set(mutate(add_bonus), OFFICES)
    assert cs.total == 10 and cs.points_by_source()["bonus"] == 1


@pytest.mark.parametrize("text, expected", [
    ("", "Tệp không đúng cấu trúc"),
    ("set: [1, 2\nnodes: x", "Tệp YAML sai cú pháp ở dòng"),
    ("- a\n- b\n", "Tệp không đúng cấu trúc"),
    ("set: {code: A, name: B, year: 2022, total: 1}\nnodes: []\n", "Phần 'nodes' phải là danh sách tiêu chí và không được rỗng."),
])
def test_broken_files_are_refused_with_a_reason(text, expected):
    with pytest.raises(CriteriaError) as info:
        load_yaml_text(text)
    assert info.value.errors[0].startswith(expected)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(CriteriaError) as info:
        load_yaml_file(tmp_path / "khong-co.yaml")
    assert "Không tìm thấy tệp" in info.value.errors[0]


@pytest.mark.parametrize("change, expected", [
    (lambda d: d.update(set=["không", "phải"]), "Phần 'set' phải có các mục code, name, year, total."),
    (lambda d: d["set"].pop("name"), "Phần 'set': thiếu tên bộ tiêu chí (name)."),
    (lambda d: d["set"].update(version=0), "Phần 'set': phiên bản (version) '0' phải là số nguyên dương."),
    (lambda d: d["set"].update(is_template="có"), "Phần 'set': is_template phải là true hoặc false."),
    (lambda d: d["set"].update(total="một trăm"), "Phần 'set': tổng điểm (total) 'một trăm' không phải là số."),
    (lambda d: d.update(defaults=[1, 2]), "Phần 'defaults' phải là các cặp khóa: giá trị."),
    (lambda d: d["defaults"].update(colour=1), "Phần 'defaults': khóa không hợp lệ 'colour'."),
    (lambda d: node(d, "1").pop("office"), "Tiêu chí 1.1.1: thiếu cơ quan thẩm định (office)."),
])
def test_header_and_defaults_errors(change, expected):
    errors = errors_of(mutate(change))
    assert any(e.startswith(expected) for e in errors), errors


def test_sum_errors_are_listed_together_with_other_errors():
    def two(d):
        node(d, "1.1.1").update(guidance="")
        node(d, "1.1").update(max=5)
    errors = errors_of(mutate(two))
    assert "Tiêu chí 1.1.1: thiếu cách chấm điểm (guidance)." in errors
    assert "Tiêu chí 1.1: điểm tối đa 5 khác tổng điểm các tiêu chí con 4." in errors


def test_an_unreadable_maximum_does_not_add_a_misleading_sum_error():
    errors = errors_of(mutate(lambda d: node(d, "1.1.1").update(max="hai")))
    assert errors == ["Tiêu chí 1.1.1: điểm tối đa (max) 'hai' không phải là số."]


def test_a_file_that_is_not_utf8_or_not_a_file_is_refused(tmp_path):
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("set: {name: Bộ}".encode("cp1258", errors="replace") + b"\xff\xfe")
    with pytest.raises(CriteriaError, match="không phải văn bản UTF-8"):
        load_yaml_file(latin)
    with pytest.raises(CriteriaError, match="Không đọc được tệp"):
        load_yaml_file(tmp_path)
