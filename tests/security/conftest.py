"""The world the hostile-input sweep runs in."""

import pytest

from tests.business.helpers import field_make
from tests.sharing.helpers import partners_make
from tests.test_url_coverage import victim_ids


@pytest.fixture
def world(acme, globex):  # type: ignore[no-untyped-def]
    """acme's own objects (the sweep runs as acme's owner, who may touch all of them) and a
    custom field, so cf_ filters and custom-field forms are exercised too."""
    partners_make(acme, globex)
    field_make(acme, key="region", field_type="text", indexed=True)
    ids = victim_ids(acme)
    return acme, ids
