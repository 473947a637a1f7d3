"""What a meeting's lifecycle allows, for templates: the answers come from meetings/lifecycle.py.

`{% load meeting_lifecycle %}{% if meeting|allows:"cancel" %}…{% endif %}` asks whether a
transition may run now; `meeting|was_held` whether the meeting has taken place. The model's
properties (`meeting.can_edit_agenda`, `meeting.notice_is_issued`, …) answer the rest.
"""

from django import template

from meetings import lifecycle

register = template.Library()


@register.filter
def allows(meeting, transition: str) -> bool:
    return meeting is not None and lifecycle.allows(meeting, transition)


@register.filter
def was_held(meeting) -> bool:
    return lifecycle.was_held(meeting)
