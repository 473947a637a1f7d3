"""History, set up once: the change reason and the acting user on a save.

django-simple-history's HistoryRequestMiddleware records the request's user;
outside a request (commands, services) the acting user is passed in here.
"""

from contextlib import contextmanager

from simple_history.utils import update_change_reason  # noqa: F401  (re-exported)


def save_with_history(obj, *, reason: str, by=None, **save_kwargs):
    """Save `obj`, leaving a history row with `reason` and the acting user."""
    obj._change_reason = reason
    if by is not None and getattr(by, "is_authenticated", False):
        obj._history_user = by
    obj.save(**save_kwargs)
    return obj


def delete_with_history(obj, *, reason: str, by=None):
    obj._change_reason = reason
    if by is not None and getattr(by, "is_authenticated", False):
        obj._history_user = by
    obj.delete()


@contextmanager
def history_reason(*objects, reason: str, by=None):
    """Mark several objects before a bulk of saves in a block."""
    for obj in objects:
        obj._change_reason = reason
        if by is not None and getattr(by, "is_authenticated", False):
            obj._history_user = by
    yield


def latest_changes(obj, limit: int = 20):
    """The newest history rows of `obj`, with who and why, for display."""
    return obj.history.select_related("history_user").order_by("-history_date")[:limit]
