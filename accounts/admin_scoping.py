"""Organization scoping of Django's admin, for every app's organization-owned rows (the one place it lives).

Superusers see and edit everything. Any other staff user sees and edits only the rows of organizations where they
are an owner or assessor: change lists are filtered, another organization's row is "not found", foreign key choices
and the organization field are limited to those organizations, and a row may only point to rows of its own
organization. Rows whose organization may be empty (shared catalog entries) are listed for everyone. Django's model
permissions (groups) still decide which models a staff user may view, add, change or delete.

An app's admin uses :class:`OrganizationScopedMixin` on its model admins and inlines (its form is
:class:`OrganizationAdminForm`), :data:`ORGANIZATION_FILTER` in ``list_filter``, and :func:`scope` or
:func:`editable_organization_ids` for anything else it lists.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Organization, Role

EDITOR_ROLES = (Role.OWNER, Role.ASSESSOR)
# Related-row filters offer only the rows in the (scoped) change list, not every organization's.
ORGANIZATION_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)
_CACHE_ATTR = "_admin_editable_organization_ids"

__all__ = [
    "EDITOR_ROLES",
    "ORGANIZATION_FILTER",
    "OrganizationAdminForm",
    "OrganizationInlineFormSet",
    "OrganizationScopedMixin",
    "OrganizationValidationMixin",
    "SuperuserOnlyMixin",
    "SuperuserWritesMixin",
    "close_unscoped_admins",
    "ScopedHistoryAdmin",
    "editable_organization_ids",
    "editable_organizations",
    "is_closed_to_staff",
    "organization_path",
    "scope",
]


def editable_organizations(request: HttpRequest) -> QuerySet[Organization] | None:
    """The organizations whose rows the user may see and edit in the admin; None for a superuser (all of them)."""
    user = request.user
    if user.is_superuser:
        return None
    if not user.is_authenticated:  # e.g. the admin's log-in page lists the apps too
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user, memberships__role__in=EDITOR_ROLES)


def editable_organization_ids(request: HttpRequest) -> frozenset[int] | None:
    if request.user.is_superuser:
        return None
    if not hasattr(request, _CACHE_ATTR):
        setattr(request, _CACHE_ATTR, frozenset(editable_organizations(request).values_list("pk", flat=True)))
    return getattr(request, _CACHE_ATTR)


def scope(queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
    """Rows of the request's editable organizations, plus the shared rows where the organization may be empty."""
    ids = editable_organization_ids(request)
    if ids is None:
        return queryset
    if queryset.model is Organization:
        return queryset.filter(pk__in=ids)
    condition = Q(organization__in=ids)
    if queryset.model._meta.get_field("organization").null:
        condition |= Q(organization__isnull=True)
    return queryset.filter(condition)


def _has_organization(model: type[Model]) -> bool:
    return any(f.name == "organization" for f in model._meta.get_fields())


def organization_path(model: type[Model]) -> str | None:
    """The lookup from a row of `model` to its organization (``"pk"`` for organizations), or None: not owned."""
    if model is Organization:
        return "pk"
    return "organization" if _has_organization(model) else None


class OrganizationValidationMixin:
    """For model forms without an organization field (the row's organization is set by the code): the model's
    per-organization constraints (``UniqueConstraint(fields=["organization", ...])``) are still validated, with the
    model's own messages, so a duplicate is a form error rather than an IntegrityError."""

    def _get_validation_exclusions(self) -> set[str]:
        exclude = super()._get_validation_exclusions()  # type: ignore[misc]
        instance = self.instance  # type: ignore[attr-defined]
        if "organization" not in self.fields and getattr(instance, "organization_id", None) is not None:  # type: ignore[attr-defined]
            exclude.discard("organization")
        return exclude


class OrganizationAdminForm(OrganizationValidationMixin, forms.ModelForm):
    """A row may only point to rows of its own organization (or to shared catalog entries).

    Inline rows take their organization from the parent row (it is not a form field); their per-organization
    unique constraints are checked too (:class:`OrganizationValidationMixin`).
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        organization = cleaned.get("organization") if "organization" in self.fields else None
        organization_id = organization.pk if organization is not None else self.instance.organization_id
        if organization_id is None:
            return cleaned
        for name, value in list(cleaned.items()):
            if name == "organization" or not isinstance(value, Model):
                continue
            owner = getattr(value, "organization_id", None)
            if owner is not None and owner != organization_id:
                self.add_error(name, f"“{value}” belongs to another organization than this row.")
        return cleaned


class OrganizationInlineFormSet(BaseInlineFormSet):
    """Inline rows belong to the parent row's organization."""

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)
        form.instance.organization_id = self.instance.organization_id
        return form


