"""Admin for action plans, with history and a reason for each change on every model."""

from django.contrib import admin

from governance.history_admin import HistoryAdmin, HistoryStackedInline

from .models import Abbreviation, ActionPlan, FocusArea, Goal, Measure, ProgressReport


class FocusAreaInline(admin.StackedInline):
    model = FocusArea
    extra = 0
    fields = ["order", "number", "title", "description"]
    show_change_link = True


class AbbreviationInline(admin.TabularInline):
    model = Abbreviation
    extra = 0
    autocomplete_fields = ["body", "organisation"]


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


class MeasureInline(HistoryStackedInline):
    model = Measure
    extra = 0
    service_fields = ("status",)  # a measure takes the status of its latest progress report
    fields = [
        "order",
        "letter",
        "goal",
        "text",
        "responsible_text",
        "responsible_bodies",
        "responsible_organisations",
        "status",
        "due",
    ]
    autocomplete_fields = ["responsible_bodies", "responsible_organisations"]
    show_change_link = True


class ProgressReportInline(admin.TabularInline):
    model = ProgressReport
    extra = 0
    autocomplete_fields = ["case", "reported_by"]


@admin.register(ActionPlan)
class ActionPlanAdmin(HistoryAdmin):
    list_display = ["title", "partnership", "period_start", "period_end", "adopted_by"]
    list_filter = ["partnership"]
    search_fields = ["title", "subtitle", "purpose"]
    autocomplete_fields = ["adopted_by", "period_end_meeting", "attachments"]
    filter_horizontal = ["patient_groups"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["partnership", "adopted_by__body__partnership"]
    inlines = [AbbreviationInline, FocusAreaInline]


@admin.register(FocusArea)
class FocusAreaAdmin(HistoryAdmin):
    list_display = ["__str__", "action_plan", "order"]
    list_filter = ["action_plan"]
    search_fields = ["title", "description"]
    list_select_related = ["action_plan"]
    inlines = [GoalInline, MeasureInline]


@admin.register(Goal)
class GoalAdmin(HistoryAdmin):
    list_display = ["text", "focus_area"]
    search_fields = ["text"]
    list_select_related = ["focus_area"]


@admin.register(Measure)
class MeasureAdmin(HistoryAdmin):
    list_display = ["__str__", "focus_area", "responsible_text", "status", "due"]
    service_fields = ("status",)  # a measure takes the status of its latest progress report
    list_filter = ["focus_area__action_plan", "responsible_bodies"]
    search_fields = ["text", "responsible_text"]
    autocomplete_fields = ["goal", "responsible_bodies", "responsible_organisations", "cases"]
    filter_horizontal = ["patient_groups"]
    list_select_related = ["focus_area__action_plan"]
    inlines = [ProgressReportInline]


@admin.register(ProgressReport)
class ProgressReportAdmin(HistoryAdmin):
    list_display = ["measure", "date", "status", "case", "reported_by"]
    list_filter = ["status", "reported_by"]
    search_fields = ["text", "measure__text"]
    autocomplete_fields = ["measure", "case", "reported_by"]
    list_select_related = ["measure", "case__body__partnership", "reported_by__partnership"]


@admin.register(Abbreviation)
class AbbreviationAdmin(HistoryAdmin):
    list_display = ["abbreviation", "action_plan", "order"]
    search_fields = ["abbreviation", "explanation", "action_plan__title"]
    list_select_related = ["action_plan"]
