"""Send windows in the subscriber's zone, across weekends and daylight-saving changes (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from campaigns.scheduling import SendWindow, due_time, next_allowed_moment

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAYS_9_TO_5 = SendWindow(9, 17, 0b0011111)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_moment_inside_the_window_is_kept() -> None:
    assert next_allowed_moment(utc(2030, 1, 7, 15), WEEKDAYS_9_TO_5, NEW_YORK) == utc(2030, 1, 7, 15)


def test_after_hours_moves_to_the_next_morning_local_time() -> None:
    # 18:00 Monday in New York -> 09:00 Tuesday in New York (14:00 UTC in winter).
    assert next_allowed_moment(utc(2030, 1, 7, 23), WEEKDAYS_9_TO_5, NEW_YORK) == utc(2030, 1, 8, 14)


def test_a_weekend_moves_to_monday_morning() -> None:
    assert next_allowed_moment(utc(2030, 1, 5, 12), WEEKDAYS_9_TO_5, NEW_YORK) == utc(2030, 1, 7, 14)


def test_the_same_utc_moment_is_judged_in_each_subscribers_zone() -> None:
    moment = utc(2030, 1, 7, 15)  # 10:00 Monday in New York, 00:00 Tuesday in Tokyo
    assert next_allowed_moment(moment, WEEKDAYS_9_TO_5, NEW_YORK) == moment
    assert next_allowed_moment(moment, WEEKDAYS_9_TO_5, TOKYO) == utc(2030, 1, 8, 0)


def test_nine_oclock_stays_nine_oclock_across_the_spring_change() -> None:
    # Clocks go forward on Sunday 10 March 2030 in New York: 09:00 is 14:00 UTC before, 13:00 UTC after.
    friday_evening = utc(2030, 3, 8, 23)
    assert next_allowed_moment(friday_evening, WEEKDAYS_9_TO_5, NEW_YORK) == utc(2030, 3, 11, 13)


def test_nine_oclock_stays_nine_oclock_across_the_autumn_change() -> None:
    friday_evening = utc(2030, 11, 1, 22)  # clocks go back on Sunday 3 November 2030
    assert next_allowed_moment(friday_evening, WEEKDAYS_9_TO_5, NEW_YORK) == utc(2030, 11, 4, 14)


def test_an_opening_inside_the_spring_gap_moves_past_it() -> None:
    at_two = SendWindow(2, 4)  # 02:00 does not exist on 10 March 2030 in New York
    assert next_allowed_moment(utc(2030, 3, 10, 5), at_two, NEW_YORK) == utc(2030, 3, 10, 7)


def test_a_delay_counts_first_then_the_window_applies() -> None:
    friday_noon = utc(2030, 1, 4, 17)
    assert due_time(friday_noon, 3 * 24 * 60, WEEKDAYS_9_TO_5, NEW_YORK) == utc(2030, 1, 7, 17)
    assert due_time(friday_noon, 24 * 60, WEEKDAYS_9_TO_5, NEW_YORK) == utc(2030, 1, 7, 14)


def test_a_window_that_never_opens_is_refused() -> None:
    with pytest.raises(ValueError, match="no time"):
        next_allowed_moment(utc(2030, 1, 7, 15), SendWindow(9, 17, 0), NEW_YORK)


def test_the_window_is_described_in_words() -> None:
    assert WEEKDAYS_9_TO_5.describe() == "Mon-Fri 09:00-17:00"
    assert SendWindow(8, 12, 0b0010101).describe() == "Mon, Wed, Fri 08:00-12:00"
    assert SendWindow(9, 17, 0b1100011).describe() == "Mon, Tue, Sat, Sun 09:00-17:00"
    assert SendWindow(9, 17, 0b0011111 | 0b1000000).describe() == "Mon-Fri, Sun 09:00-17:00"
    assert SendWindow(0, 24).describe() == "every day 00:00-24:00"
    assert SendWindow(9, 17, 0).describe() == "never 09:00-17:00"
