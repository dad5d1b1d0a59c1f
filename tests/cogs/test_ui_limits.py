"""The formatting layer: nothing built through it can exceed Discord's limits."""

from cogs.ui import limits
from cogs.ui.embeds import EmbedSpec


def _embed_length(embed) -> int:
    return len(embed)  # discord.Embed.__len__ counts what Discord counts


def test_oversized_parts_are_clamped():
    spec = EmbedSpec(title="t" * 400, description="d" * 9000, footer="f" * 3000)
    for _ in range(40):
        spec.add_field("n" * 300, "v" * 2000)
    embed = spec.build()
    assert len(embed.title) <= limits.EMBED_TITLE
    assert len(embed.description) <= limits.EMBED_DESCRIPTION
    assert len(embed.fields) <= limits.EMBED_FIELDS
    assert all(len(f.name) <= limits.FIELD_NAME and len(f.value) <= limits.FIELD_VALUE for f in embed.fields)
    assert _embed_length(embed) <= limits.EMBED_TOTAL


def test_dropped_fields_are_counted_in_the_footer():
    spec = EmbedSpec(title="Many")
    for index in range(30):
        spec.add_field(f"field {index}", "value")
    embed = spec.build()
    assert len(embed.fields) == 25
    assert embed.footer.text.startswith("5 more not shown")


def test_code_block_cannot_be_broken_by_backticks():
    block = limits.code_block("a ``` b" + "x" * 5000, 4096)
    assert len(block) <= 4096
    assert block.startswith("```") and block.endswith("```")
    assert block.count("```") == 2


def test_pack_lines_keeps_every_page_within_the_limit():
    pages = limits.pack_lines([f"line {n} " + "x" * (n % 90) for n in range(500)], 1000)
    assert all(len(page) <= 1000 for page in pages)
    assert sum(page.count("\n") + 1 for page in pages) == 500


def test_code_block_cannot_be_broken_by_four_or_more_backticks():
    for run in ("````", "`````", "``````x```", "`` ``` ````"):
        block = limits.code_block(f"before {run} after", 200)
        assert block.count("``") == 2  # the opening and closing fences only
        assert block.startswith("```\n") and block.endswith("\n```")
