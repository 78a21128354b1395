"""XmR statistical process control, following NHS England's "Making Data Count".

This module is a pure (no Django, no I/O) implementation of the XmR chart
("individuals and moving range", also called a process behaviour chart) used
by NHS England's *Making Data Count* programme. It reproduces the behaviour of
the NHS-R Community's ``NHSRplotthedots`` R package (``ptd_spc``), which is the
reference implementation; see ``R/ptd_spc_standard.R`` and
``R/ptd_calculate_point_type.R`` in github.com/nhs-r-community/NHSRplotthedots.

Method, applied to each rebase group independently and in index order:

1. **Mean** of the values in the group. With ``fix_after=N`` only the first N
   points of the group are used ("fixed" baseline limits); the later points are
   still plotted and tested against those limits.
2. **Moving ranges** ``|y[i] - y[i-1]|`` within the group; the first point of
   every group has no moving range (NaN). The **average moving range** (AMR) is
   their mean (over the first N points when fixed).
3. **Screening** (``screen_outliers=True``, the package default): moving ranges
   ``>= 3.267 * AMR`` are discarded and the AMR is recomputed from the rest, so
   one huge jump does not inflate the limits. The NHS England Excel tools do not
   screen; pass ``screen_outliers=False`` to match them.
4. **Process limits** ``mean +/- 2.66 * AMR`` (3 sigma, since sigma is estimated
   as AMR / 1.128) and **near limits** ``mean +/- (2 * 2.66 / 3) * AMR``
   (2 sigma).
5. **Special cause rules**, first match wins:

   * a point above the upper / below the lower process limit;
   * a trend of 7 points each strictly higher (or lower) than the previous one;
     all points of the trend are flagged, including every point of a longer
     trend;
   * two out of three consecutive points in the outer third (between the near
     limit and the process limit, on the same side), with all three points on
     the same side of the mean; only the points in the outer third are flagged.
     As in the package, a point *beyond* the process limit does not count
     towards this rule (it is already flagged by the first rule);
   * a run of 7 points on the same side of the mean (a point exactly on the
     mean breaks the run); every point of the run is flagged.

6. **Point type**: the direction of the signal (above/increasing is high,
   below/decreasing is low) combined with the direction of improvement.

**Assurance** compares the target with the last group's process limits: if the
whole band lies on the good side of the target the process will consistently
pass, on the bad side it will consistently fail, otherwise it will sometimes
pass and sometimes fail. A group with fewer than 12 points has **trial limits**
(the package warns about them).

Edge cases, decided here because the package leaves them undefined:

* ``NaN`` values raise ``ValueError``: a missing month is a data-quality
  question ("no data" or "zero"?) that the caller must answer before charting.
* A group whose moving ranges are all zero (a constant baseline) has AMR 0 and
  zero-width limits equal to the mean. Screening is skipped for it (every range
  would be ``>= 0`` and be discarded, leaving no AMR at all). Points equal to
  the mean are common cause; a later point that differs (possible with
  ``fix_after``) is outside the limits and is flagged as such.
* A group of a single point has no moving range: its AMR and limits are NaN,
  and its point is common cause.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd

# --- Constants -------------------------------------------------------------

#: Scaling from AMR to 3 sigma (3 / d2, with d2 = 1.128 for ranges of two).
LIMIT = 2.66
#: Scaling from AMR to 2 sigma, for the "near" limits of the 2-in-3 rule.
NEAR_LIMIT = 2 * LIMIT / 3
#: Moving ranges at or above this multiple of the AMR are screened out
#: (the upper range limit, D4 = 3.267 for ranges of two).
SCREEN_LIMIT = 3.267
#: Number of points in a run or trend that counts as a signal.
RUN_LENGTH = 7
#: Groups with fewer points than this have trial limits.
MIN_POINTS = 12

IMPROVEMENTS = ("decrease", "increase", "neutral")

ABOVE_UCL = "Above UCL"
BELOW_LCL = "Below LCL"
TREND_UP = "7 Point Trend (Increasing)"
TREND_DOWN = "7 Point Trend (Decreasing)"
TWO_IN_THREE_ABOVE = "2 in 3 Above CL"
TWO_IN_THREE_BELOW = "2 in 3 Below CL"
RUN_ABOVE = "7 Points Above CL"
RUN_BELOW = "7 Points Below CL"
COMMON_CAUSE = "Common Cause"

#: The rule names, as spelled by NHSRplotthedots, in priority order.
RULES = (
    ABOVE_UCL,
    BELOW_LCL,
    TREND_UP,
    TREND_DOWN,
    TWO_IN_THREE_ABOVE,
    TWO_IN_THREE_BELOW,
    RUN_ABOVE,
    RUN_BELOW,
    COMMON_CAUSE,
)

POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)

#: Making Data Count colours for point types and the target line.
COLOURS = {
    "common_cause": "#a6a6a6",
    "special_cause_improvement": "#00b0f0",
    "special_cause_concern": "#e46c0a",
    "special_cause_neutral_high": "#490092",
    "special_cause_neutral_low": "#490092",
    "target": "#de1b1b",
}

_RULE_DESCRIPTIONS = {
    ABOVE_UCL: "A point above the upper process limit",
    BELOW_LCL: "A point below the lower process limit",
    TREND_UP: "Seven or more points in a row, each higher than the one before",
    TREND_DOWN: "Seven or more points in a row, each lower than the one before",
    TWO_IN_THREE_ABOVE: "Two out of three points close to the upper process limit",
    TWO_IN_THREE_BELOW: "Two out of three points close to the lower process limit",
    RUN_ABOVE: "Seven or more points in a row above the mean",
    RUN_BELOW: "Seven or more points in a row below the mean",
    COMMON_CAUSE: "No special cause rule applies",
}

# Rules signalling high (+1) or low (-1) values; anything else is 0.
_RULE_DIRECTION = {
    ABOVE_UCL: 1,
    TREND_UP: 1,
    TWO_IN_THREE_ABOVE: 1,
    RUN_ABOVE: 1,
    BELOW_LCL: -1,
    TREND_DOWN: -1,
    TWO_IN_THREE_BELOW: -1,
    RUN_BELOW: -1,
}

_ASSURANCE_LABELS = {
    "pass": "The process is expected to consistently pass the target",
    "fail": "The process is expected to consistently fail the target",
    "inconsistent": "The process will inconsistently pass and fail the target",
}


# --- Public API ------------------------------------------------------------


def rule_label(rule: str) -> str:
    """Return a plain English description of a special cause rule name."""
    try:
        return _RULE_DESCRIPTIONS[rule]
    except KeyError:
        raise ValueError(f"unknown rule {rule!r}; expected one of {RULES}") from None


def point_type(rule: str, improvement: str) -> str:
    """Return the point type for a rule name and an improvement direction."""
    _check_improvement(improvement)
    direction = _RULE_DIRECTION.get(rule, 0)
    if direction == 0:
        return "common_cause"
    if improvement == "neutral":
        return "special_cause_neutral_high" if direction > 0 else "special_cause_neutral_low"
    good = 1 if improvement == "increase" else -1
    return "special_cause_improvement" if direction == good else "special_cause_concern"


def variation_label(kind: str, improvement: str) -> str:
    """Return the plain English label of a point type (the variation icon)."""
    _check_improvement(improvement)
    high_is_good = improvement == "increase"
    labels = {
        "common_cause": "Common cause variation",
        "special_cause_improvement": "Special cause variation – improvement "
        + ("(higher)" if high_is_good else "(lower)"),
        "special_cause_concern": "Special cause variation – concern "
        + ("(lower)" if high_is_good else "(higher)"),
        "special_cause_neutral_high": "Special cause variation – neither improvement nor concern (higher)",
        "special_cause_neutral_low": "Special cause variation – neither improvement nor concern (lower)",
    }
    try:
        return labels[kind]
    except KeyError:
        raise ValueError(f"unknown point type {kind!r}; expected one of {POINT_TYPES}") from None


def xmr(
    values: pd.Series,
    *,
    improvement: str = "decrease",
    screen_outliers: bool = True,
    fix_after: int | None = None,
    rebase: Iterable[Hashable] | None = None,
    target: float | None = None,
) -> pd.DataFrame:
    """Compute an XmR chart, one row per point, with the summary in ``attrs``.

    ``values`` is a numeric Series indexed by period (unique, ascending). Its
    values may be ints, floats or ``decimal.Decimal``; they are converted to
    float. ``rebase`` lists index labels that each start a new group of limits.
    ``fix_after`` (at least 12) fixes each group's limits on its first N points.

    The returned frame has the input's index and the columns ``value``,
    ``mean``, ``lpl``, ``upl``, ``near_lpl``, ``near_upl``, ``moving_range``
    (NaN on each group's first point), ``mr_excluded`` (True where screening
    or fixing left the range out of the AMR), ``amr``, ``group`` (0-based),
    ``short_group`` (the group has trial limits), ``rule``, ``point_type`` and
    ``target`` (NaN without one). ``df.attrs["summary"]`` holds
    :func:`summarise`'s result.

    Raise ``ValueError`` for invalid input, including NaN values.
    """
    _check_improvement(improvement)
    y = _validate_values(values)
    _validate_fix_after(fix_after)
    target = _validate_target(target)
    groups = _group_numbers(values.index, rebase)

    parts = [
        _group_frame(y[groups == g], fix_after=fix_after, screen_outliers=screen_outliers)
        for g in range(int(groups.max()) + 1)
    ]
    df = pd.concat(parts, ignore_index=True)
    df.index = values.index
    df["group"] = groups
    df["short_group"] = df.groupby("group")["value"].transform("size") < MIN_POINTS
    df["point_type"] = [point_type(rule, improvement) for rule in df["rule"]]
    df["target"] = np.nan if target is None else target
    df = df[_COLUMNS]
    df.attrs["summary"] = summarise(df, improvement=improvement, target=target)
    return df


def summarise(df: pd.DataFrame, *, improvement: str, target: float | None = None) -> dict:
    """Summarise an :func:`xmr` frame for the variation and assurance icons.

    The variation is the type of the last point, re-derived from its rule so
    that it always agrees with ``improvement``. When ``target`` is None the
    frame's ``target`` column is used, if it holds one.

    Return a dict with ``variation``, ``variation_label``, ``assurance``
    ("pass", "fail", "inconsistent" or None), ``assurance_label``,
    ``trial_limits``, ``trial_limits_message``, ``groups``, ``last_value`` and
    ``last_period``.
    """
    _check_improvement(improvement)
    if df.empty:
        raise ValueError("cannot summarise an empty chart")
    if target is None and "target" in df and df["target"].notna().any():
        target = float(df["target"].dropna().iloc[-1])
    target = _validate_target(target)

    last = df.iloc[-1]
    variation = point_type(last["rule"], improvement)
    assurance, assurance_text = _assurance(last["lpl"], last["upl"], improvement, target)
    sizes = df.groupby("group", sort=True)["value"].size()
    short = [int(g) for g in sizes.index[sizes < MIN_POINTS]]
    return {
        "variation": variation,
        "variation_label": variation_label(variation, improvement),
        "assurance": assurance,
        "assurance_label": assurance_text,
        "trial_limits": bool(short),
        "trial_limits_message": _trial_limits_message(df, short),
        "groups": len(sizes),
        "last_value": float(last["value"]),
        "last_period": df.index[-1],
    }


# --- Validation ------------------------------------------------------------

_COLUMNS = [
    "value",
    "mean",
    "lpl",
    "upl",
    "near_lpl",
    "near_upl",
    "moving_range",
    "mr_excluded",
    "amr",
    "group",
    "short_group",
    "rule",
    "point_type",
    "target",
]


def _check_improvement(improvement: str) -> None:
    """Raise ValueError unless improvement is a known direction."""
    if improvement not in IMPROVEMENTS:
        raise ValueError(f"improvement must be one of {IMPROVEMENTS}, not {improvement!r}")


def _is_number(x: object) -> bool:
    """Tell whether x is a real number (bools and complex numbers are not, Decimals are)."""
    return isinstance(x, numbers.Number) and not isinstance(x, bool | complex)


def _validate_values(values: pd.Series) -> np.ndarray:
    """Check the series and return its values as a float array."""
    if not isinstance(values, pd.Series):
        raise TypeError(f"values must be a pandas Series, not {type(values).__name__}")
    if values.empty:
        raise ValueError("values is empty: an XmR chart needs at least one point")
    if pd.api.types.is_bool_dtype(values.dtype) or not (
        pd.api.types.is_numeric_dtype(values.dtype)
        or all(_is_number(x) or x is None or x is pd.NA for x in values)
    ):
        raise ValueError(f"values must be numeric, got dtype {values.dtype}")
    y = values.to_numpy(dtype="float64", na_value=np.nan)
    missing = values.index[np.isnan(y)]
    if len(missing):
        # Whether a missing month means "no data" or "zero" is the caller's call.
        raise ValueError(
            f"values contain NaN at {list(missing)}: drop 'no data' periods (or fill them) before calling xmr"
        )
    if np.isinf(y).any():
        raise ValueError("values must be finite")
    if not values.index.is_unique:
        raise ValueError("the index must not contain duplicate periods")
    if not values.index.is_monotonic_increasing:
        raise ValueError("the index must be sorted in ascending period order")
    return y


def _validate_fix_after(fix_after: int | None) -> None:
    """Raise ValueError unless fix_after is None or an integer of at least 12."""
    if fix_after is None:
        return
    if isinstance(fix_after, bool) or not isinstance(fix_after, numbers.Integral):
        raise ValueError(f"fix_after must be an integer, not {fix_after!r}")
    if fix_after < MIN_POINTS:
        raise ValueError(f"fix_after must be at least {MIN_POINTS}, not {fix_after}")


def _validate_target(target: object) -> float | None:
    """Return the target as a float (or None), raising ValueError if not a number."""
    if target is None:
        return None
    if not _is_number(target) or not math.isfinite(float(target)):
        raise ValueError(f"target must be a finite number or None, not {target!r}")
    return float(target)


def _group_numbers(index: pd.Index, rebase: Iterable[Hashable] | None) -> np.ndarray:
    """Return the 0-based rebase group of each position of the index."""
    if rebase is None:
        rebase = ()
    elif isinstance(rebase, str | bytes) or not isinstance(rebase, Iterable):
        rebase = [rebase]  # a lone label, not a list of them
    starts = np.zeros(len(index), dtype=bool)
    for label in rebase:
        starts[_position(index, label)] = True
    # The first point always starts group 0, so a rebase there adds no group.
    starts[0] = False
    return np.cumsum(starts).astype("int64")


def _position(index: pd.Index, label: Hashable) -> int:
    """Return the position of a single rebase label, or raise ValueError."""
    try:
        loc = index.get_loc(label)
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"rebase label {label!r} is not in the index") from None
    if isinstance(loc, slice):
        positions = np.arange(len(index))[loc]
    elif isinstance(loc, np.ndarray):
        positions = np.flatnonzero(loc)
    else:
        return int(loc)
    # A partial label such as "2024-03" on a daily index may match several rows.
    if len(positions) != 1:
        raise ValueError(f"rebase label {label!r} matches {len(positions)} periods, not one")
    return int(positions[0])


# --- Calculation -----------------------------------------------------------


def _group_frame(y: np.ndarray, *, fix_after: int | None, screen_outliers: bool) -> pd.DataFrame:
    """Compute limits and rules for one rebase group."""
    n_base = len(y) if fix_after is None else min(fix_after, len(y))
    mr = np.concatenate([[np.nan], np.abs(np.diff(y))])
    used = np.zeros(len(y), dtype=bool)
    used[1:n_base] = True  # ranges within the (possibly fixed) baseline
    amr = _mean_or_nan(mr[used])
    if screen_outliers and amr > 0:
        used &= ~(mr >= SCREEN_LIMIT * amr)
        amr = _mean_or_nan(mr[used])
    # With AMR 0 the baseline is constant: take its value exactly, because a
    # float mean such as sum([0.1] * 12) / 12 can miss it and flag every point.
    mean = float(y[0]) if amr == 0 else float(np.mean(y[:n_base]))

    frame = pd.DataFrame(
        {
            "value": y,
            "mean": mean,
            "lpl": mean - LIMIT * amr,
            "upl": mean + LIMIT * amr,
            "near_lpl": mean - NEAR_LIMIT * amr,
            "near_upl": mean + NEAR_LIMIT * amr,
            "moving_range": mr,
            "mr_excluded": ~used & ~np.isnan(mr),
            "amr": amr,
        }
    )
    frame["rule"] = _rules(y, mean, frame["lpl"].to_numpy(), frame["upl"].to_numpy(), amr)
    return frame


def _mean_or_nan(x: np.ndarray) -> float:
    """Return the mean of x, or NaN when x is empty (without a warning)."""
    return float(np.mean(x)) if len(x) else math.nan


def _rules(y: np.ndarray, mean: float, lpl: np.ndarray, upl: np.ndarray, amr: float) -> list[str]:
    """Return the special cause rule of each point, first matching rule first."""
    side = np.sign(y - mean).astype(int)  # +1 above, -1 below, 0 on the mean
    outside = (y > upl) | (y < lpl)  # False when the limits are NaN
    near_lpl, near_upl = mean - NEAR_LIMIT * amr, mean + NEAR_LIMIT * amr
    close = ~outside & ((y < near_lpl) | (y > near_upl))
    trend = _trend_direction(y)
    two_in_three = _two_in_three(close, side)
    run = _spread_back(_run_ends(side, RUN_LENGTH), RUN_LENGTH)

    rules = []
    for i, s in enumerate(side):
        if outside[i]:
            rules.append(ABOVE_UCL if s > 0 else BELOW_LCL)
        elif trend[i]:
            rules.append(TREND_UP if trend[i] > 0 else TREND_DOWN)
        elif two_in_three[i]:
            rules.append(TWO_IN_THREE_ABOVE if s > 0 else TWO_IN_THREE_BELOW)
        elif run[i]:
            rules.append(RUN_ABOVE if s > 0 else RUN_BELOW)
        else:
            rules.append(COMMON_CAUSE)
    return rules


def _run_ends(signs: np.ndarray, length: int) -> np.ndarray:
    """Flag positions ending ``length`` equal, non-zero signs in a row."""
    ends = np.zeros(len(signs), dtype=bool)
    for i in range(length - 1, len(signs)):
        window = signs[i - length + 1 : i + 1]
        ends[i] = window[0] != 0 and bool(np.all(window == window[0]))
    return ends


def _spread_back(ends: np.ndarray, length: int) -> np.ndarray:
    """Flag every point of each run: the end and the ``length - 1`` before it."""
    part = np.zeros(len(ends), dtype=bool)
    for i in np.flatnonzero(ends):
        part[i - length + 1 : i + 1] = True
    return part


def _trend_direction(y: np.ndarray) -> np.ndarray:
    """Return +1/-1 for points in an increasing/decreasing 7-point trend, else 0.

    A point shared by two trends (the turning point of a V) takes the direction
    of the later trend, as the package does ("use the right side").
    """
    # steps[i] is the direction of the move into point i; 6 equal steps make 7 points.
    steps = np.concatenate([[0], np.sign(np.diff(y))]).astype(int)
    direction = np.zeros(len(y), dtype=int)
    for end in np.flatnonzero(_run_ends(steps, RUN_LENGTH - 1)):
        direction[end - RUN_LENGTH + 1 : end + 1] = steps[end]
    return direction


def _two_in_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Flag near-limit points in 3 consecutive points with 2+ near the limit.

    All three points must be on the same side of the mean; only the points
    close to the limit are flagged (package bug fix #143).
    """
    flagged = np.zeros(len(close), dtype=bool)
    for start in range(len(close) - 2):
        window = slice(start, start + 3)
        if close[window].sum() >= 2 and abs(side[window].sum()) == 3:
            flagged[window] |= close[window]
    return flagged


