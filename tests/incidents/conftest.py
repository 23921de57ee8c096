"""Fixtures of the incidents tests."""

import pytest

from incidents.models import Attachment, PrivateStorage


@pytest.fixture
def evidence_root(tmp_path):
    """The evidence storage, in a directory of this test's own: other test runs share the
    test settings' PRIVATE_MEDIA_ROOT, so only here can a test say "no file is left"."""
    field = Attachment._meta.get_field("file")
    shared = field.storage
    field.storage = PrivateStorage(location=tmp_path)
    try:
        yield tmp_path
    finally:
        field.storage = shared
