"""Search snippets render only the paragraphs up to their window (meetings/search_words.py), and
give exactly the window the whole rendered text would give."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from meetings.search_words import SNIPPET_RADIUS, START, STOP, snippet, window_of
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
