"""Review events other apps react to."""

from django.dispatch import Signal

# Sent inside the create transaction with `action` (a ReviewAction) and `by`.
# The safety-plan app turns a "safety_plan" action into a proposed change to the person's plan.
review_action_created = Signal()
