"""What every service shares: the clock and the error type."""

from __future__ import annotations

import datetime as dt

from cchc.core.clock import wall_now
from cchc.db.storage import DEMO_TODAY_KEY, Storage, app_day

__all__ = ["DEMO_TODAY_KEY", "ServiceError", "today", "now", "clock_now", "is_demo"]


class ServiceError(ValueError):
    """A refusal or a bad input; the message is Vietnamese and says what and where."""


def today(storage: Storage) -> dt.date:
    """The clock: CCHC_TODAY if set, else the demo's fixed day if this is a demo, else today.
    The audit log is stamped with the same day (`Tx.now`), with the real time of day."""
    return app_day(lambda key: storage.scalar("setting_get", key=key)) or wall_now().date()


def now() -> dt.datetime:
    """Wall-clock time in Vietnam, to the second, without a zone (as stored); clock_now() is the
    app's clock (a demo's day) with this time of day."""
    return wall_now().replace(microsecond=0)


def clock_now(storage: Storage) -> dt.datetime:
    """The app's clock (today(), which a demo or a test may set) with the time of day: for
    the workflow's own timestamps, so that a submission is dated on the day it counts for."""
    return dt.datetime.combine(today(storage), now().time())


def is_demo(storage: Storage) -> bool:
    return storage.scalar("setting_get", key="demo") == "1"
