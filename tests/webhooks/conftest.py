import pytest

from tests.webhooks.helpers import Receiver


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    """A real HTTP server on 127.0.0.1 that records every webhook it is sent."""
    server = Receiver().start()
    yield server
    server.stop()
