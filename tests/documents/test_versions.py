"""Document versions from stamps: what a document shows changes its version, nothing else does,
and the cost of knowing the version does not grow with the history."""

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from actionplans.pdf import action_plan_document
from documents import pdf as documents
from documents import stamps
from governance.models import PatientGroup, Person
from meetings import pdf
from meetings.models import CaseSection
from tests import pdftools
from tests.actionplans import factories as af
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(world):
    """A published notice in each of two partnerships, each with one case."""
    meeting_a = mf.meeting(world.body)
    meeting_b = mf.meeting(world.other_body)
    return meeting_a, meeting_b, mf.case(meeting_a, number=1), mf.case(meeting_b, number=1)


def versions(*meetings):
    return [pdf.notice_document(meeting, None).version for meeting in meetings]


def test_a_change_in_one_partnership_leaves_the_other_partnerships_documents_alone(two):
    meeting_a, meeting_b, case_a, _case_b = two
    before_a, before_b = versions(meeting_a, meeting_b)
    case_a.title = "Endret tittel"
    case_a.save()
    after_a, after_b = versions(meeting_a, meeting_b)
    assert after_a != before_a
    assert after_b == before_b


def test_sending_the_notice_e_mails_leaves_the_version_alone(two):
    """A mail round is written as the notice goes out: the PDFs rendered for it must stay valid."""
    from meetings.models import MailDelivery

    meeting_a, _meeting_b, _case_a, _case_b = two
    (before,) = versions(meeting_a)
    delivery = MailDelivery.objects.create(meeting=meeting_a, kind=MailDelivery.Kind.NOTICE)
    recipient = delivery.recipients.create(address="medlem@example.test")
    recipient.state = recipient.State.SENT
    recipient.save()
    assert versions(meeting_a) == [before]


def _patient_group(case):
    case.patient_groups.add(PatientGroup.objects.create(name="Barn", slug="barn"))


