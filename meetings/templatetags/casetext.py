"""`{{ section.text|casetext }}`: case text with light markdown, escaped (meetings/text.py)."""

from django import template

from meetings.text import render_casetext

register = template.Library()


@register.filter(name="casetext")
def casetext(value):
    return render_casetext(value)
