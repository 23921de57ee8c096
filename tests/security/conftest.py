"""Fixtures of the bad-input battery: the demo's people plus the staff-care contact."""

import pytest


@pytest.fixture
def care(demo):
    return demo["care"]


# The browser test's Chromium, page and committed demo data (tests/browser/conftest.py).
from tests.browser.conftest import browser, page, seeded  # noqa: E402, F401
