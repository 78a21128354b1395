"""Tests for the XmR SPC engine in rrp.spc (worked examples checked by hand).

Most rule tests append points to a fixed baseline, so the limits are easy to
check by hand and do not move when the signal is added:

    BASELINE = 9, 11, 9, 11, ... (12 points), fix_after=12
    mean = (6 * 9 + 6 * 11) / 12 = 120 / 12 = 10
    moving ranges: eleven ranges of |11 - 9| = 2, so AMR = 22 / 11 = 2
    upl = 10 + 2.66 * 2 = 15.32          lpl = 10 - 2.66 * 2 = 4.68
    near_upl = 10 + (2 * 2.66 / 3) * 2 = 13.5467 (to 4 d.p.)
    near_lpl = 10 - 3.5467 = 6.4533
    The baseline alternates around the mean, so it has no signal of its own;
    its last point (index 11) is 11, above the mean.
"""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from rrp.spc import COLOURS, POINT_TYPES, RULES, rule_label, summarise, xmr

BASELINE = [9, 11] * 6
COMMON = "Common Cause"


def monthly(values, start="2024-01"):
    """Return values as a Series indexed by monthly Periods."""
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"))


def fixed(extra, **kwargs):
    """Return the chart of BASELINE + extra with limits fixed on the baseline."""
    return xmr(monthly(BASELINE + list(extra)), fix_after=12, **kwargs)


def rules_after_baseline(extra, **kwargs):
    """Return the rules of the points appended to the baseline."""
    return list(fixed(extra, **kwargs)["rule"].iloc[12:])


# --- Limits -----------------------------------------------------------------


def test_worked_example_gives_hand_calculated_mean_amr_and_limits():
    # values: 12 10 13 9 11 10 8 11 9 10 9 8, sum 120 -> mean = 120 / 12 = 10
    # moving ranges: 2 3 4 2 1 2 3 2 1 1 1, sum 22 -> AMR = 22 / 11 = 2
    # no range >= 3.267 * 2 = 6.534, so screening removes nothing
    # upl = 10 + 2.66 * 2 = 15.32, lpl = 10 - 5.32 = 4.68
    # near limits = 10 +/- 1.7733 * 2 = 13.5467 / 6.4533
    df = xmr(monthly([12, 10, 13, 9, 11, 10, 8, 11, 9, 10, 9, 8]))

    assert df["mean"].iloc[0] == pytest.approx(10)
    assert df["amr"].iloc[0] == pytest.approx(2)
    assert df["upl"].iloc[0] == pytest.approx(15.32)
    assert df["lpl"].iloc[0] == pytest.approx(4.68)
    assert df["near_upl"].iloc[0] == pytest.approx(13.546667, abs=1e-6)
    assert df["near_lpl"].iloc[0] == pytest.approx(6.453333, abs=1e-6)
    assert list(df["moving_range"].iloc[1:]) == [2, 3, 4, 2, 1, 2, 3, 2, 1, 1, 1]
    assert np.isnan(df["moving_range"].iloc[0])
    assert set(df["rule"]) == {COMMON}
    assert set(df["point_type"]) == {"common_cause"}
    assert df["target"].isna().all()
    assert list(df["group"]) == [0] * 12


def test_result_keeps_the_input_index_and_lists_the_documented_columns():
    values = pd.Series([12.0, 10, 13, 9], index=pd.date_range("2024-01-01", periods=4, freq="MS"))
    df = xmr(values)

    assert df.index.equals(values.index)
    for column in ["value", "mean", "lpl", "upl", "near_lpl", "near_upl", "moving_range",
                   "amr", "group", "rule", "point_type", "target"]:  # fmt: skip
        assert column in df.columns
    assert df["group"].dtype == np.int64


def test_decimal_values_from_the_database_are_accepted():
    # Decimal("1.5") etc. behave like floats: mean (1.5 + 2.5) / 2 = 2, AMR = 1.
    df = xmr(monthly([Decimal("1.5"), Decimal("2.5")]))

    assert df["mean"].iloc[0] == pytest.approx(2)
    assert df["amr"].iloc[0] == pytest.approx(1)


