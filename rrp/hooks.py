"""Discover what each app adds to navigation, home pages and the demo.

An app contributes by having a `home.py` module with any of:
- `nav_items(user, role) -> list[tuple[str, str]]` (label, url) for the header menu;
- `attention_panels(request, role) -> list[Panel]` for the home page ("what needs my attention").
and a `demo.py` module with `seed(cast)` called by `manage.py seed_demo` in INSTALLED_APPS order.
"""

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


@dataclass
class PanelItem:
    text: str
    url: str = ""
    detail: str = ""
    overdue: bool = False


@dataclass
class Panel:
    title: str
    items: list[PanelItem] = field(default_factory=list)
    empty: str = "Nothing needs your attention here."
    link: tuple[str, str] | None = None  # (label, url) to the full list


@cache
def app_modules(name: str) -> tuple:
    """Return the `<app>.<name>` modules that exist, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        dotted = f"{config.name}.{name}"
        if find_spec(config.name) and find_spec(dotted):
            found.append(import_module(dotted))
    return tuple(found)


def collect(module_name: str, function: str, *args) -> list:
    results = []
    for module in app_modules(module_name):
        func = getattr(module, function, None)
        if func:
            results.extend(func(*args))
    return results
