"""History, set up once: the change reason and the acting user on a save.

django-simple-history's HistoryRequestMiddleware records the request's user;
outside a request (commands, services) the acting user is passed in here.
"""


def _mark(obj, *, reason: str, by) -> None:
    """What the next history row of `obj` records: why, and who (when logged in)."""
    obj._change_reason = reason
    if by is not None and getattr(by, "is_authenticated", False):
        obj._history_user = by


def mark_change(obj, *, reason: str, by) -> None:
    """Set what the next history row of `obj` records, when something else saves it (a formset)."""
    _mark(obj, reason=reason, by=by)


def save_with_history(obj, *, reason: str, by=None, **save_kwargs):
    """Save `obj`, leaving a history row with `reason` and the acting user."""
    _mark(obj, reason=reason, by=by)
    obj.save(**save_kwargs)
    return obj


def delete_with_history(obj, *, reason: str, by=None):
    _mark(obj, reason=reason, by=by)
    obj.delete()


def latest_changes(obj, limit: int = 20):
    """The newest history rows of `obj`, with who and why, for display."""
    return obj.history.select_related("history_user").order_by("-history_date")[:limit]
