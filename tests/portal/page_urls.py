"""One URL of every page type on the demo data, by who sees it: the browser tests (axe, the
Content-Security-Policy, phone width) and the Nu HTML Checker visit the same pages."""

from actionplans.models import ActionPlan, Measure
from governance.models import Body
from meetings.models import Case, Meeting

# One URL per public page type, on the demo data.
PAGE_TYPES = {
    "home": "/",
    "partnership": "/troms-ofoten/",
    "body": "/troms-ofoten/fsu-bu/",
    "meeting": "/troms-ofoten/fsu-bu/moter/2023-05-12/",
    "meeting with minutes": "/lofoten-vesteralen-salten/samhandlingsarena-lofoten/moter/2023-06-14/",
    "programme": None,  # Dialogmøtet 2024: its date is not in the source, so its address has its id
    "case": "/troms-ofoten/fsu-bu/saker/2023/8/",
    "cases": "/troms-ofoten/saker/?body=fsu-bu",
    "calendar": "/troms-ofoten/kalender/",
    "action plans": "/troms-ofoten/handlingsplaner/",
    "action plan": "/troms-ofoten/handlingsplaner/handlingsplan-2023/",
    "search": "/sok/?q=samhandling",
    "search help": "/sok/",
    "search suggestion": "/sok/?q=paliativ",
    "accessibility": "/tilgjengelighet/",
    "login": "/konto/login/",
    "not found": "/troms-ofoten/finnes-ikke/",
}

TO = "/forvaltning/troms-ofoten"


def page_types() -> dict[str, str]:
    return PAGE_TYPES | {"programme": Meeting.objects.get(title="Dialogmøtet 2024").get_absolute_url()}


def member_urls():
    body = Body.objects.get(partnership__slug="troms-ofoten", slug="fsu-bu")
    return ["/min-side/", f"/min-side/foresla-sak/{body.pk}/", PAGE_TYPES["meeting"]]


def workspace_urls():
    meeting = Meeting.objects.filter(body__partnership__slug="troms-ofoten").order_by("start").last()
    case = Case.objects.filter(body__partnership__slug="troms-ofoten").first()
    plan = ActionPlan.objects.filter(partnership__slug="troms-ofoten").first()
    measure = Measure.objects.filter(focus_area__action_plan=plan).first()
    return [
        f"{TO}/",
        f"{TO}/moter/nytt/",
        f"{TO}/moter/{meeting.pk}/",
        f"{TO}/moter/{meeting.pk}/oppmote/",
        f"{TO}/moter/{meeting.pk}/referat/",
        f"{TO}/moter/{meeting.pk}/motemodus/",
        f"{TO}/saker/{case.pk}/",
        f"{TO}/historikk/sak/{case.pk}/",
        f"{TO}/handlingsplaner/",
        f"{TO}/handlingsplaner/{plan.pk}/",
        f"{TO}/tiltak/{measure.pk}/",
        f"{TO}/sikkerhetslogg/",
    ]
