"""The generator's vocabulary: names, body templates and Norwegian-looking text from the seeds.

Part of bench/generate.py (the national-scale database for bench/web.py).
"""

import collections
import datetime as dt
import os
import random
import re
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("BENCH_SEEDS", ROOT.parent / "shared" / "seeds"))
OSLO = ZoneInfo("Europe/Oslo")

# At scale 1 (the "national scale").
GENERATED_PARTNERSHIPS = 17
BODIES = 300
MEETINGS = 6000
CASES_PER_MEETING = (4, 13)  # inclusive: mean 8.5 → ~50,000 cases
FIRST_DAY = dt.date(2019, 1, 7)
LAST_DAY = dt.date(2027, 6, 25)

PARTNERSHIP_NAMES = [
    "Finnmark",
    "Helgeland",
    "Nordland",
    "Nord-Trøndelag",
    "Trondheimsregionen",
    "Møre og Romsdal",
    "Sogn og Fjordane",
    "Bergensområdet",
    "Fonna",
    "Stavangerområdet",
    "Agder",
    "Vestfold",
    "Telemark",
    "Vestre Viken",
    "Innlandet",
    "Østfold",
    "Akershus",
    "Oslo",
    "Romerike",
    "Hallingdal",
]
# (name, short name, kind, level); the first three are the levels 1–2, the rest are level 3 or none.
BODY_TEMPLATES = [
    ("Partnerskapsmøtet", "PM", "partnership_meeting", 1),
    ("Strategisk samarbeidsutvalg", "SSU", "strategic_committee", 2),
    ("Dialogmøtet", "Dialogmøtet", "dialogue_meeting", None),
    ("Faglig samarbeidsutvalg barn og unge", "FSU BU", "professional_committee", 3),
    ("Faglig samarbeidsutvalg psykisk helse og rus", "FSU PHR", "professional_committee", 3),
    ("Faglig samarbeidsutvalg skrøpelige eldre", "FSU ELDRE", "professional_committee", 3),
    ("Faglig samarbeidsutvalg kroniske lidelser", "FSU KRON", "professional_committee", 3),
    ("Faglig samarbeidsutvalg akuttmedisin", "FSU AKM", "professional_committee", 3),
    ("Faglig samarbeidsutvalg habilitering og rehabilitering", "FSU REHAB", "professional_committee", 3),
    ("Faglig samarbeidsutvalg digitalisering", "FSU DIGI", "professional_committee", 3),
    ("Faglig samarbeidsutvalg palliasjon", "FSU PALL", "professional_committee", 3),
    ("Faglig samarbeidsutvalg legemidler", "FSU LM", "professional_committee", 3),
    ("Samhandlingsarena nord", "Arena nord", "network", None),
    ("Samhandlingsarena sør", "Arena sør", "network", None),
    ("Brukerrådsnettverket", "Brukernett", "network", None),
    ("Arbeidsgruppe for samhandlingsavvik", "AG avvik", "working_group", None),
    ("Arbeidsgruppe for utskrivningsklare pasienter", "AG utskr", "working_group", None),
    ("Arbeidsgruppe for kompetanse", "AG komp", "working_group", None),
]
PLACE_PARTS = (
    ["Nord", "Sør", "Øst", "Vest", "Stor", "Lille", "Ny", "Gamle", "Ytre", "Indre", "Berg", "Fjell"],
    ["vik", "dal", "fjord", "øy", "sund", "nes", "haug", "lia", "vang", "bø", "strand", "mark"],
)
FIRST_NAMES = str.split(
    "Anne Kari Inger Marit Ingrid Liv Hilde Ragnhild Nina Lene Tone Siri Hanne Silje Kristin "
    "Jan Per Bjørn Ole Lars Knut Arne Tor Geir Terje Stian Espen Morten Øyvind Håkon Eirik"
)
LAST_NAMES = str.split(
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen "
    "Pettersen Eriksen Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen "
    "Halvorsen Henriksen Lund Sørensen Jakobsen Moen Gundersen Iversen Strand Solberg Svendsen "
    "Eide Knutsen"
)
TITLE_PATTERNS = [
    "Orientering om {a} og {b}",
    "Handlingsplan for {a}",
    "Status for arbeidet med {a}",
    "Felles rutine for {a} i {b}",
    "Høring: {a} og {b}",
    "Evaluering av {a}",
    "Revidert samarbeidsavtale om {a}",
    "Rapport fra arbeidsgruppen for {a}",
    "Forslag til tiltak for {a}",
    "Oppfølging av {a} i kommunene",
]
EXEMPTION_BASIS = "offl. § 13 jf. fvl. § 13"
REASON_CREATED = "Generert for ytelsestest (bench/generate.py)"


# --- text ----------------------------------------------------------------------------------------


class Words:
    """Norwegian-looking text: the seed documents' words, drawn with their frequencies."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        counts = collections.Counter()
        for path in sorted(SEEDS.glob("*.txt")):
            for word in re.findall(r"[a-zæøåA-ZÆØÅ][a-zæøå\-]+", path.read_text(encoding="utf-8")):
                counts[word.lower()] += 1
        if len(counts) < 200:
            raise SystemExit(f"too few words in the seed documents under {SEEDS} (BENCH_SEEDS)")
        self.words, weights = zip(*counts.most_common(), strict=True)
        self.cumulative = list(_accumulate(weights))
        self.long = [w for w in self.words if len(w) >= 7 and "-" not in w.strip("-")]
        self.paragraphs = [self._paragraph() for _ in range(3000)]

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=k)

    def sentence(self, low=7, high=18) -> str:
        words = self.draw(self.rng.randint(low, high))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def _paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def text(self, low: int, high: int) -> str:
        """Paragraphs of the pool (shuffled), low–high characters."""
        target = self.rng.randint(low, high)
        parts, size = [], 0
        while size < target:
            paragraph = self.rng.choice(self.paragraphs)
            parts.append(paragraph)
            size += len(paragraph) + 2
        return "\n\n".join(parts)[: max(target, 80)].rsplit(" ", 1)[0] + "."

    def title(self) -> str:
        a, b = self.rng.sample(self.long, 2)
        return self.rng.choice(TITLE_PATTERNS).format(a=a, b=b)[:300]

    def queries(self, n: int) -> list[str]:
        """n search queries: the issue's words, then frequent long words and a few pairs."""
        fixed = ["palliativ", "barn", "samhandling", "psykisk helse", "kommunene", "rus", "eldre"]
        common = list(self.long[:400])
        self.rng.shuffle(common)
        out = fixed + common[: n - len(fixed) - 8]
        out += [f"{a} {b}" for a, b in zip(common[60:68], common[80:88], strict=True)]
        return out[:n]


def _accumulate(values):
    total = 0
    for value in values:
        total += value
        yield total
