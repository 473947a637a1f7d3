"""The national-scale data itself: partnerships, bodies, meetings, cases and the rest (bench/generate.py).

Statuses come from meetings/lifecycle.py (imported once Django is set up).
"""

import collections
import datetime as dt
import random
import uuid

from copy_rows import m2m_history, slug
from national_text import (
    BODIES,
    BODY_TEMPLATES,
    CASES_PER_MEETING,
    EXEMPTION_BASIS,
    FIRST_DAY,
    FIRST_NAMES,
    GENERATED_PARTNERSHIPS,
    LAST_DAY,
    LAST_NAMES,
    MEETINGS,
    OSLO,
    PARTNERSHIP_NAMES,
    PLACE_PARTS,
    REASON_CREATED,
    Words,
)

# --- the data -------------------------------------------------------------------------------------


class Generator:
    """Adds the data through a copy_rows.Writer; `run(timer)` reports each part's time."""

    def __init__(self, scale: float, seed: int, writer):
        from meetings import lifecycle

        # The statuses in lifecycle order, named by the transitions that reach them.
        transitions = lifecycle.TRANSITIONS
        self.planned = lifecycle.INITIAL
        self.notice_issued = transitions["issue_notice"].target
        self.held = transitions["mark_held"].target
        self.approved = transitions["approve_minutes"].target
        self.published = transitions["publish_minutes"].target
        self.steps = [self.planned, self.notice_issued, self.held, self.approved, self.published]

        self.scale = scale
        self.rng = random.Random(seed)
        self.words = Words(self.rng)
        self.w = writer
        self.now = dt.datetime.now(dt.UTC)
        self.today = self.now.astimezone(OSLO).date()

    def at(self, day: dt.date, hour=10, minute=0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)

    def person_name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def run(self, timer):
        from governance.models import Body, Partnership, PatientGroup

        self.patient_groups = list(PatientGroup.objects.values_list("pk", flat=True))
        demo = list(Partnership.objects.all())
        n_new = max(1, round(GENERATED_PARTNERSHIPS * self.scale))
        n_partnerships = n_new + len(demo)
        bodies_each = max(3, round(BODIES * self.scale / n_partnerships))
        with timer.part("partnerships, organisations, people, bodies, memberships"):
            partnerships = [(p.pk, p.slug) for p in demo]
            taken = {p.slug for p in demo}
            names = [n for n in PARTNERSHIP_NAMES if f"hf-{slug(n)}" not in taken]
            for name in names[:n_new]:
                partnerships.append((self.partnership(name), f"hf-{slug(name)}"))
            self.bodies = []  # (body pk, partnership pk, people pks)
            for partnership_pk, _ in partnerships:
                existing = Body.objects.filter(partnership_id=partnership_pk)
                used = {b.slug for b in existing} | {b.short_name for b in existing}
                used |= {b.name for b in existing}
                self.governance(partnership_pk, bodies_each, used)
        self.partnership_pks = [pk for pk, _ in partnerships]
        with timer.part("meetings, cases, sections, attachments, attendance, minutes, follow-ups"):
            self.meetings(round(MEETINGS * self.scale))
        with timer.part("action plans, focus areas, goals, measures"):
            for partnership_pk in self.partnership_pks[len(demo) :]:
                self.action_plans(partnership_pk)

    # governance
    def partnership(self, name: str) -> int:
        from governance.models import Partnership

        when = self.at(FIRST_DAY) - dt.timedelta(days=60)
        return self.w.add(
            Partnership,
            {
                "name": f"Helsefellesskapet {name}",
                "short_name": name,
                "slug": f"hf-{slug(name)}",
                "description": self.words.text(200, 500),
                "case_number_style": "slash",
                "_when": when,
            },
        )

    def governance(self, partnership_pk: int, n_bodies: int, used: set[str]):
        from governance.models import Body, Membership, Organisation, Person

        when = self.at(FIRST_DAY) - dt.timedelta(days=30)
        orgs = []
        trust = self.w.add(
            Organisation,
            {
                "partnership_id": partnership_pk,
                "name": f"Helseforetaket {partnership_pk} HF",
                "short_name": f"HF{partnership_pk}",
                "kind": "health_trust",
                "_when": when,
            },
        )
        orgs.append(trust)
        names = set()
        while len(names) < 20:
            names.add("".join(self.rng.choice(part) for part in PLACE_PARTS) + " kommune")
        for name in sorted(names):
            orgs.append(
                self.w.add(
                    Organisation,
                    {"partnership_id": partnership_pk, "name": name, "kind": "municipality", "_when": when},
                )
            )
        people = [
            self.w.add(
                Person,
                {
                    "name": self.person_name(),
                    "title": self.rng.choice(
                        ["Kommunalsjef helse", "Avdelingsleder", "Rådgiver", "Fastlege"]
                    ),
                    "organisation_id": self.rng.choice(orgs),
                    "_when": when,
                },
            )
            for _ in range(10 * n_bodies)
        ]
        parents: dict[int, int] = {}
        templates = [t for t in BODY_TEMPLATES if not ({slug(t[1]), t[1], t[0]} & used)]
        extra = 0
        while len(templates) < n_bodies:
            extra += 1
            name = f"Samhandlingsnettverk {extra}"
            if slug(name) not in used:
                templates.append((name, f"Nettverk {extra}", "network", None))
        for order, (name, short, kind, level) in enumerate(templates[:n_bodies]):
            parent = parents.get(level - 1) if level else None
            body = self.w.add(
                Body,
                {
                    "partnership_id": partnership_pk,
                    "name": name,
                    "short_name": short,
                    "slug": slug(short),
                    "kind": kind,
                    "level": level,
                    "parent_id": parent,
                    "mandate": self.words.text(300, 900),
                    "meetings_open": kind in ("partnership_meeting", "dialogue_meeting"),
                    "order": order,
                    "_when": when,
                },
            )
            if level and level not in parents:
                parents[level] = body
            members = self.rng.sample(people, self.rng.randint(8, 14))
            for i, person in enumerate(members):
                role = "leader" if i == 0 else "deputy_leader" if i == 1 else "member"
                self.w.add(
                    Membership,
                    {
                        "person_id": person,
                        "body_id": body,
                        "role": role,
                        "on_behalf_of_id": self.rng.choice(orgs),
                        "start_date": FIRST_DAY - dt.timedelta(days=self.rng.randint(0, 400)),
                        "_when": when,
                    },
                )
            self.bodies.append((body, partnership_pk, members, orgs))

    # meetings and cases
    def meetings(self, total: int):
        per_body = max(1, round(total / max(1, len(self.bodies))))
        span = (LAST_DAY - FIRST_DAY).days
        self.case_pks: list[tuple[int, int]] = []  # (case pk, partnership pk) of numbered cases
        for body, partnership_pk, members, orgs in self.bodies:
            days = sorted(
                {FIRST_DAY + dt.timedelta(days=d) for d in self.rng.sample(range(0, span, 1), per_body * 2)}
            )
            days = [d for d in days if d.weekday() < 5][:per_body] or [days[0]]
            numbers: collections.Counter = collections.Counter()
            previous_meeting = None
            for day in sorted(days):
                previous_meeting = self.meeting(
                    body, partnership_pk, members, orgs, day, numbers, previous_meeting
                )

    def status_for(self, day: dt.date) -> tuple[str, bool]:
        age = (self.today - day).days
        r = self.rng.random()
        if age < 0:
            if -age < 45 and r < 0.6:
                return self.notice_issued, r < 0.03
            return self.planned, r < 0.02
        # held / minutes approved / minutes published: recent meetings are more often unfinished
        held, approved = (0.4, 0.6) if age < 90 else (0.04, 0.07)
        if age >= 90 and r < 0.015:
            return self.notice_issued, True  # cancelled after the notice
        if r < held:
            return self.held, False
        return (self.approved if r < approved else self.published), False

    def meeting(self, body, partnership_pk, members, orgs, day, numbers, previous_meeting):
        from meetings.models import Meeting

        status, cancelled = self.status_for(day)
        start = self.at(day, self.rng.choice([9, 10, 12, 13]))
        created = start - dt.timedelta(days=self.rng.randint(30, 60))
        notice_at = start - dt.timedelta(days=14) if status != self.planned else None
        row = {
            "body_id": body,
            "title": "",
            "theme": self.words.title() if self.rng.random() < 0.2 else "",
            "start": start,
            "end": start + dt.timedelta(hours=self.rng.choice([2, 3, 4])),
            "start_time_known": True,
            "place": self.rng.choice(
                ["Teams", "Rådhuset", "Universitetssykehuset, møterom 3", "Kulturhuset"]
            ),
            "is_digital": self.rng.random() < 0.3,
            "online_link": "https://teams.example.no/m/" + uuid.UUID(int=self.rng.getrandbits(128)).hex[:12],
            "is_open": False,
            "status": status,
            "purpose": self.words.text(150, 400) if self.rng.random() < 0.3 else "",
            "notice_issued_at": notice_at,
            "cancelled_at": (notice_at or created) + dt.timedelta(days=2) if cancelled else None,
        }
        history = [
            (
                "+",
                created,
                REASON_CREATED,
                {"status": self.planned, "notice_issued_at": None, "cancelled_at": None},
            )
        ]
        steps = self.steps
        reached = steps.index(status)
        for i, step in enumerate(steps[1 : reached + 1], start=1):
            history.append(
                ("~", start + dt.timedelta(days=(i - 2) * 14), f"Status: {step}", {"status": step})
            )
        if cancelled:
            history.append(("~", row["cancelled_at"], "Møtet er avlyst"))
        meeting = self.w.add(Meeting, row, history)
        held = reached >= 2
        self.cases(
            meeting, body, partnership_pk, members, orgs, start, status, held, numbers, created, notice_at
        )
        if held:
            self.attendance(meeting, members, orgs, start)
            if status in (self.approved, self.published):
                self.minutes(meeting, start, status, previous_meeting)
            if self.rng.random() < 0.3:
                self.follow_ups(meeting, members, start)
        return meeting

    def cases(
        self, meeting, body, partnership_pk, members, orgs, start, status, held, numbers, created, notice_at
    ):
        from meetings.models import Attachment, Case, CasePerson, CaseSection, Recusal, Reservation

        n = self.rng.randint(*CASES_PER_MEETING)
        numbered = status != self.planned
        case_history_model = Case.history.model
        hist_table = self.w.table(case_history_model)
        for order in range(1, n + 1):
            if order == 1:
                kind, title = "notice_approval", "Godkjenning av innkalling og saksliste"
            elif order == 2:
                kind, title = "minutes_approval", "Godkjenning av referat fra forrige møte"
            elif order == n:
                kind, title = "any_other_business", "Eventuelt"
            else:
                kind = self.rng.choice(["decision", "decision", "discussion", "information"])
                title = self.words.title()
            year = start.year
            number = None
            if numbered:
                numbers[year] += 1
                number = numbers[year]
            exempt = kind in ("decision", "discussion") and self.rng.random() < 0.03
            outcome = ""
            decision = ""
            if held:
                outcome = "for_information" if kind in ("information", "notice_approval") else "consensus"
                decision = self.words.sentence(10, 30) + " " + self.words.sentence(8, 20)
            edits = self.rng.randint(1, 3)
            row = {
                "body_id": body,
                "meeting_id": meeting,
                "year": year,
                "number": number,
                "order": order,
                "kind": kind,
                "title": title,
                "public_title": "Personalsak" if exempt else "",
                "document_date": (start - dt.timedelta(days=20)).date(),
                "archive_reference": f"{year}/{self.rng.randint(100, 9999)}",
                "proposal": self.words.sentence(12, 30),
                "proposal_kind": "proposed_decision",
                "discussion": self.words.sentence(10, 25) if held and self.rng.random() < 0.3 else "",
                "decision": decision,
                "public_decision": self.words.sentence(8, 16) if exempt and held else "",
                "outcome": outcome,
                "exempt": exempt,
                "exemption_basis": EXEMPTION_BASIS if exempt else "",
                "version": 1 + edits + (1 if held else 0),
                "previous_id": (
                    self.rng.choice(self.case_pks)[0]
                    if self.case_pks and kind == "decision" and self.rng.random() < 0.05
                    else None
                ),
            }
            history = [
                ("+", created, REASON_CREATED, {"number": None, "decision": "", "outcome": "", "version": 1})
            ]
            for e in range(edits):
                history.append(
                    (
                        "~",
                        created + dt.timedelta(days=e + 1),
                        "Saksframlegg endret",
                        {"number": None, "decision": "", "outcome": ""},
                    )
                )
            if numbered:
                history.append(
                    ("~", notice_at, "Innkalling sendt: saksnummer gitt", {"decision": "", "outcome": ""})
                )
            if held:
                history.append(("~", start + dt.timedelta(hours=2), "Vedtak registrert"))
            first_history = hist_table.next_pk
            case = self.w.add(Case, row, history)
            if number is not None:
                self.case_pks.append((case, partnership_pk))
            if self.patient_groups and self.rng.random() < 0.3:
                groups = self.rng.sample(
                    self.patient_groups, self.rng.randint(1, min(2, len(self.patient_groups)))
                )
                self.w.link(
                    Case.patient_groups.through,
                    m2m_history(Case, "patient_groups"),
                    [{"case_id": case, "patientgroup_id": g} for g in groups],
                    history_ids=range(first_history, first_history + len(history)),
                )
            # "Fra" and the case officer: named as written (CasePerson rows, issue #13).
            origin = self.rng.choice(["Sekretariatet", "SSU", "Kommunene", "Helseforetaket", ""])
            for n, (role, wording) in enumerate(
                [("origin", origin), ("case_officer", self.person_name())]
                if origin
                else [("case_officer", self.person_name())],
                start=1,
            ):
                self.w.add(
                    CasePerson,
                    {
                        "case_id": case,
                        "role": role,
                        "order": n,
                        "wording": wording,
                        "person_id": None,
                        "programme_item_id": None,
                    },
                    [("+", created, REASON_CREATED)],
                )
            for s in range(self.rng.randint(2, 4)):
                text = self.words.text(1000, 3000)
                section_history = [("+", created, REASON_CREATED)]
                section_history += [
                    ("~", created + dt.timedelta(days=e + 1), "Saksframlegg endret")
                    for e in range(self.rng.randint(1, 3))
                ]
                self.w.add(
                    CaseSection,
                    {
                        "case_id": case,
                        "order": s,
                        "heading": self.rng.choice(
                            [
                                "Bakgrunn",
                                "Vurdering",
                                "Kommunenes vurdering",
                                "Helseforetakets vurdering",
                                "Økonomi",
                                "Videre arbeid",
                            ]
                        ),
                        "text": text,
                    },
                    section_history,
                )
            for a in range(self.rng.choice([0, 0, 1, 1, 1, 2, 3])):
                a_exempt = self.rng.random() < 0.02
                self.w.add(
                    Attachment,
                    {
                        "case_id": case,
                        "order": a,
                        "title": f"Vedlegg {a + 1}: {self.words.title()}",
                        "file": "",
                        "exempt": a_exempt,
                        "exemption_basis": EXEMPTION_BASIS if a_exempt else "",
                    },
                    [("+", created, REASON_CREATED)],
                )
            if held and self.rng.random() < 0.01:
                self.w.add(
                    Reservation,
                    {"case_id": case, "party_id": self.rng.choice(orgs), "text": self.words.sentence()},
                    [("+", start, REASON_CREATED)],
                )
            if held and self.rng.random() < 0.01:
                self.w.add(
                    Recusal,
                    {
                        "case_id": case,
                        "person_id": self.rng.choice(members),
                        "reason": "Inhabil etter fvl. § 6",
                    },
                    [("+", start, REASON_CREATED)],
                )

    def attendance(self, meeting, members, orgs, start):
        from meetings.models import Attendance

        for order, person in enumerate(members[: self.rng.randint(6, len(members))]):
            r = self.rng.random()
            self.w.add(
                Attendance,
                {
                    "meeting_id": meeting,
                    "person_id": person,
                    "on_behalf_of_id": self.rng.choice(orgs),
                    "status": "present" if r < 0.85 else "absent_with_notice",
                    "role": "leader" if order == 0 else "member",
                    "is_referent": order == 2,
                    "order": order,
                },
                [("+", start, REASON_CREATED)],
            )

    def minutes(self, meeting, start, status, previous_meeting):
        from meetings.models import Minutes, MinutesSection

        approved = start + dt.timedelta(days=10)
        published = approved + dt.timedelta(days=2) if status == self.published else None
        history = [
            (
                "+",
                start + dt.timedelta(days=1),
                REASON_CREATED,
                {"approved_at": None, "approval_method": "", "published_at": None},
            ),
            ("~", approved, "Referat godkjent", {"published_at": None}),
        ]
        if published:
            history.append(("~", published, "Referat publisert"))
        minutes = self.w.add(
            Minutes,
            {
                "meeting_id": meeting,
                "approved_at": approved,
                "approval_method": self.rng.choice(["next_meeting", "email_round", "signed"]),
                "published_at": published,
                "next_meeting_text": "Neste møte avtales senere" if self.rng.random() < 0.2 else "",
                "version": len(history),
            },
            history,
        )
        for order in range(self.rng.randint(1, 2)):
            self.w.add(
                MinutesSection,
                {
                    "minutes_id": minutes,
                    "order": order,
                    "heading": ["Formål", "Oppsummering"][order],
                    "text": self.words.text(400, 1200),
                    "before_cases": order == 0,
                },
                [("+", start + dt.timedelta(days=1), REASON_CREATED)],
            )

    def follow_ups(self, meeting, members, start):
        from meetings.models import FollowUp

        for order in range(self.rng.randint(1, 3)):
            self.w.add(
                FollowUp,
                {
                    "meeting_id": meeting,
                    "order": order,
                    "title": self.words.title()[:300],
                    "what": self.words.sentence(),
                    "responsible_person_id": self.rng.choice(members),
                    "due": (start + dt.timedelta(days=90)).date(),
                    "status": self.rng.choice(["open", "in_progress", "done", "done"]),
                },
                [("+", start, REASON_CREATED)],
            )

    def action_plans(self, partnership_pk):
        from actionplans.models import ActionPlan, FocusArea, Goal, Measure

        cases = [c for c, p in self.case_pks if p == partnership_pk]
        bodies = [b for b, p, _m, _o in self.bodies if p == partnership_pk]
        for start_year, end_year in ((2021, 2022), (2023, 2026)):
            when = self.at(dt.date(start_year, 1, 10))
            plan = self.w.add(
                ActionPlan,
                {
                    "partnership_id": partnership_pk,
                    "title": f"Handlingsplan {start_year}–{end_year}",
                    "slug": f"handlingsplan-{start_year}-{end_year}",
                    "period_start": dt.date(start_year, 1, 1),
                    "period_end": dt.date(end_year, 12, 31),
                    "purpose": self.words.text(300, 800),
                    "introduction": self.words.text(300, 800),
                    "_when": when,
                },
            )
            for fa in range(1, 5):
                area = self.w.add(
                    FocusArea,
                    {
                        "action_plan_id": plan,
                        "number": f"2.{fa}",
                        "order": fa,
                        "title": self.words.title(),
                        "description": self.words.text(200, 600),
                        "_when": when,
                    },
                )
                letters = iter("abcdefghij")
                for g in range(2):
                    goal = self.w.add(
                        Goal,
                        {
                            "focus_area_id": area,
                            "order": g,
                            "text": self.words.sentence(8, 16)[:500],
                            "_when": when,
                        },
                    )
                    for m in range(3):
                        measure = self.w.add(
                            Measure,
                            {
                                "focus_area_id": area,
                                "goal_id": goal,
                                "order": g * 3 + m,
                                "letter": next(letters),
                                "text": self.words.sentence(10, 25),
                                "responsible_text": "SEKR, HF, kommunene",
                                "status": self.rng.choice(["not_started", "in_progress", "completed"]),
                                "_when": when,
                            },
                        )
                        history_id = self.w.table(Measure.history.model).next_pk - 1
                        if bodies:
                            self.w.link(
                                Measure.responsible_bodies.through,
                                m2m_history(Measure, "responsible_bodies"),
                                [
                                    {"measure_id": measure, "body_id": b}
                                    for b in self.rng.sample(bodies, min(2, len(bodies)))
                                ],
                                [history_id],
                            )
                        if cases:
                            self.w.link(
                                Measure.cases.through,
                                m2m_history(Measure, "cases"),
                                [
                                    {"measure_id": measure, "case_id": c}
                                    for c in set(self.rng.sample(cases, min(3, len(cases))))
                                ],
                                [history_id],
                            )
