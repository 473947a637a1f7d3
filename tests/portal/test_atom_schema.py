"""The minutes feed is Atom as RFC 4287 defines it, checked with the RFC's own schema.

tests/portal/atom/atom.rng is RFC 4287's Appendix B (RELAX NG, see README.md there). lxml validates
the grammar; the RFC writes the rules a grammar cannot say (an author on the feed or on every
entry, a link or content on each entry) as Schematron inside it, which are run as ISO Schematron.
"""

import copy
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from lxml import etree, isoschematron

from governance.models import Partnership
from meetings.models import Meeting
from tests.meetings import factories as mf

OSLO = ZoneInfo("Europe/Oslo")
SCHEMA = Path(__file__).parent / "atom" / "atom.rng"
ATOM = "http://www.w3.org/2005/Atom"
OLD_SCHEMATRON = "http://www.ascc.net/xml/schematron"  # the namespace RFC 4287 uses
ISO_SCHEMATRON = "http://purl.oclc.org/dsdl/schematron"


def _schemas():
    grammar = etree.parse(str(SCHEMA))
    schema = etree.Element(f"{{{ISO_SCHEMATRON}}}schema", nsmap={"sch": ISO_SCHEMATRON})
    etree.SubElement(schema, f"{{{ISO_SCHEMATRON}}}ns", prefix="atom", uri=ATOM)
    rules = grammar.findall(f".//{{{OLD_SCHEMATRON}}}rule")
    assert len(rules) == 3, "RFC 4287's schema has three Schematron rules"
    for rule in rules:
        # One pattern each: in a pattern, a node is checked by the first rule that matches it only.
        pattern = etree.SubElement(schema, f"{{{ISO_SCHEMATRON}}}pattern")
        iso_rule = etree.SubElement(pattern, f"{{{ISO_SCHEMATRON}}}rule", context=rule.get("context"))
        for check in rule.findall(f"{{{OLD_SCHEMATRON}}}assert"):
            iso_assert = etree.SubElement(iso_rule, f"{{{ISO_SCHEMATRON}}}assert", test=check.get("test"))
            iso_assert.text = " ".join(check.text.split())
    return etree.RelaxNG(grammar), isoschematron.Schematron(schema, store_report=True)


RELAX_NG, SCHEMATRON = _schemas()


def atom_errors(document: bytes) -> list[str]:
    """What RFC 4287's schema finds wrong in `document`: nothing for a valid Atom document."""
    tree = etree.fromstring(document).getroottree()
    errors = []
    if not RELAX_NG.validate(tree):
        errors += [f"RELAX NG: {error.message} (line {error.line})" for error in RELAX_NG.error_log]
    if not SCHEMATRON.validate(tree):
        report = SCHEMATRON.validation_report
        errors += [
            "Schematron: " + " ".join(text.split())
            for text in report.xpath(
                "//svrl:failed-assert/svrl:text/text()", namespaces={"svrl": isoschematron.SVRL_NS}
            )
        ]
    return errors


@pytest.fixture
def minutes_world(world):
    """Published minutes with a publication time, minutes whose publication date the source does not
    give, and minutes with a decision full of markup, all of one partnership."""
    known = mf.meeting(
        world.body, status=Meeting.Status.MINUTES_PUBLISHED, start=dt.datetime(2023, 6, 14, 10, tzinfo=OSLO)
    )
    mf.case(known, number=7, title="Palliativ behandling", decision="FSU BU slutter seg til forslaget.")
    mf.minutes(
        known,
        published=True,
        approved_at=dt.datetime(2023, 6, 19, 15, tzinfo=OSLO),
        published_at=dt.datetime(2023, 6, 20, 9, 30, tzinfo=OSLO),
    )
    unknown = mf.meeting(
        world.body, status=Meeting.Status.MINUTES_PUBLISHED, start=dt.datetime(2023, 2, 8, 12, tzinfo=OSLO)
    )
    mf.minutes(unknown, approval_date_known=False, publication_date_known=False)
    markup = mf.meeting(
        world.body, status=Meeting.Status.MINUTES_PUBLISHED, start=dt.datetime(2023, 3, 1, 12, tzinfo=OSLO)
    )
    mf.case(markup, number=4, title="Sak <i>med</i> markering", decision='<script>alert("x")</script> & <b>')
    mf.minutes(markup, published=True)
    return known, unknown, markup


