"""The admin keeps history as the services do: every change with a reason and the acting user.

Modelled on readthedocs.org's `ExtraSimpleHistoryAdmin` (readthedocs/core/history.py), which
sets a change reason on every save and delete made in the admin. Here the person gives the
reason, in a required field, and it is saved through governance.history with their user. The
history page lists each version with who changed it and why (django-simple-history's view).

Fields that services set, not hand edits (a meeting's status, a case's number, year and
version, …), are named in `service_fields`: read-only in the form, and kept as they are in the
database on every save, a revert to an older version included. A row that has a `version`
(optimistic concurrency in the workspace) gets the next version on every change here too.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .history import delete_with_history, mark_change, save_with_history

REASON = "change_reason"
VERSION = "version"
REASON_REQUIRED = _("Write why you make this change; the reason is kept in the history.")


class ChangeReasonForm(forms.ModelForm):
    """The base of every history admin's form: the model's fields and the reason for the change."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history with your name, for example “Wrong date in the notice”."),
        error_messages={"required": REASON_REQUIRED},
    )


def _can_start_without(model, name: str) -> bool:
    """Whether a new row can be saved without this field (it has a default or may be empty)."""
    field = model._meta.get_field(name)
    return field.has_default() or field.null


class HistoryAdmin(SimpleHistoryAdmin):
    """The base of every ModelAdmin of the domain apps."""

    form = ChangeReasonForm
    service_fields: tuple[str, ...] = ()
    # A link typed without its scheme is a secure one (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def is_locked(self, obj) -> bool:
        """Whether the row is part of a locked record (approved minutes): then the admin only
        shows it, and a correction goes through the workspace's amendment with its reason."""
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and self.is_locked(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and self.is_locked(obj))

    def get_readonly_fields(self, request, obj=None):
        own = self.service_fields
        if obj is None:  # a new row: what it cannot be saved without (a case's year) is asked
            own = tuple(name for name in own if _can_start_without(self.model, name))
        return (*super().get_readonly_fields(request, obj), *own)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [field for field in options["fields"] if field != REASON]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        return [*fieldsets, (_("Reason for the change"), {"fields": [REASON]})]

    def get_actions(self, request):
        # Deleting several rows at once would leave no reason: each is deleted on its own page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _keep_service_fields(self, obj) -> None:
        """Put back the database's values of the service fields; the next version if versioned."""
        columns = [self.model._meta.get_field(name).attname for name in self.service_fields]
        current = self.model._default_manager.filter(pk=obj.pk).values(*columns).get()
        for column, value in current.items():
            setattr(obj, column, value)
        if VERSION in self.service_fields:
            obj.version = current[VERSION] + 1

    def save_model(self, request, obj, form, change):
        if change and self.service_fields:
            self._keep_service_fields(obj)
        save_with_history(obj, reason=form.cleaned_data[REASON], by=request.user)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed() and hasattr(instance, VERSION):
                instance.version += 1
            mark_change(instance, reason=form.cleaned_data[REASON], by=request.user)
        super().save_formset(request, form, formset, change)

    delete_confirmation_template = "admin/history_delete_confirmation.html"

    def delete_view(self, request, object_id, extra_context=None):
        """The confirmation asks for the reason too; without one the page is shown again."""
        extra_context = {**(extra_context or {}), "reason_field": REASON}
        if request.method == "POST":
            request.history_reason = request.POST.get(REASON, "").strip()
            if not request.history_reason:
                extra_context["reason_error"] = REASON_REQUIRED
                request.POST = QueryDict()  # not confirmed: Django shows the confirmation again
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        delete_with_history(obj, reason=request.history_reason, by=request.user)


class ServiceFieldsInline:
    """For inlines: the service fields of the rows are read-only there too."""

    service_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.service_fields)


class HistoryTabularInline(ServiceFieldsInline, admin.TabularInline):
    pass


class HistoryStackedInline(ServiceFieldsInline, admin.StackedInline):
    pass


class LockableInline:
    """An inline that is shown, not edited, while its parent row is locked (see HistoryAdmin)."""

    def _parent_locked(self, request, obj) -> bool:
        return obj is not None and self.admin_site._registry[self.parent_model].is_locked(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._parent_locked(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._parent_locked(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._parent_locked(request, obj)
