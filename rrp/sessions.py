"""Sessions kept in the database, as Django's own store keeps them, read by one statement built
once per connection (rrp.statements) instead of a queryset compiled on every request."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from rrp.statements import session_data


class SessionStore(DatabaseStore):
    def _get_session_from_db(self):
        data = session_data(self.model, self.session_key)
        if data is None:
            self._session_key = None  # as Django's: an unknown or expired key starts a new session
            return None
        return self.model(session_key=self.session_key, session_data=data)
