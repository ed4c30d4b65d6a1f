"""The chat page /{lang}/chat: relays to the Rasa assistant; works without JavaScript."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from ..booking import never_cache
from ..public import localized_blueprint

bp = localized_blueprint("chat", __name__)
# A conversation is personal: never cached, never indexed.
bp.after_request(never_cache)

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


@bp.app_template_filter("chat_text")
def chat_text(text: str) -> Markup:
    """The assistant's text, escaped, with its web addresses as links and its line breaks."""
    escaped = str(escape(text))
    linked = _URL.sub(lambda m: f'<a href="{m.group(0)}" dir="ltr">{m.group(0)}</a>', escaped)
    return Markup(linked.replace("\n", "<br>\n"))


from . import views  # noqa: E402,F401  (registers the routes)
