"""Create the demo organisation, people and every app's demo records. Safe to run twice."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rrp import bulk, demo
from rrp.hooks import app_modules
from rrp.models import Trust


class Command(BaseCommand):
    help = "Load the synthetic demo data set of shared/personas.md (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also add N synthetic incidents (with interventions, reviews, admissions) for benchmarks.",
        )

    def handle(self, *args, scale: int = 0, **options):
        others = Trust.objects.exclude(name=demo.TRUST_NAME)
        if others.exists():
            raise CommandError(
                "This database holds a trust that is not the demo trust "
                f"({others.first()}). Refusing to add demo data to real data."
            )
        cast = demo.Cast()
        with transaction.atomic(), bulk.deferred():
            for module in app_modules("demo"):
                self.stdout.write(f"Seeding {module.__name__} ...")
                module.seed(cast)
        if scale:
            if scale < 0:
                raise CommandError("--scale must be a positive number of incidents.")
            # Each app's `scale.py` adds its share in bulk, in INSTALLED_APPS order.
            for module in app_modules("scale"):
                self.stdout.write(f"Adding volume with {module.__name__} ...")
                module.seed_scale(cast, scale, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in as any persona in README.md."))