class OrganizationScopedMixin:
    """Organization scoping for model admins and inlines (see the module docstring)."""

    form = OrganizationAdminForm
    #: A saved row keeps its organization (moving it would strand the rows that refer to it).
    organization_fixed_once_saved = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(super().get_queryset(request), request)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.remote_field.model
        if not request.user.is_superuser and (related is Organization or _has_organization(related)):
            kwargs["queryset"] = scope(related._default_manager.all(), request)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if db_field.name == "organization" and field is not None and not request.user.is_superuser:
            field.required = True  # only superusers add shared catalog entries
            field.empty_label = None
        return field

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return (*readonly, "organization") if obj is not None and self.organization_fixed_once_saved else readonly

    def get_autocomplete_fields(self, request: HttpRequest) -> Any:
        # The organizations' own admin is not scoped: other staff pick from a list limited to their organizations.
        fields_ = tuple(super().get_autocomplete_fields(request))  # type: ignore[misc]
        return (*fields_, "organization") if request.user.is_superuser else fields_

    def _in_scope(self, request: HttpRequest) -> bool:
        """Superusers, and staff who own or assess at least one organization."""
        ids = editable_organization_ids(request)
        return ids is None or bool(ids)

    def _may_edit(self, request: HttpRequest, obj: Any) -> bool:
        ids = editable_organization_ids(request)
        return ids is None or (bool(ids) and (obj is None or obj.organization_id in ids))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._in_scope(request) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._in_scope(request) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._in_scope(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class SuperuserWritesMixin:
    """Staff who are not superusers read (their organizations' rows); only superusers add, change or delete."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)  # type: ignore[misc]


class SuperuserOnlyMixin(SuperuserWritesMixin):
    """An admin only superusers open: for rows that belong to no organization (people, groups, task results,
    log-in records), which other staff would otherwise see across every organization."""

    closed_to_staff = True

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_view_permission(request, obj)  # type: ignore[misc]


def is_closed_to_staff(model_admin: Any) -> bool:
    return bool(getattr(model_admin, "closed_to_staff", False))


def _is_scoped(model_admin: Any) -> bool:
    return isinstance(model_admin, OrganizationScopedMixin) or bool(getattr(model_admin, "organization_scoped", False))


def close_unscoped_admins(site: admin.AdminSite) -> list[str]:
    """Deny by default: every registered admin that is neither scoped to organizations
    (:class:`OrganizationScopedMixin`, or ``organization_scoped = True`` where it scopes itself) nor shared
    reference data (``shared_reference = True``: the same rows for everyone, read-only) is re-registered as
    superuser-only, so a model an app or a library registers later never shows one organization's rows to
    another's staff. Called once all admins are registered (``accounts.apps``); returns the models closed."""
    closed = []
    for model, model_admin in list(site._registry.items()):
        if (
            _is_scoped(model_admin)
            or getattr(model_admin, "shared_reference", False)
            or is_closed_to_staff(model_admin)
        ):
            continue
        cls = type(model_admin)
        restricted = type(cls.__name__, (SuperuserOnlyMixin, cls), {"__module__": cls.__module__})
        site.unregister(model)
        site.register(model, restricted)
        closed.append(model._meta.label)
    return closed


class ScopedHistoryAdmin(OrganizationScopedMixin, SimpleHistoryAdmin):
    """A scoped model admin with django-simple-history's "History" page (who changed what, when, before and after).

    The history of a row is shown only to those who may see the row: the row must be in the user's organizations,
    also when it has since been deleted (the history view then reads it from its last historical record, which the
    plain admin would show to anyone with the model's view permission); another organization's row is a 404, as
    an id that never existed is. History is read-only here
    (``SIMPLE_HISTORY_REVERT_DISABLED``): a revert would skip the services' rules.
    """

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        # A model this admin serves without change history (e.g. a catalog kept by its import, not by people)
        # shows Django's own log, as any admin does.
        if not hasattr(self.model._meta, "simple_history_manager_attribute"):
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def has_view_history_or_change_history_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None:
            ids = editable_organization_ids(request)
            owner = getattr(obj, "organization_id", None)
            if ids is not None and owner is not None and owner not in ids:
                # Another organization's row, live or deleted, is "not found", as an id that never existed is:
                # a refusal (403) would tell its id exists.
                raise Http404
        return super().has_view_history_or_change_history_permission(request, obj)
