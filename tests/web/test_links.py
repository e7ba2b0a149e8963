"""Links built without one ``reverse`` per row: the same addresses as Django's ``reverse``."""

from __future__ import annotations

from django.urls import reverse, set_script_prefix

from veille.web.common.links import cached_reverse, links_of


def test_the_links_of_a_pattern_are_the_addresses_reverse_gives():
    detail = links_of("children:detail", commune="villeneuve")
    for pk in (1, 42, 98765):
        assert detail(pk) == reverse("children:detail", kwargs={"commune": "villeneuve", "pk": pk})


def test_a_remembered_link_is_the_address_reverse_gives_and_none_for_a_page_that_does_not_exist():
    assert cached_reverse("cellule:home", commune="villeneuve") == "/communes/villeneuve/"
    assert cached_reverse("accounts:charter") == reverse("accounts:charter")
    assert cached_reverse("pas-une-page") is None


def test_a_remembered_link_follows_the_script_prefix_of_the_request():
    set_script_prefix("/veille/")
    try:
        assert cached_reverse("cellule:home", commune="villeneuve") == "/veille/communes/villeneuve/"
    finally:
        set_script_prefix("/")
    assert cached_reverse("cellule:home", commune="villeneuve") == "/communes/villeneuve/"
