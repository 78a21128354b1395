"""The form renderer: Django's, with the commonest widgets written out in Python.

Django renders every widget, and every option of a select box or set of radios, through its own
template and `attrs.html` include. The incident list's filter form took about 140 includes a
request this way, a third of the page's server time. The templates below are few and stable, so
this renderer writes the same HTML directly; any other template goes to Django's renderer. A test
(tests/rrp/test_renderers.py) renders every kind of widget both ways and compares the HTML.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape

_WIDGETS = "django/forms/widgets/"
# Django's templates that are only `{% include "django/forms/widgets/input.html" %}`.
_INPUTS = {
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
}
_OPTIONS = {f"{_WIDGETS}{name}.html" for name in ("input_option", "radio_option", "checkbox_option")}


def _text(value) -> str:
    """`{{ value }}`: localized and escaped."""
    return conditional_escape(localize(value))


def _attrs(attrs: dict) -> str:
    """Django's attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{escape(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    attrs = _attrs(widget["attrs"])
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{attrs}>'


def _option(widget: dict) -> str:
    """input_option.html: an input, wrapped in its label when `wrap_label`."""
    if not widget.get("wrap_label"):
        return _input(widget)
    label_for = widget["attrs"].get("id")
    label_for = f' for="{_text(label_for)}"' if label_for else ""
    # input.html's own closing newline stays inside the label.
    return f"<label{label_for}>{_input(widget)}\n {_text(widget['label'])}</label>"


def _select(widget: dict) -> str:
    html = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, choices, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in choices:
            value, attrs, label = escape(option["value"]), _attrs(option["attrs"]), _text(option["label"])
            # Each option keeps select_option.html's closing newline.
            html.append(f'\n  <option value="{value}"{attrs}>{label}</option>\n')
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class FormRenderer(DjangoTemplates):
    """Django's default renderer, writing inputs, select boxes and text areas without templates."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in _INPUTS:
                return _input(widget)
            if template_name in _OPTIONS:
                return _option(widget)
            if template_name == f"{_WIDGETS}select.html" and _plain_options(widget):
                return _select(widget)
            if template_name == f"{_WIDGETS}textarea.html":
                return _textarea(widget)
        return super().render(template_name, context, request)


def _plain_options(widget: dict) -> bool:
    """True when every option uses Django's own option template (a widget may name its own)."""
    return all(
        option["template_name"] == f"{_WIDGETS}select_option.html"
        for _group, choices, _index in widget["optgroups"]
        for option in choices
    )