# --- Special cause rules ------------------------------------------------------


def test_point_above_the_upper_limit_is_above_ucl():
    # 16 > upl 15.32
    assert rules_after_baseline([16]) == ["Above UCL"]


def test_point_below_the_lower_limit_is_below_lcl():
    # 4 < lpl 4.68
    assert rules_after_baseline([4]) == ["Below LCL"]


def test_seven_increasing_points_are_all_flagged_as_an_increasing_trend():
    # 11 (last baseline point) falls to 8, then 8 < 8.5 < ... < 11: seven points.
    # The run above/below the mean is broken by 10 (on the mean); none is near a limit.
    df = fixed([8, 8.5, 9, 9.5, 10, 10.5, 11])

    assert list(df["rule"].iloc[12:]) == ["7 Point Trend (Increasing)"] * 7
    assert set(df["rule"].iloc[:12]) == {COMMON}


def test_seven_decreasing_points_are_all_flagged_as_a_decreasing_trend():
    # 11 rises to 12, then 12 > 11.5 > ... > 9: seven points.
    assert rules_after_baseline([12, 11.5, 11, 10.5, 10, 9.5, 9]) == ["7 Point Trend (Decreasing)"] * 7


def test_six_increasing_points_are_not_a_trend():
    assert rules_after_baseline([8, 8.5, 9, 9.5, 10, 10.5]) == [COMMON] * 6


def test_equal_neighbours_break_a_trend():
    # 9.5 repeated: the steps are +, +, +, 0, +, +, so no 7 strictly increasing points.
    assert rules_after_baseline([8, 8.5, 9, 9.5, 9.5, 10, 10.5]) == [COMMON] * 7


def test_every_point_of_a_trend_longer_than_seven_is_flagged():
    # 8 points rising from 8 to 11.5, then a fall to 9 that ends the trend.
    rules = rules_after_baseline([8, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 9])

    assert rules == ["7 Point Trend (Increasing)"] * 8 + [COMMON]


def test_turning_point_shared_by_two_trends_takes_the_later_direction():
    # 13 12 11 10 9 8 7 fall (7 points), 7 8 9 10 11 12 13 rise (7 points);
    # the bottom 7 belongs to both and the package labels it by the later trend.
    rules = rules_after_baseline([13, 12, 11, 10, 9, 8, 7, 8, 9, 10, 11, 12, 13])

    assert rules[:6] == ["7 Point Trend (Decreasing)"] * 6
    assert rules[6:] == ["7 Point Trend (Increasing)"] * 7


def test_two_of_three_points_near_the_upper_limit_flag_only_those_two():
    # 14 is in the outer third (13.5467 < 14 <= 15.32); 10.5 is above the mean
    # but not near the limit, so it stays common cause.
    assert rules_after_baseline([14, 10.5, 14]) == [
        "2 in 3 Above CL",
        COMMON,
        "2 in 3 Above CL",
    ]


def test_two_of_three_points_near_the_lower_limit_flag_only_those_two():
    # 4.68 <= 6 < 6.4533; 9.5 is below the mean.
    assert rules_after_baseline([6, 9.5, 6]) == ["2 in 3 Below CL", COMMON, "2 in 3 Below CL"]


def test_two_in_three_needs_all_three_points_on_the_same_side_of_the_mean():
    # 9 is below the mean, so 14, 9, 14 is not a signal (package bug fix #143).
    assert rules_after_baseline([14, 9, 14]) == [COMMON] * 3


def test_a_point_beyond_the_limit_does_not_count_towards_two_in_three():
    # 14, 16, 10.5: only one point (14) is in the outer third; 16 is outside.
    assert rules_after_baseline([14, 16, 10.5]) == [COMMON, "Above UCL", COMMON]