# --- Summary ---------------------------------------------------------------


def _assurance(
    lpl: float, upl: float, improvement: str, target: float | None
) -> tuple[str | None, str | None]:
    """Return the assurance code and label for the last group's limits."""
    if target is None:
        return None, None
    if improvement == "neutral":
        return None, "No assurance: the improvement direction is neutral"
    if math.isnan(lpl) or math.isnan(upl):
        return None, "No assurance: the last group has too few points for process limits"
    if target > upl:
        code = "pass" if improvement == "decrease" else "fail"
    elif target < lpl:
        code = "pass" if improvement == "increase" else "fail"
    else:
        # Includes a target exactly on a limit, as in the package.
        code = "inconsistent"
    return code, _ASSURANCE_LABELS[code]


def _trial_limits_message(df: pd.DataFrame, short_groups: list[int]) -> str | None:
    """Describe the groups with trial limits, or return None if there are none."""
    if not short_groups:
        return None
    starts = [_format_period(df.index[(df["group"] == g).to_numpy()][0]) for g in short_groups]
    if len(starts) == 1:
        subject, verb, pronoun = f"the group starting {starts[0]}", "has", "its"
    else:
        subject, verb, pronoun = f"the groups starting {', '.join(starts)}", "have", "their"
    return (
        f"Trial limits: {subject} {verb} fewer than {MIN_POINTS} points, "
        f"so {pronoun} limits may change as more data arrive."
    )


def _format_period(label: Hashable) -> str:
    """Format an index label for messages (dates without a midnight time)."""
    if isinstance(label, pd.Timestamp) and label == label.normalize():
        return label.date().isoformat()
    if isinstance(label, dt.date):
        return label.isoformat()
    return str(label)
