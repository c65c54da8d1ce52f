"""What every service shares: the clock and the error type."""

from __future__ import annotations

import datetime as dt

from .. import config
from ..storage import Storage

DEMO_TODAY_KEY = "demo_today"


class ServiceError(ValueError):
    """A refusal or a bad input; the message is Vietnamese and says what and where."""


def today(storage: Storage) -> dt.date:
    """The clock: CCHC_TODAY if set, else the demo's fixed day if this is a demo, else today."""
    override = config.from_env().today
    if override:
        return override
    demo_day = storage.scalar("setting_get", key=DEMO_TODAY_KEY)
    return dt.date.fromisoformat(demo_day) if demo_day else dt.date.today()


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def is_demo(storage: Storage) -> bool:
    return storage.scalar("setting_get", key="demo") == "1"