def test_seven_points_above_the_mean_are_all_flagged():
    # 9 (below) then seven 11s (above, equal, so no trend).
    assert rules_after_baseline([9] + [11] * 7) == [COMMON] + ["7 Points Above CL"] * 7


def test_seven_points_below_the_mean_are_all_flagged():
    # The last baseline point (11) is above, so the run starts at the first 9.
    assert rules_after_baseline([9] * 7) == ["7 Points Below CL"] * 7


def test_six_points_above_the_mean_are_not_a_run():
    assert rules_after_baseline([9] + [11] * 6) == [COMMON] * 7


def test_a_point_on_the_mean_breaks_a_run():
    # 11 11 11 10 11 11 11: 10 equals the mean, leaving two runs of three.
    assert rules_after_baseline([9, 11, 11, 11, 10, 11, 11, 11]) == [COMMON] * 8


def test_every_point_of_a_run_longer_than_seven_is_flagged():
    assert rules_after_baseline([9] + [11] * 9) == [COMMON] + ["7 Points Above CL"] * 9


def test_outside_limits_takes_priority_over_a_trend():
    # 8 < 9 < ... < 13 < 16 is a 7-point trend, but 16 is also above upl 15.32.
    rules = rules_after_baseline([8, 9, 10, 11, 12, 13, 16])

    assert rules == ["7 Point Trend (Increasing)"] * 6 + ["Above UCL"]


def test_trend_takes_priority_over_a_run():
    # 9 then 10.5 ... 13.4 rise (8 points); the last 7 are also all above the mean.
    rules = rules_after_baseline([9, 10.5, 11, 11.5, 12, 12.5, 13, 13.4])

    assert rules == ["7 Point Trend (Increasing)"] * 8


def test_two_in_three_takes_priority_over_a_run():
    # seven points above the mean; the two 14s are also 2 of 3 near the limit.
    rules = rules_after_baseline([9, 11, 14, 11, 14, 11, 11, 11])

    run, near = "7 Points Above CL", "2 in 3 Above CL"
    assert rules == [COMMON, run, near, run, near, run, run, run]


# --- Point types ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("improvement", "high", "low"),
    [
        ("decrease", "special_cause_concern", "special_cause_improvement"),
        ("increase", "special_cause_improvement", "special_cause_concern"),
        ("neutral", "special_cause_neutral_high", "special_cause_neutral_low"),
    ],
)
def test_point_type_combines_signal_direction_with_improvement(improvement, high, low):
    assert fixed([16], improvement=improvement)["point_type"].iloc[-1] == high
    assert fixed([4], improvement=improvement)["point_type"].iloc[-1] == low
    # A decreasing trend is a low signal even where it is above the mean.
    trend = fixed([12, 11.5, 11, 10.5, 10, 9.5, 9], improvement=improvement)
    assert set(trend["point_type"].iloc[12:]) == {low}
    assert set(trend["point_type"].iloc[:12]) == {"common_cause"}


# --- Screening, fixing and rebasing ----------------------------------------------


def test_screening_drops_a_huge_moving_range_from_the_amr():
    # values 10 12 10 12 10 12 10 12 10 12 10 60: mean = (6*10 + 5*12 + 60) / 12 = 15
    # ranges: ten of 2 and one of |60 - 10| = 50 -> AMR = 70 / 11 = 6.3636
    # screened: 50 >= 3.267 * 6.3636 = 20.79 is dropped -> AMR = 20 / 10 = 2
    values = monthly([10, 12] * 5 + [10, 60])
    screened = xmr(values)
    unscreened = xmr(values, screen_outliers=False)

    assert screened["amr"].iloc[0] == pytest.approx(2)
    assert screened["upl"].iloc[0] == pytest.approx(15 + 2.66 * 2)  # 20.32
    assert unscreened["amr"].iloc[0] == pytest.approx(70 / 11)
    assert unscreened["upl"].iloc[0] == pytest.approx(15 + 2.66 * 70 / 11)  # 31.93
    assert screened["mr_excluded"].tolist() == [False] * 11 + [True]
    assert not unscreened["mr_excluded"].any()
    # The narrower limits put the 10s in the outer third (9.68 < 10 < 11.4533).
    assert screened["rule"].iloc[0] == "2 in 3 Below CL"
    assert unscreened["rule"].iloc[0] == "7 Points Below CL"
    assert screened["rule"].iloc[-1] == unscreened["rule"].iloc[-1] == "Above UCL"


