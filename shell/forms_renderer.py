"""The form renderer: Django's templates, except the plain <input> widgets, which are drawn here in Python.

A counter form has a dozen inputs and checkboxes; drawing each through Django's widget templates (input.html and
attrs.html, included by text.html, checkbox_option.html ...) took about a fifth of the form page's CPU. The
output is the same as those templates' (tests/shell/test_forms_renderer.py renders both and compares); a project
template that overrides one of them would be passed by: override the widget's template_name instead.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

# Django's widget templates that only include input.html or input_option.html.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "tel", "search", "color",
                 "date", "datetime", "time", "checkbox")
)
OPTION_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html" for name in ("input_option", "checkbox_option", "radio_option")
)


def _plain(value) -> str:
    """As the templates' |stringformat:'s' gives it: a plain string (a SafeString too), escaped after."""
    return "%s" % (value,)  # noqa: UP031 (exactly what the filter does: a SafeString comes out plain)


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(_plain(value))}"')
    return "".join(out)


def render_input(widget: dict) -> str:
    value = widget.get("value")
    shown = f' value="{conditional_escape(_plain(value))}"' if value is not None else ""
    return (f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f'{shown}{_attrs(widget.get("attrs") or {})}>')


def render_option(widget: dict) -> str:
    html = render_input(widget)
    if not widget.get("wrap_label"):
        return html
    attrs = widget.get("attrs") or {}
    target = f' for="{conditional_escape(attrs["id"])}"' if attrs.get("id") else ""
    # input.html ends with a newline, which the include inside the label keeps (only the whole output is stripped).
    return f"<label{target}>{html}\n {conditional_escape(widget['label'])}</label>"


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and widget.get("template_name") == template_name:
            if template_name in INPUT_TEMPLATES:
                return render_input(widget)
            if template_name in OPTION_TEMPLATES:
                return render_option(widget)
        return super().render(template_name, context, request)
