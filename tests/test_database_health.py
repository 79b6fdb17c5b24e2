"""The PostgreSQL backend's health check (archive/postgresql): a quiet persistent connection is
reused without a round trip, and one the server has closed is replaced before the request uses it."""

import select
import time

import psycopg
import pytest
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper

from articles.models import Article

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the backend is PostgreSQL's"),
    # Outside a test transaction: a request starts with its connection idle.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def round_trips(monkeypatch):
    asked = []
    real = PostgreSQLDatabaseWrapper.is_usable

    def counted(self):
        asked.append(self.alias)
        return real(self)

    monkeypatch.setattr(PostgreSQLDatabaseWrapper, "is_usable", counted)
    return asked


def start_of_request():
    """What Django does with a reused connection when a request starts (and ends)."""
    connection.close_if_unusable_or_obsolete()
    connection.close_if_health_check_failed()


def test_the_backend_in_use_is_the_archive_s_own():
    assert type(connections["default"]).__module__ == "archive.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_quiet_connection_is_reused_without_asking_the_server(round_trips):
    Article.objects.count()
    before = connection.connection
    start_of_request()
    assert connection.connection is before
    assert round_trips == []


def test_a_connection_the_server_closed_is_replaced_before_the_request_uses_it(round_trips):
    Article.objects.count()
    before = connection.connection
    pid = before.info.backend_pid
    settings = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in settings.items() if k not in ("cursor_factory", "context")},
                         autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the server's goodbye reaches the socket
        if select.select([before.fileno()], [], [], 0.05)[0]:
            break
    start_of_request()
    assert round_trips == ["default"]  # something waited on the socket: the server was asked
    assert connection.connection is None  # closed, not handed to the request
    assert Article.objects.count() == 0  # and the request's first query opens a new one
    assert connection.connection.info.backend_pid != pid


def test_a_connection_inside_a_transaction_is_asked(round_trips):
    connection.set_autocommit(False)
    try:
        Article.objects.count()
        assert connection.is_usable() is True
        assert round_trips == ["default"]
    finally:
        connection.rollback()
        connection.set_autocommit(True)