def test_screening_drops_a_moving_range_exactly_at_the_screening_limit():
    # ranges: eleven of 8733 and one of |44670 - 8733| = 35937
    # AMR before screening = (11 * 8733 + 35937) / 12 = 132000 / 12 = 11000
    # screening limit = 3.267 * 11000 = 35937 (exact in floating point), and
    # ranges >= the limit are dropped -> AMR = 8733
    df = xmr(monthly([0, 8733] * 6 + [44670]))

    assert df["mr_excluded"].iloc[-1]
    assert df["amr"].iloc[0] == pytest.approx(8733)


def test_fix_after_computes_limits_from_the_first_n_points_only():
    # fixed: mean 10 and AMR 2 from the baseline (see module docstring)
    # unfixed: mean = (120 + 3 * 14) / 15 = 10.8
    #          ranges eleven 2s, |14 - 11| = 3, 0, 0 -> AMR = 25 / 14 = 1.7857
    extra = [14, 14, 14]
    fixed_df = fixed(extra)
    free_df = xmr(monthly(BASELINE + extra))

    assert set(fixed_df["mean"]) == {10}
    assert fixed_df["amr"].iloc[-1] == pytest.approx(2)
    assert fixed_df["mr_excluded"].tolist() == [False] * 12 + [True] * 3
    assert free_df["mean"].iloc[0] == pytest.approx(10.8)
    assert free_df["amr"].iloc[0] == pytest.approx(25 / 14)
    # Against the fixed limits the 14s sit in the outer third (13.55 < 14 < 15.32).
    assert list(fixed_df["rule"].iloc[12:]) == ["2 in 3 Above CL"] * 3


def test_rebase_gives_groups_with_their_own_limits_and_warns_of_trial_limits():
    # group 0: BASELINE -> mean 10, AMR 2
    # group 1: 19 21 19 21 19 21 -> mean 20, ranges 2 2 2 2 2 -> AMR 2, upl 25.32
    values = monthly(BASELINE + [19, 21] * 3)
    df = xmr(values, rebase=[pd.Period("2025-01", "M")])
    summary = df.attrs["summary"]

    assert df["group"].tolist() == [0] * 12 + [1] * 6
    assert df["mean"].iloc[0] == pytest.approx(10)
    assert df["mean"].iloc[-1] == pytest.approx(20)
    assert df["amr"].iloc[-1] == pytest.approx(2)
    assert df["upl"].iloc[-1] == pytest.approx(25.32)
    assert np.isnan(df["moving_range"].iloc[12])  # a new group has no previous point
    assert df["short_group"].tolist() == [False] * 12 + [True] * 6
    assert summary["groups"] == 2
    assert summary["trial_limits"] is True
    assert summary["trial_limits_message"] == (
        "Trial limits: the group starting 2025-01 has fewer than 12 points, "
        "so its limits may change as more data arrive."
    )


def test_without_rebase_the_same_data_form_one_group_without_trial_limits():
    df = xmr(monthly(BASELINE + [19, 21] * 3))

    # mean = (120 + 120) / 18 = 13.3333
    assert df["mean"].iloc[-1] == pytest.approx(240 / 18)
    assert df.attrs["summary"]["groups"] == 1
    assert df.attrs["summary"]["trial_limits"] is False
    assert df.attrs["summary"]["trial_limits_message"] is None


