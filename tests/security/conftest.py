"""Fixtures of the bad-input battery: the demo's people plus the staff-care contact."""

import pytest


@pytest.fixture
def care(demo):
    return demo["care"]
