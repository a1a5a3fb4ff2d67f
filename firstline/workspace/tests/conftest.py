# The frozen, rendered Tarrant/Cook campaign the delivery tests build.
from firstline.delivery.tests.test_delivery import rendered  # noqa: F401
