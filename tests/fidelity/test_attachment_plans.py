"""Attachments that are action plans the portal holds link to them (#13): PM sak 07-2021's
"Forslag til handlingsplan for strategisk samarbeidsutvalg (SSU)" and FSU BU sak 09/23's
"Vedlegg 1: Handlingsplan HTO 2023", as the sources name them, on the case page, within the case
page's query budget; and an attachment that is no plan links to none."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from actionplans.models import ActionPlan
from meetings.models import Case

pytestmark = pytest.mark.django_db

SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"
LINK = re.compile(r'<a href="(?P<url>[^"]+)">handlingsplanen i portalen: (?P<title>[^<]+)</a>')


def attachment_items(page: str) -> list[str]:
    match = re.search(r'<ol class="attachments">(.*?)</ol>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1), re.S) if match else []


@pytest.mark.parametrize(
    ("partnership", "body", "year", "number", "source", "said"),
    [
        ("lofoten-vesteralen-salten", "pm", 2021, 7, "pm_sak_07-2021.txt", "Forslag til handlingsplan"),
        ("troms-ofoten", "fsu-bu", 2023, 9, "fsu_bu_2023-05-12.txt", "Vedlegg 1: Handlingsplan HTO 2023"),
    ],
)
def test_the_attachment_links_to_the_plan_it_is(
    module_demo_data, django_assert_max_num_queries, partnership, body, year, number, source, said
):
    assert said in (SOURCES / source).read_text(encoding="utf-8")
    case = Case.objects.get(body__partnership__slug=partnership, body__slug=body, year=year, number=number)
    plan = ActionPlan.objects.get(attachments__case=case)
    with django_assert_max_num_queries(15):
        response = Client().get(case.get_absolute_url())
    assert response.status_code == 200
    items = attachment_items(response.content.decode())
    assert len(items) == 1, items
    links = [m.groupdict() for m in LINK.finditer(items[0])]
    assert links == [{"url": plan.get_absolute_url(), "title": html.escape(plan.title, quote=False)}]
    assert Client().get(plan.get_absolute_url()).status_code == 200


def test_an_attachment_that_is_no_plan_links_to_none(module_demo_data):
    """The link follows ActionPlan.attachments: taken away, the attachment is a title again."""
    case = Case.objects.get(body__partnership__slug="troms-ofoten", body__slug="fsu-bu", year=2023, number=9)
    plan = ActionPlan.objects.get(attachments__case=case)
    attachment = case.attachments.get()
    plan.attachments.remove(attachment)
    try:
        items = attachment_items(Client().get(case.get_absolute_url()).content.decode())
        assert len(items) == 1 and "Handlingsplan HTO 2023" in items[0]
        assert not LINK.search(items[0]) and plan.get_absolute_url() not in items[0]
    finally:
        plan.attachments.add(attachment)
