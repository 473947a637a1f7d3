"""Search snippets render only the paragraphs up to their window (meetings/search_words.py), and
give exactly the window the whole rendered text would give."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from meetings.search_words import SNIPPET_RADIUS, START, STOP, paragraphs_of, snippet, snippet_of, window_of
from meetings.text import plain_text

# The pieces light markdown is made of, the match markers, and the whitespace Python's str.split
# and str.strip treat as such (the renderer cuts blocks at lines that strip to nothing).
_PIECES = st.sampled_from(
    [
        "helse",
        "barn",
        "og",
        "<b>",
        "&amp;",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n \n",
        "\r\n",
        "\r",
        "\x1c",
        "\u2028",
        "\x85",
        "- ",
        "  - ",
        "1. ",
        "| ",
        " |",
        "|---|---|",
        "**",
        "*",
        "_",
        START,
        STOP,
        START + "barn" + STOP,
        "x" * SNIPPET_RADIUS,
    ]
)
_TEXTS = st.lists(_PIECES, max_size=60).map("".join)


def _whole(marked, titles):
    """The window of the whole rendered text: what the snippet must equal."""
    from meetings.search_words import _marked

    return _marked(window_of(plain_text(marked), [plain_text(title) for title in titles]))


@settings(max_examples=400, deadline=None)
@given(head=st.lists(_TEXTS, max_size=2), body=_TEXTS, titles_taken=st.integers(0, 2), swap=st.booleans())
@example(
    head=["Sak " + START + "barn" + STOP],
    body="\n\nen\n\n" + START + "barn" + STOP,
    titles_taken=1,
    swap=False,
)
@example(head=[], body=("ord " * 200 + "\n\n") * 5 + START + "barn" + STOP, titles_taken=0, swap=False)
# The first paragraph ends exactly where the window would: the next one decides whether it ends in "…".
@example(
    head=[],
    body=f"{START}barn{STOP} " + "x" * (SNIPPET_RADIUS * 2 - 7) + "\n\nmer",
    titles_taken=0,
    swap=False,
)
# The match only in the title, and a marked word after the window's text but past the title.
@example(
    head=[f"Felles {START}rutine{STOP}"],
    body=("ord " * 60 + "\n\n") * 4 + f"{START}rutine{STOP}",
    titles_taken=1,
    swap=False,
)
# Skipping to the marked paragraph: the one after it is needed (the window ends exactly at its end).
@example(
    head=[],
    body="start\n\n" + "x" * 100 + f"\n\n{START}barn{STOP} " + "y" * (SNIPPET_RADIUS * 2 - 7) + "\n\nmer",
    titles_taken=0,
    swap=False,
)
# ... and the one before it (the match starts it).
@example(head=[], body="start\n\n" + "x " * 80 + f"\n\n{START}barn{STOP}", titles_taken=0, swap=False)
# A title longer than the first paragraph: only the next one tells whether a match follows it.
@example(
    head=[f"Sak {START}om{STOP} " + "a" * 190 + "\n\n" + "a" * 10],
    body=f"resten {START}b{STOP}",
    titles_taken=1,
    swap=False,
)
def test_a_snippet_is_the_window_of_the_whole_text(head, body, titles_taken, swap):
    # The document starts with the hit's titles (as a case's does), or with other text.
    titles = [title.replace(START, "").replace(STOP, "") for title in head][:titles_taken]
    if swap:
        titles = titles[::-1]
    marked = "\n\n".join([*head, body])
    assert snippet(marked, titles) == _whole(marked, titles)


def test_the_snippet_starts_after_the_titles_and_marks_the_first_match():
    marked = f"Sak om {START}barn{STOP}\n\n" + "Innledning. " * 40 + f"\n\nOm {START}barn{STOP} og unge."
    shown = snippet(marked, ["Sak om barn"])
    assert shown.endswith("Om <mark>barn</mark> og unge.")
    assert shown.startswith("…") and "Sak om" not in shown


def test_only_the_paragraphs_up_to_the_window_are_rendered(monkeypatch):
    from meetings import search_words

    rendered = []
    monkeypatch.setattr(search_words, "plain_text", lambda text: rendered.append(text) or plain_text(text))
    paragraphs = [f"Avsnitt {number} " + "ord " * 60 for number in range(50)]
    paragraphs[2] += f"{START}barn{STOP}"
    snippet("\n\n".join(paragraphs))
    # The first, then the marked one (the one before it is not needed) and the one after it.
    assert rendered == [paragraphs[0], paragraphs[2], paragraphs[3]]


def test_a_match_only_in_the_title_renders_no_more_than_the_window(monkeypatch):
    from meetings import search_words

    rendered = []
    monkeypatch.setattr(search_words, "plain_text", lambda text: rendered.append(text) or plain_text(text))
    paragraphs = [f"Felles {START}rutine{STOP}"] + [
        f"Avsnitt {number} " + "ord " * 60 for number in range(50)
    ]
    shown = snippet("\n\n".join(paragraphs), ["Felles rutine"])
    assert shown.startswith("Felles <mark>rutine</mark> Avsnitt 0")
    assert len(rendered) == 1 + 2  # the title, and the paragraphs that fill the window
    rendered.clear()
    assert snippet("\n\n".join(paragraphs[1:])).startswith("Avsnitt 0 ord")  # nothing marked
    assert len(rendered) == 1  # (a paragraph longer than the window)


@settings(max_examples=300, deadline=None)
@given(
    head=st.lists(_TEXTS, max_size=2),
    body=_TEXTS,
    titles_taken=st.integers(0, 2),
    picks=st.sets(st.integers(0, 40)),
)
def test_a_snippet_with_paragraphs_not_yet_marked_is_the_whole_one_or_asks_for_them(
    head, body, titles_taken, picks
):
    """meetings/search_headlines.py marks only some paragraphs: with the others `pending` (given
    unmarked) the snippet is the one of the whole marked text, or None when it needs one of them."""
    titles = [title.replace(START, "").replace(STOP, "") for title in head][:titles_taken]
    marked = "\n\n".join([*head, body])
    paragraphs = paragraphs_of(marked)
    pending = frozenset(number for number in picks if number < len(paragraphs))
    unmarked = [
        p.replace(START, "").replace(STOP, "") if n in pending else p for n, p in enumerate(paragraphs)
    ]
    shown = snippet_of(unmarked, titles, pending)
    assert shown is None or shown == _whole(marked, titles)
    if not pending:
        assert shown == _whole(marked, titles)


def test_a_pending_paragraph_past_the_window_is_not_needed_but_one_before_it_is():
    paragraphs = ["Tittel", f"Om {START}barn{STOP} " + "ord " * 60, "Mer om barn", "Enda mer om barn"]
    assert snippet_of(paragraphs, ["Tittel"], frozenset({3})) == snippet("\n\n".join(paragraphs), ["Tittel"])
    # Whether the titles are followed by a match hangs on the pending paragraph.
    titled = [f"Tittel om {START}barn{STOP}", "ord " * 60, "Mer om barn"]
    assert snippet_of(titled, ["Tittel om barn"], frozenset({2})) is None
    # So does where the first match is, when the text before it has none.
    assert snippet_of(["ord " * 60, "Mer om barn"], [], frozenset({1})) is None
    unmarked = ["ord " * 60, "Mer om barn"]
    assert snippet_of(unmarked, [], frozenset()) == snippet("\n\n".join(unmarked))
