"""Counting attempts per key in the cache, for limits such as "ten wrong
look-ups in a quarter of an hour" (Redis when REDIS_URL is set, so every
app server counts together; process memory otherwise)."""

from django.core.cache import cache


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one attempt under ``key``; False once more than ``limit`` were
    made within ``window`` seconds of the first."""
    name = f"tinhso:rate:{key}"
    if cache.add(name, 1, window):
        return True
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, window)
        return True
    return count <= limit


def exceeded(key: str, *, limit: int) -> bool:
    """Whether ``limit`` attempts were already made under ``key``, without counting."""
    return int(cache.get(f"tinhso:rate:{key}", 0)) >= limit
