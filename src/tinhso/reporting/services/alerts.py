"""Alert rules judged on the year so far: an alert opens when a unit's
figure crosses its threshold, and clears when it comes back."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tinhso.core.models import OrgUnit
from tinhso.reporting.constants import Comparison
from tinhso.reporting.models import Alert, AlertRule
from tinhso.reporting.selectors.dashboard import period
from tinhso.reporting.selectors.figures import combine, group_parts, unit_figures


def crossed(rule: AlertRule, figure: float | None) -> bool:
    if figure is None:
        return False
    threshold = float(rule.threshold)
    return (
        figure < threshold
        if rule.comparison == Comparison.BELOW
        else figure > threshold
    )


def evaluate(today: dt.date | None = None) -> tuple[int, int]:
    """Judge every active rule; returns the alerts raised and cleared."""
    today = today or timezone.localdate()
    first, last = period(today.year, today)
    raised = cleared = 0
    for rule in AlertRule.objects.filter(active=True).select_related(
        "indicator", "unit"
    ):
        units = (
            list(OrgUnit.objects.filter(parent=rule.unit, legacy=False))
            if rule.each_below
            else [rule.unit]
        )
        figures = unit_figures([rule.indicator], first, last, rule.unit)
        grouped = group_parts(figures.by_unit[rule.indicator.pk], units)
        with transaction.atomic():
            open_ = {a.unit_id: a for a in rule.alerts.filter(cleared_at__isnull=True)}
            for unit in units:
                figure = combine(rule.indicator, grouped.get(unit.pk))
                alert = open_.get(unit.pk)
                if crossed(rule, figure):
                    assert figure is not None
                    if alert is None:
                        Alert.objects.create(rule=rule, unit=unit, value=figure)
                        raised += 1
                    elif alert.value != figure:
                        alert.value = figure
                        alert.save(update_fields=["value"])
                elif alert is not None:
                    alert.cleared_at = timezone.now()
                    alert.save(update_fields=["cleared_at"])
                    cleared += 1
    return raised, cleared
