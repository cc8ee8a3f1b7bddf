"""Until pyproject's addopts registers `-p tests.plugins.providers -p tests.plugins.messaging`."""

from tests.plugins.messaging import messaging, messaging_tenant  # noqa: F401
from tests.plugins.providers import stand_in, stand_in_reset  # noqa: F401
