"""Creating a database: reference data from data/, and on request a believable demo.

Reference data and the demo are written in one transaction together with the `initialized`
marker, so an interrupted first start leaves nothing half-written and simply runs again.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import random
from pathlib import Path
from typing import Any

from cchc import config
from cchc.core import criteria, yaml_text
from cchc.core.permissions import CLI_USER, User
from cchc.core.text import ascii_slug, nfc
from cchc.db.storage import Storage, Tx
from cchc.services.common import DEMO_TODAY_KEY, now
from cchc.services.council import demo_council
from cchc.services.reference import store_criteria_set
from cchc.services.users import hash_password

DOC_KINDS = ("KH", "BC", "QĐ", "TB")
DEMO_ACTOR = User(username="demo", full_name="Dữ liệu minh họa", role="admin")


@functools.cache
def district_config(data_dir: Path = config.DATA_DIR) -> dict[str, Any]:
    """data/district.yaml, read once per process (the app shows the district name on every run)."""
    return nfc(yaml_text.load((data_dir / "district.yaml").read_text(encoding="utf-8")))


def read_units(data_dir: Path, cfg: dict) -> list[dict]:
    d = cfg["district"]
    with open(data_dir / d["units_file"], encoding="utf-8-sig", newline="") as fh:
        return [dict(code=r["commune_code"], name=r["commune_name"], kind=r["commune_type"],
                     district_code=d["code"], district_name=d["name"],
                     province_code=d["province_code"], province_name=d["province_name"],
                     valid_from=d["units_valid_from"], valid_to=None)
                for r in csv.DictReader(fh)]


def read_offices(data_dir: Path, cfg: dict) -> list[dict]:
    with open(data_dir / cfg["offices_file"], encoding="utf-8-sig", newline="") as fh:
        return [dict(code=r["office_code"], name=r["office_name"]) for r in csv.DictReader(fh)]


def is_initialized(storage: Storage) -> bool:
    return storage.scalar("setting_get", key="initialized") == "1"


def initialize(storage: Storage, demo: bool, data_dir: Path = config.DATA_DIR) -> bool:
    """Seed reference data (and the demo) once; return False if the database was seeded already."""
    if is_initialized(storage):
        return False
    cfg = district_config(data_dir)
    units = read_units(data_dir, cfg)
    offices = read_offices(data_dir, cfg)
    office_codes = [o["code"] for o in offices]
    sets = {p["year"]: criteria.load_yaml_file(data_dir / p["criteria_file"], office_codes)
            for p in cfg["periods"]}
    demo_hash = hash_password(cfg["demo"]["password"]) if demo else None

    def work(tx: Tx) -> bool:
        # Checked again in the transaction: two instances starting at once on one new PostgreSQL
        # database both get here; the second sees the first one's seed (or a conflict, retried).
        if (tx.one("setting_get", key="initialized") or {}).get("value") == "1":
            return False
        if demo:         # first, so that every row of the seed is stamped with the demo's day
            tx.run("setting_put", key=DEMO_TODAY_KEY, value=cfg["demo"]["today"].isoformat())
        tx.many("unit_upsert", units)
        tx.many("unit_name_insert", [dict(code=u["code"], from_year=u["valid_from"], name=u["name"], kind=u["kind"])
                                     for u in units])
        tx.many("office_upsert", offices)
        for p in cfg["periods"]:
            row = {"explanation_deadline": None, "band_good": 80, "band_fair": 70, "band_average": 60} | \
                {k: v for k, v in p.items() if k != "criteria_file"}
            set_id = store_criteria_set(tx, CLI_USER, sets[p["year"]])
            tx.run("period_insert", **row, criteria_set_id=set_id)
        tx.audit(CLI_USER.username, "init", "database", "reference",
                 new={"units": len(units), "offices": len(offices), "periods": [p["year"] for p in cfg["periods"]]})
        if demo:
            _seed_demo(tx, cfg, units, sets, demo_hash)
        tx.run("setting_put", key="demo", value="1" if demo else "0")
        tx.run("setting_put", key="initialized", value="1")
        return True

    return storage.write(work)


def open_database(settings: config.Settings, demo_if_new: bool = True) -> Storage:
    """Open (creating if needed) and migrate the database; seed it on first use."""
    storage = Storage(settings.db_path)
    storage.migrate()
    if not is_initialized(storage):
        initialize(storage, demo=demo_if_new)
    return storage


# ------------------------------------------------------------------ the demo


def demo_accounts(units: list[dict]) -> list[dict]:
    """One account per role and one per commune; the login page lists them."""
    accounts = [
        dict(username="admin", full_name="Chuyên viên Phòng Nội vụ", role="admin", unit_code=None, office_code=None),
        dict(username="lanhdao", full_name="Chủ tịch UBND huyện", role="leader", unit_code=None, office_code=None),
        dict(username="hoidong", full_name="Thành viên Hội đồng (Phòng Nội vụ)", role="council", unit_code=None, office_code="NV"),
    ]
    for u in units:
        accounts.append(dict(username=ascii_slug(u["name"]), full_name=f"Cán bộ {u['name']}",
                             role="commune", unit_code=u["code"], office_code=None))
    return accounts


def demo_usernames(data_dir: Path = config.DATA_DIR) -> set[str]:
    """The accounts the demo creates with the shared demo password (listed on the login page)."""
    return {a["username"] for a in demo_accounts(read_units(data_dir, district_config(data_dir)))}


def _seed_demo(tx: Tx, cfg: dict, units: list[dict], sets: dict, password_hash: str) -> None:
    """Mid-campaign on the demo day: some communes submitted, some in draft, some not started."""
    rng = random.Random(2022)
    created = now()
    for acc in demo_accounts(units):
        tx.run("user_insert", **acc, password_hash=password_hash, must_change_password=False,
               is_demo=True, created_at=created)
    year = cfg["periods"][0]["year"]
    period = cfg["periods"][0]
    leaves = [n for n in sets[year].leaves() if n.source == "self_assessed"]
    order = list(units)
    rng.shuffle(order)
    submitted, drafts = order[:8], order[8:17]
    deadline = period["self_assessment_deadline"]
    for i, u in enumerate(submitted):
        at = dt.datetime.combine(deadline - dt.timedelta(days=7 - i % 7), dt.time(8 + i, 15))
        tx.run("assessment_insert", year=year, unit_code=u["code"], state="submitted",
               submitted_at=at, is_late=False, updated_at=at)
        _demo_scores(tx, rng, year, u["code"], leaves, share=1.0, at=at)
    for u in drafts:
        at = dt.datetime.combine(deadline - dt.timedelta(days=rng.randint(1, 6)), dt.time(14, 30))
        tx.run("assessment_insert", year=year, unit_code=u["code"], state="draft",
               submitted_at=None, is_late=False, updated_at=at)
        _demo_scores(tx, rng, year, u["code"], leaves, share=rng.uniform(0.3, 0.9), at=at)
    _demo_survey(tx, rng, year, order[:18], period)
    demo_council(tx, year)
    tx.run("setting_put", key=DEMO_TODAY_KEY, value=cfg["demo"]["today"].isoformat())
    tx.audit(DEMO_ACTOR.username, "demo.seed", "database", "demo",
             new={"submitted": len(submitted), "draft": len(drafts), "today": cfg["demo"]["today"]})


def _demo_scores(tx: Tx, rng: random.Random, year: int, unit_code: str, leaves: list,
                 share: float, at: dt.datetime) -> None:
    count = max(1, round(len(leaves) * share))
    rows, docs = [], []
    for leaf in leaves[:count]:
        na = leaf.na_allowed and rng.random() < 0.15
        steps = int(leaf.max_points / leaf.step)
        lost = 0 if rng.random() < 0.6 else rng.randint(1, steps)
        points = None if na else leaf.max_points - leaf.step * lost
        rows.append(dict(year=year, unit_code=unit_code, criterion_code=leaf.code,
                         self_points=points, not_applicable=na, note="",
                         explanation="", updated_at=at, updated_by="demo"))
        if points:
            docs.append(dict(year=year, unit_code=unit_code, criterion_code=leaf.code,
                             doc_number=f"{rng.randint(1, 250)}/{rng.choice(DOC_KINDS)}-UBND",
                             issued_on=dt.date(year, rng.randint(1, 10), rng.randint(1, 28)),
                             summary=leaf.evidence.rstrip("."), at=at, by="demo"))
    tx.many("score_insert", rows)
    tx.many("evidence_doc_insert_plain", docs)


def _demo_survey(tx: Tx, rng: random.Random, year: int, units: list[dict], period: dict) -> None:
    """About 700 citizens' questionnaires, question by question (a few flagged, one caught by the
    honeypot), and the officials' survey answered for some communes."""
    import json

    from cchc.core import survey

    q = survey.citizen_questionnaire()
    questions = q.questions()
    opens = period["survey_opens"]
    rids, codes, elements, values = [], [], [], []
    for n, u in enumerate(units):
        mood = rng.uniform(0.6, 0.95)          # how satisfied this commune's citizens tend to be
        for i in range(rng.randint(15, 70)):
            at = dt.datetime.combine(opens + dt.timedelta(days=rng.randint(0, 38)), dt.time(rng.randint(7, 16), rng.randint(0, 59)))
            web = rng.random() < 0.7
            flags = "rate" if web and n == 0 and i < 4 else ""
            trap = web and n == 1 and i == 0
            profile = {p.key: rng.choice(p.options) for p in q.profile if rng.random() < 0.9}
            rid = tx.one("survey_submit_insert", year=year, unit_code=u["code"], channel="web" if web else "paper",
                         submitted_at=at, questionnaire=f"{q.code}/{q.version}",
                         profile=json.dumps(profile, ensure_ascii=False, sort_keys=True),
                         overall=rng.choice((4, 5)) if rng.random() < mood else rng.choice((2, 3)),
                         suggestion="", client_key=None, browser_key=None, answers_key=None,
                         flags="honeypot" if trap else flags, excluded=trap,
                         exclude_reason=survey.FLAGS["honeypot"] if trap else "",
                         excluded_by="he-thong" if trap else None, entered_by=None if web else "demo")["id"]
            for question in questions:
                rids.append(rid)
                codes.append(question.code)
                elements.append(question.element)
                values.append(rng.choice((4, 5)) if rng.random() < mood else rng.choice((1, 2, 3)))
    tx.run("survey_answers_insert_rows", response_ids=rids, questions=codes, elements=elements, ratings=values)
    tx.run("survey_flagged_reviewed", year=year, actor="demo", at=dt.datetime.combine(opens, dt.time(17)),
           reason="Người nhà dùng chung một điện thoại")
    _demo_officials(tx, rng, year, units[:10], opens)