def test_rebase_accepts_a_date_string_on_a_timestamp_index():
    index = pd.date_range("2024-01-01", periods=18, freq="MS")
    df = xmr(pd.Series(BASELINE + [19, 21] * 3, index=index), rebase=["2025-01-01"])

    assert df["group"].tolist() == [0] * 12 + [1] * 6
    assert "group starting 2025-01-01 has" in df.attrs["summary"]["trial_limits_message"]


def test_rebase_at_the_first_period_does_not_add_a_group():
    df = xmr(monthly(BASELINE), rebase=[pd.Period("2024-01", "M")])

    assert set(df["group"]) == {0}


# --- Degenerate data ------------------------------------------------------------


def test_constant_series_has_zero_width_limits_and_only_common_cause():
    for screen in (True, False):
        df = xmr(monthly([5.0] * 12), screen_outliers=screen)

        assert df["amr"].iloc[0] == 0
        for column in ("mean", "lpl", "upl", "near_lpl", "near_upl"):
            assert set(df[column]) == {5.0}
        assert set(df["rule"]) == {COMMON}


def test_constant_series_is_not_flagged_by_floating_point_noise_in_the_mean():
    # sum([0.1] * 12) / 12 is not exactly 0.1 in floating point.
    df = xmr(monthly([0.1] * 12))

    assert set(df["mean"]) == {0.1}
    assert set(df["rule"]) == {COMMON}


def test_a_change_after_a_constant_fixed_baseline_is_outside_the_zero_width_limits():
    df = xmr(monthly([5.0] * 12 + [6.0]), fix_after=12)

    assert df["upl"].iloc[-1] == 5.0
    assert df["rule"].iloc[-1] == "Above UCL"


def test_a_single_point_has_no_limits_and_is_common_cause():
    df = xmr(monthly([7.0]))

    assert np.isnan(df["amr"].iloc[0])
    assert np.isnan(df["upl"].iloc[0])
    assert df["rule"].iloc[0] == COMMON
    assert df.attrs["summary"]["trial_limits"] is True


# --- Summary: variation and assurance ---------------------------------------------


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        ("decrease", 16, "pass"),  # band 4.68..15.32 wholly below 16
        ("decrease", 4, "fail"),  # band wholly above 4
        ("decrease", 10, "inconsistent"),  # 4.68 <= 10 <= 15.32
        ("increase", 16, "fail"),
        ("increase", 4, "pass"),
        ("increase", 10, "inconsistent"),
    ],
)
def test_assurance_compares_the_target_with_the_process_limits(improvement, target, expected):
    df = xmr(monthly(BASELINE), improvement=improvement, target=target)

    assert df.attrs["summary"]["assurance"] == expected
    assert set(df["target"]) == {target}


def test_assurance_labels_are_plain_english():
    pass_label = xmr(monthly(BASELINE), target=16).attrs["summary"]["assurance_label"]
    fail_label = xmr(monthly(BASELINE), target=4).attrs["summary"]["assurance_label"]

    assert pass_label == "The process is expected to consistently pass the target"
    assert fail_label == "The process is expected to consistently fail the target"


def test_assurance_uses_the_last_groups_limits():
    # group 0 band 4.68..15.32 would pass a target of 16 (decrease), but the
    # last group's band 14.68..25.32 straddles it.
    values = monthly(BASELINE + [19, 21] * 3)
    df = xmr(values, rebase=[pd.Period("2025-01", "M")], target=16)

    assert df.attrs["summary"]["assurance"] == "inconsistent"


def test_assurance_is_none_without_a_target_or_for_neutral_improvement():
    no_target = xmr(monthly(BASELINE)).attrs["summary"]
    neutral = xmr(monthly(BASELINE), improvement="neutral", target=16).attrs["summary"]

    assert no_target["assurance"] is None
    assert no_target["assurance_label"] is None
    assert neutral["assurance"] is None


