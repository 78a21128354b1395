"""Every write to blanket rules, reviews and challenges: the only code that grants their access."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blanket_rules.models import (
    BlanketRule,
    BlanketRuleReview,
    BlanketRuleWard,
    Challenge,
    InvalidChallengeTransition,
    InvalidRuleTransition,
    Outcome,
)
from rrp import permissions
from rrp.concurrency import bump, check_version
from rrp.models import Division, ServiceUser, Ward

Status = BlanketRule.Status


def _save(obj, by, reason=""):
    obj._history_user = by
    if reason:
        obj._change_reason = reason[:100]
    obj.full_clean()
    obj.save()
    return obj


def _transition(obj, new, by):
    try:
        obj.transition_to(new, by=by)
    except (InvalidRuleTransition, InvalidChallengeTransition) as exc:
        raise ValidationError(str(exc)) from exc


def _require(**values):
    """Raise a field-by-field ValidationError for every blank value (the message is the kwarg's value)."""
    errors = {name: message for name, (value, message) in values.items() if not (value or "").strip()}
    if errors:
        raise ValidationError(errors)


def _grant_rule(rule: BlanketRule, wards, by):
    for ward in wards:
        for group in (ward.staff_group, ward.peers_group, ward.division.leads_group):
            permissions.grant(["view"], to=group, obj=rule, by=by, reason=f"blanket rule on {ward}")
        permissions.grant(
            ["view", "change"], to=ward.managers_group, obj=rule, by=by, reason=f"manager of {ward}"
        )


def next_review_after(day: datetime.date, months: int) -> datetime.date:
    return day + relativedelta(months=months)


@transaction.atomic
def rule_propose(
    *,
    by: User,
    title: str,
    category: str,
    description: str,
    wards=(),
    division: Division | None = None,
    proposed_at: datetime.datetime | None = None,
    **fields,
) -> BlanketRule:
    """Propose a rule for one ward, several wards or a whole division; it is not in force yet."""
    wards = list(division.wards.all()) if division else list(wards)
    if not wards:
        raise ValidationError({"wards": "Choose the ward or wards the rule would apply to."})
    rule = BlanketRule(
        title=title,
        category=category,
        description=description,
        division=division,
        proposed_by=by,
        proposed_at=proposed_at or timezone.now(),
        **fields,
    )
    _save(rule, by, "proposed")
    for ward in wards:
        _save(BlanketRuleWard(rule=rule, ward=ward), by)
    _grant_rule(rule, wards, by)
    return rule


@transaction.atomic
def rule_update(*, rule: BlanketRule, by: User, version, **fields) -> BlanketRule:
    """Correct a proposal before it is authorised."""
    check_version(rule, version)
    if rule.status != Status.PROPOSED:
        raise ValidationError("Only a proposed rule can be edited. To change a rule in force, modify it.")
    for name, value in fields.items():
        setattr(rule, name, value)
    bump(rule)
    return _save(rule, by, "proposal edited")


@transaction.atomic
def rule_authorise(
    *,
    rule: BlanketRule,
    by: User | None,
    version,
    authorising_body: str,
    patients_told_how: str,
    patients_told_on: datetime.date | None = None,
    next_review_date: datetime.date | None,
    review_interval_months: int | None = None,
    authorised_at: datetime.datetime | None = None,
) -> BlanketRule:
    """Put a proposed rule in force. It needs a rationale, an authoriser and a review date."""
    check_version(rule, version)
    authorised_at = authorised_at or timezone.now()
    errors = {}
    if not rule.risks.strip():
        errors["risks"] = "Say which risks the rule addresses before it can be authorised."
    if not rule.why_not_individual.strip():
        errors["why_not_individual"] = (
            "Say why individual risk assessment is not enough before the rule can be authorised."
        )
    if by is None:
        errors["authorised_by"] = "A rule cannot be authorised without a named authoriser."
    if next_review_date is None:
        errors["next_review_date"] = "Set the date of the first review."
    elif next_review_date <= timezone.localtime(authorised_at).date():
        errors["next_review_date"] = "The first review must be after the date the rule is authorised."
    if not (authorising_body or "").strip():
        errors["authorising_body"] = (
            "Say where the rule was authorised, for example the ward governance meeting."
        )
    if not (patients_told_how or "").strip():
        errors["patients_told_how"] = "Say how patients will be told about the rule."
    if errors:
        raise ValidationError(errors)
    _transition(rule, Status.IN_FORCE, by)
    rule.authorised_by = by
    rule.authorised_at = authorised_at
    rule.authorising_body = authorising_body
    rule.patients_told_how = patients_told_how
    rule.patients_told_on = patients_told_on
    rule.next_review_date = next_review_date
    if review_interval_months:
        rule.review_interval_months = review_interval_months
    bump(rule)
    _save(rule, by, "authorised")
    _save(BlanketRuleReview(rule=rule, due_date=next_review_date), by, "first review scheduled")
    return rule


@transaction.atomic
def rule_not_authorised(*, rule: BlanketRule, by: User, version, reason: str) -> BlanketRule:
    check_version(rule, version)
    _require(reason=(reason, "Give the reason the rule was not authorised."))
    _transition(rule, Status.NOT_AUTHORISED, by)
    rule.modification_reason = reason
    bump(rule)
    return _save(rule, by, "not authorised")


def _modify(rule, by, reason, at, description, **fields):
    _require(
        modification_reason=(reason, "Give the reason for the change."),
        description=(description, "Describe the rule as it now stands."),
    )
    _transition(rule, Status.MODIFIED, by)
    rule.description = description
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.modification_reason = reason
    rule.modified_at = at or timezone.now()


def _lift(rule, by, reason, at):
    _require(lifted_reason=(reason, "Give the reason the rule is being lifted."))
    _transition(rule, Status.LIFTED, by)
    rule.lifted_at = at or timezone.now()
    rule.lifted_reason = reason


@transaction.atomic
def rule_modify(
    *, rule: BlanketRule, by: User, version, reason: str, description: str, at=None, **fields
) -> BlanketRule:
    """Change a rule in force (for example make it less restrictive), with the reason."""
    check_version(rule, version)
    _modify(rule, by, reason, at, description, **fields)
    bump(rule)
    return _save(rule, by, "modified")


@transaction.atomic
def rule_lift(*, rule: BlanketRule, by: User, version, reason: str, at=None) -> BlanketRule:
    """Lift a rule: it stays in the register with the date and the reason."""
    check_version(rule, version)
    _lift(rule, by, reason, at)
    bump(rule)
    return _save(rule, by, "lifted")


@transaction.atomic
def review_start(*, rule: BlanketRule, by: User, version) -> BlanketRuleReview:
    """Put a rule under review now, opening its scheduled review (or scheduling one for today)."""
    check_version(rule, version)
    _transition(rule, Status.UNDER_REVIEW, by)
    bump(rule)
    _save(rule, by, "review started")
    review = rule.reviews.scheduled().order_by("due_date").first()
    if review is None:
        review = _save(BlanketRuleReview(rule=rule, due_date=timezone.localdate()), by, "review scheduled")
    return review


@transaction.atomic
def review_record(
    *,
    review: BlanketRuleReview,
    by: User,
    version,
    held_on: datetime.date,
    participants: str,
    service_user_representative: str,
    findings: str,
    outcome: str,
    outcome_reason: str,
    new_description: str = "",
) -> BlanketRuleReview:
    """Record a review's findings and outcome; keep or modify schedules the next review."""
    check_version(review, version)
    rule = BlanketRule.objects.select_for_update().get(pk=review.rule_id)
    if review.is_held:
        raise ValidationError("This review has already been recorded.")
    if not rule.in_force:
        raise ValidationError(f"This rule is {rule.get_status_display().lower()}, so it cannot be reviewed.")
    _require(
        participants=(participants, "Say who took part in the review."),
        service_user_representative=(
            service_user_representative,
            "Name the service-user representative who took part. A review needs the patients' voice.",
        ),
        findings=(findings, "Write down what the review found."),
        outcome=(outcome, "Choose the outcome of the review."),
        outcome_reason=(outcome_reason, "Give the reasons for the outcome."),
    )
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date of the review cannot be in the future."})
    if outcome == Outcome.MODIFY and not (new_description or "").strip():
        raise ValidationError({"new_description": "Describe the rule as it will be after the change."})
    review.held_on = held_on
    review.participants = participants
    review.service_user_representative = service_user_representative
    review.findings = findings
    review.outcome = outcome
    review.outcome_reason = outcome_reason
    review.recorded_by = by
    bump(review)
    _save(review, by, "review recorded")
    _apply_outcome(rule, by, outcome, outcome_reason, new_description, held_on, "review")
    return review


def _apply_outcome(rule, by, outcome, reason, new_description, day, what):
    """Apply a keep / modify / lift outcome to the rule; schedule the next review unless lifted."""
    # A review recorded after the day it was held takes effect from that day.
    at = timezone.now()
    if day < timezone.localdate():
        at = datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())
    if outcome == Outcome.LIFT:
        if rule.status != Status.LIFTED:
            _lift(rule, by, f"After a {what}: {reason}", at)
    elif outcome == Outcome.MODIFY:
        _modify(rule, by, f"After a {what}: {reason}", at, new_description)
    elif rule.status == Status.UNDER_REVIEW:
        _transition(rule, Status.IN_FORCE, by)
    if outcome != Outcome.LIFT and what == "review":
        rule.next_review_date = next_review_after(day, rule.review_interval_months)
    bump(rule)
    _save(rule, by, f"{Outcome(outcome).label.lower()} after a {what}")
    if outcome != Outcome.LIFT and what == "review":
        _save(BlanketRuleReview(rule=rule, due_date=rule.next_review_date), by, "next review scheduled")


