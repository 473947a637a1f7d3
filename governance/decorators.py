"""View decorators about standing, for every app's workspace pages."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from . import permissions
from .models import Partnership


def secretariat_required(view):
    """Log in first; then the partnership in the URL must be one the user is secretariat of (else 404)."""

    @login_required
    @wraps(view)
    def wrapper(request, partnership, *args, **kwargs):
        partnership = get_object_or_404(Partnership, slug=partnership)
        if not permissions.can_manage(request.user, partnership):
            raise Http404
        request.partnership = partnership
        return view(request, partnership, *args, **kwargs)

    return wrapper
