"""`load_demo`: both partnerships, their bodies by level, organisations, people and patient groups."""

import pytest

from governance.models import Body, Membership, Organisation, Partnership, PatientGroup, Person
from tests.portal.demo.seeds import LVS, TO

pytestmark = pytest.mark.django_db


# --- Partnerships, bodies, people -------------------------------------------------------------


def test_partnerships(output):
    assert Partnership.objects.count() == 2
    lvs = Partnership.objects.get(slug=LVS)
    assert lvs.name == "Helsefellesskapet Lofoten, Vesterålen, Salten"
    assert lvs.short_name == "Lofoten, Vesterålen, Salten"
    assert lvs.case_number_style == "dash"
    to = Partnership.objects.get(slug=TO)
    assert to.name == "Helsefellesskapet Troms og Ofoten"
    assert to.short_name == "Troms og Ofoten"
    assert to.case_number_style == "slash"
    assert Organisation.objects.get(partnership=lvs, kind="health_trust").name == "Nordlandssykehuset HF"
    assert Organisation.objects.get(partnership=to, kind="health_trust").name == "UNN HF"


def test_bodies_per_partnership(output):
    lvs_bodies = {body.short_name: body for body in Body.objects.filter(partnership__slug=LVS)}
    assert set(lvs_bodies) == {
        "PM",
        "Dialogmøtet",
        "SSU",
        "FSU akuttmedisin",
        "Samhandlingsarena Lofoten",
        "SEKR",
    }
    assert (lvs_bodies["PM"].kind, lvs_bodies["PM"].level) == ("partnership_meeting", 1)
    assert lvs_bodies["PM"].mandate.startswith("§ 4-2 Partnerskapsmøtet")
    assert "øverste organ hvor administrativ toppledelse" in lvs_bodies["PM"].mandate
    assert lvs_bodies["Dialogmøtet"].kind == "dialogue_meeting"
    assert lvs_bodies["Dialogmøtet"].meetings_open is True
    assert "ikke-formalisert samhandlingsarena" in lvs_bodies["Dialogmøtet"].mandate
    assert (lvs_bodies["SSU"].kind, lvs_bodies["SSU"].level) == ("strategic_committee", 2)
    assert lvs_bodies["FSU akuttmedisin"].level == 3
    assert lvs_bodies["FSU akuttmedisin"].parent == lvs_bodies["SSU"]
    assert lvs_bodies["Samhandlingsarena Lofoten"].kind == "network"
    assert lvs_bodies["SEKR"].kind == "secretariat"
    assert lvs_bodies["SEKR"].name == "Samhandlingssekretariatet"

    to_bodies = {body.short_name: body for body in Body.objects.filter(partnership__slug=TO)}
    fsus = {"FSU FLR", "FSU BU", "FSU AKM", "FSU REST", "FSU PHR", "FSU AVVIK", "FSU DIG"}
    assert set(to_bodies) == {"PM", "SSU", "SEKR"} | fsus
    for short_name in fsus:
        body = to_bodies[short_name]
        assert (body.kind, body.level, body.parent) == ("professional_committee", 3, to_bodies["SSU"])
        assert body.slug == short_name.lower().replace(" ", "-")
    assert to_bodies["FSU BU"].name == "Faglig samarbeidsutvalg for barn og unge"
    assert to_bodies["PM"].level == 1 and to_bodies["SSU"].level == 2
    assert (to_bodies["SEKR"].kind, to_bodies["SEKR"].slug) == ("secretariat", "sekr")
    assert to_bodies["SEKR"].name == "Helsefellesskapets sekretariat"


def test_organisations_and_people(output):
    lofoten = set(
        Organisation.objects.filter(region="Lofoten", kind="municipality").values_list("name", flat=True)
    )
    assert lofoten == {
        "Vestvågøy kommune",
        "Vågan kommune",
        "Flakstad kommune",
        "Røst kommune",
        "Værøy kommune",
        "Moskenes kommune",
    }
    salten = set(
        Organisation.objects.filter(region="Salten", kind="municipality").values_list("name", flat=True)
    )
    assert salten == {"Bodø kommune", "Saltdal kommune"}
    assert Organisation.objects.get(name="Helse Nord").kind == "regional_health_authority"
    assert Organisation.objects.get(name="RKK Lofoten").kind == "competence_centre"
    assert Organisation.objects.get(name="USHT").kind == "competence_centre"
    palbu = Organisation.objects.get(short_name="PALBU")
    assert palbu.parent.short_name == "BUK"
    assert palbu.parent.parent.name == "UNN HF"
    assert (
        Organisation.objects.get(name="Lofoten og Vesterålen DPS").parent.name
        == "Psykisk helse- og rusklinikken"
    )

    # Only the published e-mail address.
    assert list(Person.objects.exclude(email="").values_list("email", flat=True)) == [
        "lene.kristiansen@unn.no"
    ]
    assert Person.objects.get(name="Knut Erik Dahlmo").title == "Lokal samhandlingsrådgiver, Lofoten"
    assert Person.objects.get(name="Andre Grundevig").organisation == palbu
    ssu = Body.objects.get(partnership__slug=LVS, short_name="SSU")
    assert Membership.objects.get(body=ssu, role="leader").person.name == "Arne M. Myrland"
    assert Membership.objects.get(body=ssu, person__name="Monica Tangen").title == "brukerrepresentant"


def test_patient_groups(output):
    assert list(PatientGroup.objects.values_list("name", "slug")) == [
        ("Barn og unge", "barn-og-unge"),
        (
            "Personer med alvorlige psykiske lidelser og rusproblemer",
            "personer-med-alvorlige-psykiske-lidelser-og-rusproblemer",
        ),
        ("Skrøpelige eldre", "skropelige-eldre"),
        ("Personer med flere kroniske lidelser", "personer-med-flere-kroniske-lidelser"),
    ]
