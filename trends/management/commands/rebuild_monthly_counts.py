"""Recount the trend pages' monthly counts from the incidents (after a bulk load, or to check them)."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from trends import monthly


class Command(BaseCommand):
    help = "Rebuild the monthly counts behind the trend pages from the incidents, ward by ward."

    def add_arguments(self, parser):
        parser.add_argument("--ward", type=int, action="append", help="only this ward id (repeatable)")

    def handle(self, *args, ward=None, **options):
        started = time.monotonic()
        rows = monthly.rebuild(ward)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE trends_monthlycount")
        self.stdout.write(f"Rebuilt {rows:,} monthly counts in {time.monotonic() - started:.1f} s.")
