import pytest
from django.utils import translation

# Share the rendered-campaign fixture with every test module of this app.
from firstline.delivery.tests.test_delivery import rendered  # noqa: F401


@pytest.fixture(autouse=True)
def _english():
    # A request to /es/ leaves Spanish active in the thread; reverse() would follow it.
    with translation.override("en"):
        yield
