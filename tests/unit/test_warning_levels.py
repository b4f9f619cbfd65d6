"""How a warning indicator judges a tally: rates, counts and rises against the four levels and the minimum sample."""

from __future__ import annotations

from tests.support import env

env.apply()

from chalicelib.warnings.service import Tally, _judge  # noqa: E402
from chalicelib.warnings.store import IndicatorRecord  # noqa: E402

LEVELS = {"blue": 0.1, "yellow": 0.25, "orange": 0.5, "red": 0.75}


def indicator(measure: str, thresholds: dict[str, float] = LEVELS, min_sample: int = 4) -> IndicatorRecord:
    return IndicatorRecord(
        id="x",
        name="x",
        measure=measure,
        family="risk",
        numerator="failed",
        denominator="tested" if measure == "rate" else None,
        scope="county",
        window_days=7,
        min_sample=min_sample,
        thresholds=thresholds,
    )


def test_a_rate_reaches_the_highest_level_whose_threshold_it_meets_once_the_sample_is_large_enough():
    rate = indicator("rate")
    assert _judge(rate, Tally(numerator=1, denominator=4)) == ("yellow", 0.25)
    assert _judge(rate, Tally(numerator=3, denominator=4)) == ("red", 0.75)
    assert _judge(rate, Tally(numerator=0, denominator=40)) == (None, 0.0)
    assert _judge(rate, Tally(numerator=3, denominator=3)) == (None, None)  # under the minimum sample


def test_a_count_and_a_rise():
    count = indicator("count", {"blue": 2, "yellow": 3, "orange": 5, "red": 8}, min_sample=2)
    assert _judge(count, Tally(numerator=5)) == ("orange", 5.0)
    assert _judge(count, Tally(numerator=1))[0] is None
    # complaints this window against the previous one: 12 after 4 is a threefold rise
    rise = indicator("rise", {"blue": 1.5, "yellow": 2, "orange": 3, "red": 5}, min_sample=10)
    assert _judge(rise, Tally(numerator=12, previous=4)) == ("orange", 3.0)
    assert _judge(rise, Tally(numerator=9, previous=1)) == (None, None)  # too few to judge