def _demo_officials(tx: Tx, rng: random.Random, year: int, units: list[dict], opens: dt.date) -> None:
    from cchc.core import survey

    oq = survey.official_questionnaire()
    for u in units:
        lean = rng.uniform(0.5, 0.9)           # how well the officials rate this commune
        for g in oq.groups:
            codes = [survey.new_official_code() for _ in range(2)]
            tx.run("official_code_insert_many", codes=codes, year=year, group_code=g.code,
                   unit_codes=[u["code"]] * len(codes), questionnaire=f"{oq.code}/{oq.version}",
                   at=dt.datetime.combine(opens, dt.time(8)), by="demo")
            for code in codes[:1] if rng.random() < 0.3 else codes:
                tx.run("official_code_use", code=code, at=dt.datetime.combine(opens + dt.timedelta(days=rng.randint(1, 30)), dt.time(9)))
                qs = oq.for_group(g.code)
                choices = [rng.choice("AB") if rng.random() < lean else rng.choice("CD") for _ in qs]
                tx.run("official_answers_insert", code=code, questions=[x.code for x in qs],
                       criteria=[x.criterion for x in qs], choices=choices,
                       weights=[float(oq.weights[c]) for c in choices])


def add_demo(storage: Storage, data_dir: Path = config.DATA_DIR) -> None:
    """Add the demo to a database initialised without it, if it holds no real accounts yet."""
    from cchc.services.common import ServiceError, is_demo

    if is_demo(storage):
        raise ServiceError("Cơ sở dữ liệu này đã có dữ liệu minh họa.")
    if storage.scalar("user_count_real"):
        raise ServiceError("Cơ sở dữ liệu đã có tài khoản thật: không tạo dữ liệu minh họa lẫn vào dữ liệu thật.")
    cfg = district_config(data_dir)
    units = read_units(data_dir, cfg)
    year = cfg["periods"][0]["year"]
    sets = {year: criteria.load_yaml_file(data_dir / cfg["periods"][0]["criteria_file"])}
    password_hash = hash_password(cfg["demo"]["password"])

    def work(tx: Tx) -> None:
        _seed_demo(tx, cfg, units, sets, password_hash)
        tx.run("setting_put", key="demo", value="1")

    storage.write(work)