def _challenge_ward(rule: BlanketRule, service_user: ServiceUser | None, by: User) -> Ward:
    rule_wards = rule.wards.all()
    if service_user is not None:
        ward = service_user.current_ward
        if ward is None or not rule_wards.filter(pk=ward.pk).exists():
            raise ValidationError(
                {"service_user": f"{service_user} is not on a ward where this rule applies at the moment."}
            )
        return ward
    ward = rule_wards.filter(assignments__staff__user=by).first()
    if ward is None:
        raise ValidationError({"service_user": "Choose the person this challenge is for."})
    return ward


def safe_source_url(url: str) -> str:
    """Keep only a path on this site: an external or protocol-relative address is dropped."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url[:500]
    return ""


@transaction.atomic
def challenge_create(
    *,
    rule: BlanketRule,
    by: User,
    in_own_words: str,
    would_like_instead: str,
    service_user: ServiceUser | None = None,
    withhold_name: bool = False,
    source_label: str = "",
    source_url: str = "",
    raised_at: datetime.datetime | None = None,
) -> Challenge:
    """Challenge a rule in force; the ward manager's response is due within the set number of days."""
    rule = BlanketRule.objects.select_for_update().get(pk=rule.pk)
    if rule.status == Status.LIFTED:
        lifted = timezone.localtime(rule.lifted_at)
        raise ValidationError(
            f"This rule was lifted on {lifted:%-d %B %Y}, so it no longer applies and there is nothing "
            "to challenge. If something like it is still happening on the ward, tell the ward manager."
        )
    if not rule.in_force:
        raise ValidationError(
            "This rule is not in force, so it cannot be challenged. "
            "You can comment on it with the ward team while it is proposed."
        )
    _require(
        in_own_words=(in_own_words, "Tell us, in your own words, what is wrong with this rule."),
        would_like_instead=(would_like_instead, "Tell us what you would like instead."),
    )
    raised_at = raised_at or timezone.now()
    ward = _challenge_ward(rule, service_user, by)
    source_url = safe_source_url(source_url)
    challenge = Challenge(
        rule=rule,
        ward=ward,
        service_user=service_user,
        raised_by=by,
        raised_at=raised_at,
        in_own_words=in_own_words,
        would_like_instead=would_like_instead,
        withhold_name=withhold_name,
        source_label=(source_label or "")[:200] if source_url else "",
        source_url=source_url,
        response_due=timezone.localtime(raised_at).date()
        + datetime.timedelta(days=settings.RRP_CHALLENGE_RESPONSE_DAYS),
    )
    _save(challenge, by, "challenge raised")
    reason = f"challenge to a blanket rule on {ward}"
    permissions.grant(["view"], to=ward.staff_group, obj=challenge, by=by, reason=reason)
    permissions.grant(
        ["view", "change", "blanket_rules.decide_challenge"],
        to=ward.managers_group,
        obj=challenge,
        by=by,
        reason=reason,
    )
    permissions.grant(
        ["view", "blanket_rules.reconsider_challenge"],
        to=ward.division.leads_group,
        obj=challenge,
        by=by,
        reason=reason,
    )
    permissions.grant(["view"], to=by, obj=challenge, by=by, reason="raised the challenge")
    if service_user is not None and service_user.user_id and service_user.user_id != by.pk:
        permissions.grant(
            ["view"], to=service_user.user, obj=challenge, by=by, reason="challenge on their behalf"
        )
    return challenge


