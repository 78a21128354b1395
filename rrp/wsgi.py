import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.settings")
application = get_wsgi_application()

# Load every view module now, then leave everything loaded so far out of the garbage collector's
# full passes: it lives as long as the process anyway. A full pass over the ~180,000 objects of
# a loaded worker took about 60 ms and landed on whichever request happened to be running
# (benchmarks/README.md).
get_resolver().url_patterns  # noqa: B018 (imports the URL configuration and every view)
gc.freeze()
