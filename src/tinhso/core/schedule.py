"""Periodic jobs: background tasks the worker queues on a fixed rhythm.

Apps register a job from ``ready()`` (``register("reporting.refresh",
every=timedelta(minutes=10), task=refresh_facts)``); ``tinhso worker``
queues each one when its period has passed since it was last queued.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tinhso.core.models import PeriodicRun
from tinhso.core.registry import Registry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    code: str
    every: dt.timedelta
    task: Any  # a django.tasks Task taking no arguments


jobs: Registry[Job] = Registry("periodic jobs")


def register(code: str, *, every: dt.timedelta, task: Any) -> Job:
    return jobs.register(code, Job(code, every, task))


def _claim(job: Job, now: dt.datetime) -> bool:
    """Move the job's last-queued time to ``now`` if it is due; True when
    this caller won it."""
    run = PeriodicRun.objects.filter(code=job.code).first()
    if run is None:
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(code=job.code, queued_at=now)
        except IntegrityError:
            return False  # another worker created it just now
        return True
    if run.queued_at is not None and now - run.queued_at < job.every:
        return False
    return bool(
        PeriodicRun.objects.filter(pk=run.pk, queued_at=run.queued_at).update(
            queued_at=now
        )
    )


def queue_due(now: dt.datetime | None = None) -> list[str]:
    """Queue every job whose period has passed; returns their codes."""
    now = now or timezone.now()
    queued = []
    for job in jobs:
        if _claim(job, now):
            job.task.enqueue()
            queued.append(job.code)
    if queued:
        logger.info("periodic jobs queued: %s", ", ".join(queued))
    return queued