CHANGES = {
    "section added": lambda case: CaseSection.objects.create(case=case, text="Ny tekst"),
    "attachment added": lambda case: mf.attachment(case, title="Nytt vedlegg"),
    "attendance": lambda case: case.meeting.attendances.create(person=Person.objects.first()),
    "partnership saved": lambda case: case.body.partnership.save(),
    "patient group linked": _patient_group,
    "a person (global)": lambda case: Person.objects.first().save(),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_what_a_notice_is_built_from_changes_its_version(two, change):
    meeting_a, _meeting_b, case_a, _case_b = two
    (before,) = versions(meeting_a)
    change(case_a)
    assert versions(meeting_a) != [before]


def test_a_deleted_section_changes_the_version(two):
    meeting_a, _meeting_b, case_a, _case_b = two
    section = CaseSection.objects.create(case=case_a, text="Bort")
    (before,) = versions(meeting_a)
    section.delete()
    assert versions(meeting_a) != [before]


def test_a_meeting_moved_to_another_partnership_changes_both(two, world):
    meeting_a, meeting_b, _case_a, _case_b = two
    before = versions(meeting_a, meeting_b)
    meeting_a.body = world.other_body
    meeting_a.save()
    after = versions(meeting_a, meeting_b)
    assert after[0] != before[0] and after[1] != before[1]


def test_a_rolled_back_change_leaves_the_version(two):
    meeting_a, _meeting_b, case_a, _case_b = two
    (before,) = versions(meeting_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        case_a.title = "Aldri lagret"
        case_a.save()
        raise RuntimeError
    assert versions(meeting_a) == [before]


def test_an_exemption_set_after_publication_is_a_new_version_without_the_exempt_text(two, client):
    """The notice was stored with the case's title; made exempt afterwards, the public PDF is
    rendered anew and shows only the public title."""
    meeting_a, _meeting_b, case_a, _case_b = two
    case_a.title = "HEMMELIG-SAKSTITTEL"
    case_a.save()
    url = reverse(
        "pdf:notice",
        kwargs={
            "partnership": "to",
            "body": "fsu-bu",
            "date": timezone.localtime(meeting_a.start).date(),
        },
    )
    first = client.get(url)
    assert "hemmelig-sakstittel" in pdftools.text(b"".join(first.streaming_content))
    case_a.exempt, case_a.exemption_basis, case_a.public_title = True, "offl. § 13", "OFFENTLIG-TITTEL"
    case_a.save()
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    text = pdftools.text(b"".join(second.streaming_content))
    assert "hemmelig-sakstittel" not in text and "offentlig-tittel" in text


def test_an_exempt_attachment_set_after_publication_is_a_new_version(two):
    meeting_a, _meeting_b, case_a, _case_b = two
    attachment = mf.attachment(case_a, title="Rapport")
    (before,) = versions(meeting_a)
    attachment.exempt, attachment.exemption_basis = True, "offl. § 14"
    attachment.save()
    assert versions(meeting_a) != [before]


def test_a_case_linked_to_a_measure_changes_the_plan(world):
    meeting = mf.meeting(world.body)
    case = mf.case(meeting, number=3)
    plan = af.action_plan(world.partnership, title="Plan", slug="plan")
    measure = af.measure(af.focus_area(plan), text="Tiltak")
    before = action_plan_document(plan).version
    measure.cases.add(case)
    linked = action_plan_document(plan).version
    assert linked != before
    case.exempt, case.exemption_basis = True, "offl. § 13"
    case.save()
    assert action_plan_document(plan).version != linked


def test_every_model_of_the_domain_is_tracked():
    """A new model whose rows a document may show must say which scope it belongs to."""
    domain = {
        model
        for label in ("governance", "meetings", "actionplans")
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges) and not model._meta.auto_created
    }
    assert domain - stamps.tracked_models() - stamps.never_shown_models() == set()
    assert stamps.tracked_models() & stamps.never_shown_models() == set()


def extra_history(count: int) -> None:
    person = Person.objects.first()
    Historical = Person.history.model
    now = timezone.now()
    Historical.objects.bulk_create(
        [
            Historical(id=person.pk, name=f"Gammel {i}", history_date=now, history_type="~")
            for i in range(count)
        ]
    )


def test_serving_a_stored_pdf_costs_the_same_with_a_longer_history(two, client):
    meeting_a, _meeting_b, _case_a, _case_b = two
    url = reverse(
        "pdf:notice",
        kwargs={"partnership": "to", "body": "fsu-bu", "date": timezone.localtime(meeting_a.start).date()},
    )
    assert client.get(url).status_code == 200  # stored now
    counts = []
    for rows in (10, 1000):
        extra_history(rows)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and not response.get("Cache-Control", "").endswith("no-store")
        assert not any("historical" in query["sql"].lower() for query in queries.captured_queries)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_a_new_version_deletes_the_superseded_file(two):
    meeting_a, _meeting_b, case_a, _case_b = two
    folder = documents.folder("notice", meeting_a.pk)
    first = documents.stored_pdf(pdf.notice_document(meeting_a, None))
    assert first.rendered and default_storage.listdir(folder)[1] == [first.name.rsplit("/", 1)[-1]]
    case_a.title = "Ny versjon"
    case_a.save()
    second = documents.stored_pdf(pdf.notice_document(meeting_a, None))
    assert second.rendered and second.name != first.name
    assert default_storage.listdir(folder)[1] == [second.name.rsplit("/", 1)[-1]]
    again = documents.stored_pdf(pdf.notice_document(meeting_a, None))
    assert again == (second.name, False)


def test_a_document_names_its_scopes():
    with pytest.raises(ValueError):
        documents.PdfDocument("x", 1, documents.PUBLIC, (), "x.pdf", lambda: ("", ()), scopes=())


def test_applied_migrations_make_every_version_new(two):
    """A data migration changes rows without signals: any applied migration bumps GLOBAL."""
    meeting_a, meeting_b, _case_a, _case_b = two
    before = versions(meeting_a, meeting_b)
    stamps._after_migrate(sender=None, plan=[])  # nothing applied: nothing changes
    assert versions(meeting_a, meeting_b) == before
    stamps._after_migrate(sender=None, plan=[("a migration", False)])
    after = versions(meeting_a, meeting_b)
    assert after[0] != before[0] and after[1] != before[1]
