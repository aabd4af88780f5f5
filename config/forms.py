"""Forms render with Bootstrap 5 classes everywhere, without a template tag per field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


def bootstrap_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, forms.HiddenInput):
        return ""
    return "form-control"


class BootstrapBoundField(BoundField):
    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        classes = [bootstrap_class(widget or self.field.widget), attrs.get("class", "")]
        if self.form.is_bound and self.errors:
            classes.append("is-invalid")
        attrs["class"] = " ".join(c for c in classes if c)
        return attrs


class BootstrapFormRenderer(TemplatesSetting):
    field_template_name = "forms/field.html"
    bound_field_class = BootstrapBoundField
