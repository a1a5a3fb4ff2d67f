# Share the rendered-campaign fixture with every test module of this app.
from firstline.delivery.tests.test_delivery import rendered  # noqa: F401
