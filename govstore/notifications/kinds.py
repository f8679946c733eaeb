"""What each kind of notification says. Notifications serve several callers
(applications, messaging, payments) and import none of them: each caller registers a
renderer for its kind at start-up (in its AppConfig.ready), keeping its own translated
texts; notifications call it back.

A renderer takes the notification's params and returns plain text (templates escape it).
It is called with the reader's language active: the recipient's (User.language) for an
SMS or an email, the viewer's for the notification centre. So the words are not stored:
a person who switches language sees their whole centre in the new one."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


Renderer = Callable[[dict[str, Any]], Rendered]

_renderers: dict[str, Renderer] = {}


def register_kind(kind: str, renderer: Renderer) -> None:
    """Register (or replace, so a reload or a test can re-register) a kind's renderer."""
    if not kind:
        raise ValueError("A notification kind needs a name.")
    _renderers[kind] = renderer


def unregister_kind(kind: str) -> None:
    """For tests that register a kind of their own."""
    _renderers.pop(kind, None)


def is_registered(kind: str) -> bool:
    return kind in _renderers


def renderer_for(kind: str) -> Renderer:
    try:
        return _renderers[kind]
    except KeyError:
        raise ValueError(f"No notification kind {kind!r} is registered.") from None


def render(kind: str, params: dict[str, Any], *, language: str | None = None) -> Rendered:
    """The notification's words, in `language` when given, else the active one.
    Unknown kind → ValueError."""
    renderer = renderer_for(kind)
    if language is None:
        rendered = renderer(params)
    else:
        with translation.override(language):
            rendered = renderer(params)
    return Rendered(title=str(rendered.title), body=str(rendered.body))


def render_for_display(kind: str, params: dict[str, Any]) -> Rendered:
    """For the centre: a kind whose owner is gone, or params it can no longer read,
    show a plain line instead of breaking the page."""
    try:
        return render(kind, params)
    except Exception:
        return Rendered(title=_("A notification"), body="")
