"""``reverse()`` remembered: the same links are built on every page (the menu, the checks of the
middleware), and Django's ``reverse`` costs about a tenth of a millisecond each time."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=4096)
def _reverse(name: str, kwargs: tuple[tuple[str, object], ...], prefix: str, urlconf: object) -> str | None:
    try:
        return reverse(name, kwargs=dict(kwargs))
    except NoReverseMatch:
        return None


def cached_reverse(name: str, **kwargs: object) -> str | None:
    """The address of a URL pattern, or ``None`` when it has none with these arguments.

    Remembered per script prefix and URL configuration (a test overriding ``ROOT_URLCONF`` gets its own
    addresses). For the links every page builds again; an object's link would only fill the cache
    (:func:`links_of` is for those).
    """
    urlconf = (get_urlconf(), settings.ROOT_URLCONF)
    return _reverse(name, tuple(sorted(kwargs.items())), get_script_prefix(), urlconf)


#: stands for the key in an address reversed once (no real key is this large)
_KEY_MARK = 987_654_321_987_654_321


def links_of(name: str, key: str = "pk", **kwargs: object) -> Callable[[int], str]:
    """The addresses of one URL pattern for many objects: reversed once, then each key put in.

    A list of 50 children builds its 50 links in a few microseconds instead of 50 ``reverse``.

    Example:
        >>> detail = links_of("children:detail", commune="villeneuve")  # doctest: +SKIP
        >>> detail(12)  # doctest: +SKIP
        '/communes/villeneuve/enfants/12/'
    """
    pattern = reverse(name, kwargs={**kwargs, key: _KEY_MARK})
    mark = str(_KEY_MARK)
    return lambda value: pattern.replace(mark, str(value))
