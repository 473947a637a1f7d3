"""meetings/text.py: escape everything, then allow only the light markdown of case texts."""

from django.template import Context, Template

from meetings.text import render_casetext


def test_escapes_html_and_urls_stay_text():
    html = render_casetext('<script>alert(1)</script> <img src="http://x/y.png"> [a](http://x)')
    assert "<script>" not in html and "<img" not in html and "href" not in html
    assert "&lt;script&gt;" in html


def test_paragraphs_and_line_breaks():
    assert render_casetext("a\nb\n\nc") == "<p>a<br>b</p>\n<p>c</p>"


def test_bold_and_italic():
    assert render_casetext("**fet** og *kursiv*, 2 * 3 * 4") == (
        "<p><strong>fet</strong> og <em>kursiv</em>, 2 * 3 * 4</p>"
    )


def test_lists_nested_and_numbered():
    html = render_casetext("- a\n  - b\n- c\n\n3. tre\n4. fire")
    assert (
        html
        == '<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>\n<ol start="3"><li>tre</li><li>fire</li></ol>'
    )


def test_table_with_header():
    html = render_casetext("| A | B |\n|---|---|\n| 1 | <2> |")
    assert '<thead><tr><th scope="col">A</th>' in html and "<td>&lt;2&gt;</td>" in html


def test_empty_and_none():
    assert render_casetext("") == "" and render_casetext(None) == ""


def test_template_filter():
    out = Template("{% load casetext %}{{ text|casetext }}").render(Context({"text": "**x** <b>"}))
    assert out == "<p><strong>x</strong> &lt;b&gt;</p>"
