"""Working days (工作日) of the China calendar, as the complaint limits count them."""

from datetime import date

from chalicelib.complaints import workdays


def test_given_a_filing_before_national_day_2026_then_seven_working_days_skip_the_holiday_and_count_the_make_up_day():
    # 1-7 October 2026 off; Saturday 10 October a make-up working day (调休)
    assert workdays.add_working_days(date(2026, 9, 29), 7) == (date(2026, 10, 14), workdays.OFFICIAL)
    assert workdays.is_workday(date(2026, 10, 10)) == (True, True)
    assert workdays.is_workday(date(2026, 10, 5)) == (False, True)


def test_given_the_spring_festival_2026_then_fifteen_working_days_run_past_it():
    # 15-23 February 2026 off (Spring Festival), Saturday 14 and 28 February worked
    due, calendar = workdays.add_working_days(date(2026, 2, 10), 15)
    assert calendar == workdays.OFFICIAL
    assert due == date(2026, 3, 9)


def test_given_a_year_without_a_published_schedule_then_weekdays_count_and_the_calendar_says_so():
    due, calendar = workdays.add_working_days(date(2026, 12, 28), 7)
    assert (due, calendar) == (date(2027, 1, 6), workdays.WEEKDAYS)
