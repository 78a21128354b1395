"""Demo: give Willow a target line 25% below its rate in the first year of the demo history."""

import datetime

from rrp.demo import Cast
from trends import dashboard, services
from trends.filters import default_options


def seed(cast: Cast) -> None:
    willow = cast.wards.get("Willow")
    if willow is None or willow.target_rate is not None:
        return
    first = cast.start.date()
    last = first + datetime.timedelta(days=364)
    series = dashboard.build([willow], default_options(first, last), only="rate")["rates"][0].extra["series"]
    charted = series.dropna(subset=["rate"])
    if charted.empty or not charted["interventions"].sum():
        return  # no incidents in the demo yet: no target to set
    target = round(0.75 * float(charted["rate"].mean()), 1)
    services.ward_target_set(
        ward=willow,
        target_rate=target,
        by=cast.users.get("manager.cal"),
        reason="25% reduction on the first year, as the national collaborative aimed for",
    )
