"""Wall-clock time in Vietnam. Every timestamp the app stores is Vietnam time without a zone,
whatever the server's own time zone is, so that deadlines (calendar days) and times shown to
people agree."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def wall_now() -> dt.datetime:
    return dt.datetime.now(TIME_ZONE).replace(tzinfo=None)


def from_timestamp(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, TIME_ZONE).replace(tzinfo=None)
