"""E-mail reminders of reviews due or overdue and of review actions; safe to run from cron twice."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from incidents.reviews.models import Account, Reminder, Review, ReviewAction


class Command(BaseCommand):
    help = "Send e-mail reminders for post incident reviews and their actions (each reminder once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=24, help="Remind of reviews due within this many hours."
        )

    def handle(self, *args, hours: int = 24, **options):
        now = timezone.now()
        sent = 0
        reviews = Review.objects.live().filter(due_at__lte=now + datetime.timedelta(hours=hours))
        for review in reviews.select_related(
            "incident__ward__managers_group", "incident__service_user__user", "facilitator"
        ):
            overdue = review.due_at < now
            kind = Reminder.Kind.REVIEW_OVERDUE if overdue else Reminder.Kind.REVIEW_DUE
            recipients = set(review.incident.ward.managers_group.user_set.filter(is_active=True))
            if review.facilitator:
                recipients.add(review.facilitator)
            state = "is overdue" if overdue else "is due"
            for user in recipients:
                sent += self._send(
                    user,
                    kind,
                    f"A post incident review {state}",
                    f"The review of an incident on {review.incident.ward} {state} "
                    f"(due {timezone.localtime(review.due_at):%-d %B %Y, %H:%M}).",
                    reverse("reviews:detail", args=[review.pk]),
                    review=review,
                )
            person = review.incident.service_user.user
            has_account = review.accounts.filter(
                kind=Account.Kind.PERSON, status=Account.Status.SHARED
            ).exists()
            if person and not has_account and review.participation != Review.Participation.DECLINED:
                sent += self._send(
                    person,
                    Reminder.Kind.ACCOUNT_TO_WRITE,
                    "Your review: tell us what happened from your side",
                    "You can write your own account of what happened, ask someone to support you, "
                    "or tell us you do not want to take part.",
                    reverse("reviews:detail", args=[review.pk]),
                    review=review,
                )
        soon = timezone.localdate() + datetime.timedelta(days=2)
        actions = ReviewAction.objects.filter(
            status=ReviewAction.Status.OPEN, due_date__lte=soon
        ).select_related("owner")
        for action in actions:
            overdue = action.is_overdue
            sent += self._send(
                action.owner,
                Reminder.Kind.ACTION_OVERDUE if overdue else Reminder.Kind.ACTION_DUE,
                "A review action you own is " + ("overdue" if overdue else "due soon"),
                f"{action.get_kind_display()}: {action.description}\nDue {action.due_date:%-d %B %Y}.",
                reverse("reviews:action_detail", args=[action.pk]),
                action=action,
            )
        self.stdout.write(f"Sent {sent} reminder(s).")

    def _send(self, user, kind, subject, body, path, *, review=None, action=None) -> int:
        if not user.email:
            return 0
        if Reminder.objects.filter(kind=kind, recipient=user, review=review, action=action).exists():
            return 0
        try:
            with transaction.atomic():
                Reminder.objects.create(kind=kind, recipient=user, review=review, action=action)
                send_mail(
                    subject,
                    f"{body}\n\n{settings.RRP_SITE_URL}{path}\n",
                    settings.DEFAULT_FROM_EMAIL,
                    [user.email],
                )
        except IntegrityError:
            # Another run recorded this reminder at the same moment; it was sent once.
            return 0
        return 1
