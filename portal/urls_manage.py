"""The secretariat's workspace under /forvaltning/, namespace "manage"."""

from django.urls import path

from actionplans.views import manage as actionplans_manage
from meetings.views import approval as meetings_approval
from meetings.views import manage as meetings_manage
from meetings.views import meeting_mode
from portal.views import manage as portal_manage
from portal.views import manage_mfa
from portal.views import security as portal_security

app_name = "manage"

urlpatterns = [
    path("", portal_manage.workspace_home, name="home"),
    path("<slug:partnership>/", portal_manage.overview, name="overview"),
    path("<slug:partnership>/sikkerhetslogg/", portal_security.security_log, name="security_log"),
    path("<slug:partnership>/historikk/<str:kind>/<int:pk>/", portal_manage.history, name="history"),
    path("<slug:partnership>/moter/nytt/", meetings_manage.meeting_create, name="meeting_create"),
    path("<slug:partnership>/moter/<int:pk>/", meetings_manage.meeting_detail, name="meeting"),
    path("<slug:partnership>/moter/<int:pk>/oppmote/", meetings_manage.attendance, name="attendance"),
    path("<slug:partnership>/moter/<int:pk>/referat/", meetings_manage.minutes, name="minutes"),
    path("<slug:partnership>/moter/<int:pk>/motemodus/", meeting_mode.meeting_mode, name="meeting_mode"),
    path(
        "<slug:partnership>/moter/<int:pk>/referat/godkjenning/",
        meetings_approval.minutes_approval,
        name="minutes_approval",
    ),
    path("<slug:partnership>/saker/<int:pk>/", meetings_manage.case_edit, name="case"),
    path("<slug:partnership>/saker/<int:pk>/vedtak/", meetings_manage.case_decision, name="case_decision"),
    path("<slug:partnership>/saker/<int:pk>/rettelse/", meetings_manage.case_amend, name="case_amend"),
    path(
        "<slug:partnership>/saker/<int:pk>/vedlegg/", meetings_manage.case_attachment, name="case_attachment"
    ),
    path(
        "<slug:partnership>/saker/<int:pk>/returner/", meetings_manage.proposal_return, name="proposal_return"
    ),
    # Second factors: the "lost device" reset
    path("<slug:partnership>/tofaktor/", manage_mfa.second_factors, name="second_factors"),
    path(
        "<slug:partnership>/tofaktor/<int:user_id>/tilbakestill/",
        manage_mfa.second_factor_reset,
        name="second_factor_reset",
    ),
    # Action plans
    path("<slug:partnership>/handlingsplaner/", actionplans_manage.action_plans, name="action_plans"),
    path("<slug:partnership>/handlingsplaner/<int:pk>/", actionplans_manage.action_plan, name="action_plan"),
    path("<slug:partnership>/tiltak/<int:pk>/", actionplans_manage.measure, name="measure"),
]