def feed_url(partnership: Partnership) -> str:
    return f"/{partnership.slug}/referater.atom"


@pytest.mark.django_db
def test_the_minutes_feed_is_valid_atom(world, minutes_world, anon_client):
    response = anon_client.get(feed_url(world.partnership))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert atom_errors(response.content) == []
    # An empty feed too (the other partnership has no published minutes).
    assert atom_errors(anon_client.get(feed_url(world.other_partnership)).content) == []


@pytest.mark.django_db
def test_the_demo_partnerships_feeds_are_valid_atom(demo_data, client):
    for partnership in Partnership.objects.all():
        response = client.get(feed_url(partnership))
        feed = feedparser.parse(response.content)
        assert feed.entries, partnership.slug
        assert atom_errors(response.content) == [], partnership.slug


@pytest.mark.django_db
def test_the_schema_refuses_a_feed_without_author_or_id(world, minutes_world, anon_client):
    """The check can fail: the feed as it was (no atom:author) and a feed without its id are refused."""
    tree = etree.fromstring(anon_client.get(feed_url(world.partnership)).content)
    without_author = copy.deepcopy(tree)
    for author in without_author.iter(f"{{{ATOM}}}author"):
        author.getparent().remove(author)
    errors = atom_errors(etree.tostring(without_author))
    assert "Schematron: An atom:feed must have an atom:author unless all of its atom:entry " in errors[0]
    without_id = copy.deepcopy(tree)
    without_id.remove(without_id.find(f"{{{ATOM}}}id"))
    assert any(error.startswith("RELAX NG:") for error in atom_errors(etree.tostring(without_id)))


@pytest.mark.django_db
def test_the_partnership_is_the_author_of_the_feed_and_its_entries(
    world, minutes_world, anon_client, settings
):
    settings.SITE_URL = "https://hf.example.no"
    feed = feedparser.parse(anon_client.get(feed_url(world.partnership)).content)
    assert feed.feed.author_detail.name == world.partnership.name
    assert feed.feed.author_detail.href == f"https://hf.example.no{world.partnership.get_absolute_url()}"
    assert len(feed.entries) == 3
    assert {entry.author_detail.name for entry in feed.entries} == {world.partnership.name}


@pytest.mark.django_db
def test_the_feed_id_is_its_address_on_the_portal_whatever_the_host(
    world, minutes_world, anon_client, settings
):
    settings.SITE_URL = "https://hf.example.no"
    ids = set()
    entry_ids = set()
    for host in ("testserver", "localhost", "127.0.0.1"):
        feed = feedparser.parse(anon_client.get(feed_url(world.partnership), HTTP_HOST=host).content)
        ids.add(feed.feed.id)
        entry_ids.add(frozenset(entry.id for entry in feed.entries))
    assert ids == {f"https://hf.example.no/{world.partnership.slug}/referater.atom"}
    # The entries' ids are the ones feed readers already know, from the meeting's id.
    assert entry_ids == {frozenset(f"tag:helsefellesskap,2023:mote-{m.pk}/referat" for m in minutes_world)}


@pytest.mark.django_db
def test_published_is_when_the_minutes_were_published_never_the_meeting(world, minutes_world, anon_client):
    known, unknown, _ = minutes_world
    tree = etree.fromstring(anon_client.get(feed_url(world.partnership)).content)
    entries = {entry.findtext(f"{{{ATOM}}}id"): entry for entry in tree.iter(f"{{{ATOM}}}entry")}
    entry = entries[f"tag:helsefellesskap,2023:mote-{known.pk}/referat"]
    published = dt.datetime.fromisoformat(entry.findtext(f"{{{ATOM}}}published"))
    assert published == dt.datetime(2023, 6, 20, 9, 30, tzinfo=OSLO)  # not 14 June, the meeting
    updated = dt.datetime.fromisoformat(entry.findtext(f"{{{ATOM}}}updated"))
    assert updated >= published
    # Not stated in the source: no atom:published (optional in RFC 4287) rather than a guess;
    # atom:updated (required) is when the portal's entry last changed.
    entry = entries[f"tag:helsefellesskap,2023:mote-{unknown.pk}/referat"]
    assert entry.find(f"{{{ATOM}}}published") is None
    assert entry.findtext(f"{{{ATOM}}}updated")
