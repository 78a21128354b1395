import time

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequired

REFRESHED_KEY = "_rrp_refreshed"


class LoginRequiredMiddleware(BaseLoginRequired):
    """Require sign-in for every page; the API authenticates itself (session or token)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class SessionRefreshMiddleware:
    """Move a session's expiry on (SESSION_COOKIE_AGE after the last request), writing it at most
    once every SESSION_REFRESH_SECONDS.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) cost each page an UPDATE and a
    commit. Now a session idle for SESSION_COOKIE_AGE still ends: at most that long after the last
    request, and up to SESSION_REFRESH_SECONDS sooner, never later. Must come after
    SessionMiddleware, so the session it marks as changed is saved on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.session_key:
            return response
        refreshed = session.get(REFRESHED_KEY, 0)
        # Reading loads the session: one that is not in the database (ended, signed out) has no
        # key afterwards, and nothing is written for it.
        now = int(time.time())
        if session.session_key and (session.modified or now - refreshed >= settings.SESSION_REFRESH_SECONDS):
            session[REFRESHED_KEY] = now
        return response