@pytest.mark.parametrize(
    ("extra", "improvement", "variation", "label"),
    [
        ([], "decrease", "common_cause", "Common cause variation"),
        ([16], "decrease", "special_cause_concern", "Special cause variation – concern (higher)"),
        ([4], "decrease", "special_cause_improvement",
         "Special cause variation – improvement (lower)"),
        ([16], "increase", "special_cause_improvement",
         "Special cause variation – improvement (higher)"),
        ([4], "increase", "special_cause_concern", "Special cause variation – concern (lower)"),
        ([16], "neutral", "special_cause_neutral_high",
         "Special cause variation – neither improvement nor concern (higher)"),
    ],
)  # fmt: skip
def test_variation_is_the_type_of_the_last_point(extra, improvement, variation, label):
    summary = fixed(extra, improvement=improvement).attrs["summary"]

    assert summary["variation"] == variation
    assert summary["variation_label"] == label


def test_an_earlier_signal_does_not_set_the_variation_icon():
    df = fixed([16, 10])

    assert df["point_type"].iloc[12] == "special_cause_concern"
    assert df.attrs["summary"]["variation"] == "common_cause"


def test_summary_reports_the_last_point():
    summary = fixed([16]).attrs["summary"]

    assert summary["last_value"] == 16.0
    assert summary["last_period"] == pd.Period("2025-01", "M")
    assert summary["groups"] == 1
    assert summary["trial_limits"] is False


def test_summarise_reinterprets_the_chart_for_another_improvement_and_target():
    df = fixed([16])  # computed with improvement="decrease", no target

    summary = summarise(df, improvement="increase", target=4)

    assert summary["variation"] == "special_cause_improvement"
    assert summary["assurance"] == "pass"  # band 4.68..15.32 wholly above 4


def test_summarise_reads_the_target_from_the_chart_when_not_given():
    df = xmr(monthly(BASELINE), target=16)

    assert summarise(df, improvement="decrease")["assurance"] == "pass"


# --- Constants and helpers --------------------------------------------------------


def test_constants_list_every_rule_point_type_and_colour():
    assert len(RULES) == 9
    assert RULES[0] == "Above UCL"
    assert RULES[-1] == "Common Cause"
    assert len(POINT_TYPES) == 5
    assert set(POINT_TYPES) | {"target"} == set(COLOURS)
    assert COLOURS["special_cause_improvement"] == "#00b0f0"
    assert COLOURS["special_cause_concern"] == "#e46c0a"


def test_rule_label_describes_each_rule_in_plain_english():
    assert rule_label("7 Points Below CL") == "Seven or more points in a row below the mean"
    assert all(rule_label(rule) for rule in RULES)
    with pytest.raises(ValueError, match="unknown rule"):
        rule_label("8 Points")


# --- Input validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [
        (pd.Series([], dtype=float), {}, "empty"),
        (monthly(["a", "b"]), {}, "numeric"),
        (monthly([True, False]), {}, "numeric"),
        (monthly([1.0, 2.0]), {"improvement": "up"}, "improvement must be one of"),
        (monthly([1.0, 2.0]), {"fix_after": 11}, "at least 12"),
        (monthly([1.0, 2.0]), {"fix_after": 12.5}, "integer"),
        (monthly([1.0, 2.0]), {"rebase": [pd.Period("2030-01", "M")]}, "not in the index"),
        (monthly([1.0, np.nan, 3.0]), {}, "NaN"),
        (monthly([1.0, np.inf]), {}, "finite"),
        (monthly([1.0, 2.0]), {"target": "high"}, "target must be"),
        (pd.Series([1.0, 2.0], index=[2, 1]), {}, "ascending"),
        (pd.Series([1.0, 2.0], index=[1, 1]), {}, "duplicate"),
    ],
)
def test_invalid_input_raises_value_error_with_a_clear_message(values, kwargs, message):
    with pytest.raises(ValueError, match=message):
        xmr(values, **kwargs)


def test_values_must_be_a_series():
    with pytest.raises(TypeError, match="pandas Series"):
        xmr([1.0, 2.0])
