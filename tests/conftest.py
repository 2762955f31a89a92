"""Shared fixtures: fast hashing, an SMS outbox, clean caches.

The test data folder and task backend are set in pyproject's pytest ``env``.
"""

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
) -> None:
    """On PostgreSQL, commits of the test database do not wait for the disk:
    a crash loses only a test run, and the suite commits thousands of times."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        options = database.setdefault("OPTIONS", {})
        given = options.get("options", "")
        options["options"] = f"{given} -c synchronous_commit=off".strip()


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