@transaction.atomic
def challenge_decide(
    *,
    challenge: Challenge,
    by: User,
    version,
    decision: str,
    reason: str,
    new_description: str = "",
    at: datetime.datetime | None = None,
) -> Challenge:
    """The ward manager keeps, changes or lifts the rule, with reasons the challenger will read."""
    check_version(challenge, version)
    _require(
        decision=(decision, "Choose whether to keep, change or lift the rule."),
        decision_reason=(
            reason,
            "Give the reasons for the decision. The person who challenged will read them.",
        ),
    )
    if decision == Outcome.MODIFY and not (new_description or "").strip():
        raise ValidationError({"new_description": "Describe the rule as it will be after the change."})
    rule = BlanketRule.objects.select_for_update().get(pk=challenge.rule_id)
    if decision != Outcome.LIFT and not rule.in_force:
        raise ValidationError(
            {
                "decision": f"The rule is {rule.get_status_display().lower()} already, "
                "so it cannot be kept or changed."
            }
        )
    _transition(challenge, Challenge.Status.DECIDED, by)
    challenge.decision = decision
    challenge.decision_reason = reason
    challenge.decided_by = by
    challenge.decided_at = at or timezone.now()
    bump(challenge)
    _save(challenge, by, "decided")
    if decision == Outcome.LIFT and rule.status != Status.LIFTED:
        _lift(rule, by, f"After a challenge: {reason}", challenge.decided_at)
        bump(rule)
        _save(rule, by, "lifted after a challenge")
    elif decision == Outcome.MODIFY:
        _modify(rule, by, f"After a challenge: {reason}", challenge.decided_at, new_description)
        bump(rule)
        _save(rule, by, "changed after a challenge")
    return challenge


@transaction.atomic
def challenge_ask_look_again(
    *, challenge: Challenge, by: User, reason: str, at: datetime.datetime | None = None
) -> Challenge:
    """The challenger asks the recovery lead to look at the decision again."""
    _require(look_again_reason=(reason, "Tell the recovery lead why the decision should be looked at again."))
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    _transition(challenge, Challenge.Status.LOOK_AGAIN, by)
    challenge.look_again_reason = reason
    challenge.look_again_requested_at = at or timezone.now()
    bump(challenge)
    return _save(challenge, by, "asked the recovery lead to look again")


@transaction.atomic
def challenge_reconsider(
    *, challenge: Challenge, by: User, version, response: str, uphold: bool
) -> Challenge:
    """The recovery lead upholds the decision or sends the challenge back for a fresh decision."""
    check_version(challenge, version)
    _require(look_again_response=(response, "Write your response. The person who challenged will read it."))
    if uphold:
        _transition(challenge, Challenge.Status.CLOSED, by)
    else:
        _transition(challenge, Challenge.Status.AWAITING_DECISION, by)
        challenge.response_due = timezone.localdate() + datetime.timedelta(
            days=settings.RRP_CHALLENGE_RESPONSE_DAYS
        )
    challenge.look_again_response = response
    challenge.look_again_by = by
    challenge.look_again_at = timezone.now()
    bump(challenge)
    return _save(challenge, by, "decision upheld" if uphold else "sent back for a new decision")


@transaction.atomic
def carer_challenges_withdraw(*, carer: User, service_user: ServiceUser, by: User | None = None) -> int:
    """Take away a carer's sight of the challenges they raised for a person who withdrew consent."""
    challenges = list(Challenge.objects.filter(raised_by=carer, service_user=service_user))
    for challenge in challenges:
        permissions.revoke(["view"], frm=carer, obj=challenge, by=by, reason="carer consent withdrawn")
    return len(challenges)


def on_carer_consent_changed(sender, *, link, by=None, **kwargs):
    """Receiver for rrp.signals.carer_consent_changed: the notice board follows consent on its own."""
    if not link.is_active:
        carer_challenges_withdraw(carer=link.carer, service_user=link.service_user, by=by)
