"""Shared fixtures: fast hashing, an SMS outbox, clean caches.

The test data folder and task backend are set in pyproject's pytest ``env``.
"""

import pytest


@pytest.fixture(autouse=True)
def _fast_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMS_BACKEND = "tinhso.accounts.sms.OutboxSMS"


@pytest.fixture(autouse=True)
def _clear_caches():  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    from tinhso.accounts.sms import OutboxSMS

    cache.clear()
    OutboxSMS.sent.clear()
    yield


@pytest.fixture(autouse=True)
def _vietnamese(settings):  # type: ignore[no-untyped-def]
    """Each test starts in the default language, whatever an earlier request chose.

    LocaleMiddleware activates a request's language on the serving thread and
    leaves it there; services called directly afterwards would speak it too.
    """
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield
