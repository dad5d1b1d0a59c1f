"""Untrusted text in embeds shows as typed: no live link, mention, heading or broken code span."""

from cogs.ui.markup import inert, inline_code

HOSTILE = "[click](http://evil) @everyone <@&123456789012345678> @here **bold** `tick`\n# heading"


def test_inert_text_has_no_live_link_or_mention():
    shown = inert(HOSTILE)

    assert "[click](" not in shown.replace("\\[click](", "")  # the masked link is escaped
    assert "http://" not in shown  # no bare link either
    assert "@everyone" not in shown and "@here" not in shown and "<@&1" not in shown
    assert "\\*\\*bold\\*\\*" in shown and "\\`tick\\`" in shown and "\\# heading" in shown


def test_inline_code_falls_back_to_inert_text_when_a_backtick_could_end_it():
    assert inline_code("public.media_items") == "`public.media_items`"
    assert inline_code("a`b @everyone") == inert("a`b @everyone")
    assert inline_code("") == ""
