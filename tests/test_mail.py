"""Urging e-mails against a real SMTP server started by the test (aiosmtpd on a free port): the
message arrives at the commune account's address in Vietnamese with the deadline as dd/mm/yyyy;
a refused connection is written on the notice, and the notice stays."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from cchc import config
from cchc.services import urging, users

from .test_assessment import ADMIN, OTHER, OWN, YEAR


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("CCHC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CCHC_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("CCHC_SMTP_STARTTLS", "0")
    monkeypatch.setenv("CCHC_SMTP_FROM", "noivu@huongson.hatinh.gov.vn")
    yield inbox
    controller.stop()


def _commune_account(storage, code=OWN, name="sonhong", address="vanthu@sonhong.hatinh.gov.vn"):
    users.add_user(storage, ADMIN, name, f"Cán bộ {name}", "commune", "MatKhau#2022", unit_code=code, email=address)


def test_the_notice_goes_by_email_to_the_communes_account(storage, on_day, smtp_server):
    on_day("2022-11-08")
    _commune_account(storage)
    sent = urging.send(storage, ADMIN, YEAR, [OWN, OTHER])
    by_unit = {s.unit_code: s for s in sent}
    assert by_unit[OWN].email_status == "sent" and by_unit[OTHER].email_status == "no_address"
    assert len(smtp_server.messages) == 1
    rcpt, msg = smtp_server.messages[0]
    assert rcpt == ["vanthu@sonhong.hatinh.gov.vn"] and msg["To"] == "vanthu@sonhong.hatinh.gov.vn"
    assert msg["From"] == "noivu@huongson.hatinh.gov.vn"
    assert msg["Subject"] == ("Đôn đốc nộp báo cáo tự đánh giá Chỉ số CCHC năm 2022 — Xã Sơn Hồng "
                              "(hạn 10/11/2022)")
    body = msg.get_content()
    assert "Kính gửi: Xã Sơn Hồng" in body and "Hạn nộp báo cáo tự đánh giá năm 2022: 10/11/2022 (còn 2 ngày)" in body
    assert "UBND huyện Hương Sơn" in body
    notice = next(n for n in storage.all("urging_list", year=YEAR) if n["unit_code"] == OWN)
    assert notice["email_status"] == "sent" and notice["email_to"] == "vanthu@sonhong.hatinh.gov.vn"
    assert notice["email_at"] is not None and notice["email_error"] is None
    kind, text = urging.outcome_text(sent)
    assert kind == "ok" and "Đã gửi e-mail tới 1 đơn vị" in text and "Xã Sơn Tiến" in text


def test_a_refused_connection_is_recorded_and_the_notice_stays(storage, on_day, monkeypatch):
    on_day("2022-11-11")
    _commune_account(storage)
    monkeypatch.setenv("CCHC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CCHC_SMTP_PORT", str(_free_port()))          # nothing listens there
    monkeypatch.setenv("CCHC_SMTP_STARTTLS", "0")
    monkeypatch.setenv("CCHC_SMTP_FROM", "noivu@huongson.hatinh.gov.vn")
    sent = urging.send(storage, ADMIN, YEAR, [OWN])
    assert sent[0].email_status == "failed" and "Không kết nối được máy chủ thư 127.0.0.1" in sent[0].email_error
    notice = storage.all("urging_list", year=YEAR)[0]
    assert notice["email_status"] == "failed" and "Không kết nối được" in notice["email_error"]
    assert urging.latest_for_unit(storage, ADMIN, YEAR, OWN)["id"] == notice["id"]   # the notice stays
    kind, text = urging.outcome_text(sent)
    assert kind == "warning" and "Gửi e-mail lỗi (thông báo vẫn được ghi)" in text


def test_no_server_no_email_and_the_panel_says_so(storage, on_day, monkeypatch):
    monkeypatch.delenv("CCHC_SMTP_HOST", raising=False)
    _commune_account(storage)
    assert "Chưa cấu hình máy chủ thư" in urging.mail_server_problem()
    sent = urging.send(storage, ADMIN, YEAR, [OWN])
    assert sent[0].email_status == "no_server" and sent[0].email_to == "vanthu@sonhong.hatinh.gov.vn"


@pytest.mark.parametrize("env, message", [
    ({"CCHC_SMTP_HOST": "mail.x.vn", "CCHC_SMTP_PORT": "abc", "CCHC_SMTP_FROM": "a@x.vn"}, "CCHC_SMTP_PORT"),
    ({"CCHC_SMTP_HOST": "mail.x.vn", "CCHC_SMTP_STARTTLS": "co", "CCHC_SMTP_FROM": "a@x.vn"}, "CCHC_SMTP_STARTTLS"),
    ({"CCHC_SMTP_HOST": "mail.x.vn"}, "CCHC_SMTP_FROM"),
])
def test_unusable_mail_settings_are_named(env, message):
    with pytest.raises(config.ConfigError, match=message):
        config.smtp_from_env(env)


def test_mail_settings_and_their_defaults():
    assert config.smtp_from_env({}) is None
    s = config.smtp_from_env({"CCHC_SMTP_HOST": "mail.x.vn", "CCHC_SMTP_USER": "noivu@x.vn", "CCHC_SMTP_PASSWORD": "p"})
    assert (s.port, s.starttls, s.sender, s.password) == (587, True, "noivu@x.vn", "p") and s.timeout <= 10
