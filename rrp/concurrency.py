"""Optimistic locking: an edit based on an outdated version is refused, never merged silently."""

from django.db import models


class StaleEdit(Exception):
    """Raised when someone saves a record that changed after they opened it."""

    def __init__(self, current):
        self.current = current
        super().__init__("This record was changed by someone else after you opened it.")


class Versioned(models.Model):
    """Adds a version number that every save through a service increments."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


def check_version(obj: Versioned, submitted) -> None:
    """Lock the row and raise StaleEdit unless `submitted` is its current version.

    Call inside the service's transaction before changing `obj`; then `bump(obj)` before saving.
    """
    current = type(obj).objects.select_for_update().get(pk=obj.pk)
    try:
        submitted = int(submitted)
    except (TypeError, ValueError):
        raise StaleEdit(current) from None
    if submitted != current.version:
        raise StaleEdit(current)


def bump(obj: Versioned) -> None:
    obj.version += 1
