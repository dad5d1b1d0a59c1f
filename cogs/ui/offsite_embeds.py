"""Embeds and lines for off-site copies: `/backup offsite`, the upload's result, the listing's field."""

from __future__ import annotations

from bot.offsite.listing import RemoteListing
from bot.offsite.remote import OffsiteStatus, RemoteCopy
from bot.offsite.upload import PushOutcome
from bot.status import Status
from bot.units import human_bytes
from cogs.ui import limits
from cogs.ui.embeds import NEUTRAL, STATUS_COLOURS, EmbedSpec, absolute_time, relative_time

SHOWN_NAMES = 10


def status_embed(status: OffsiteStatus) -> EmbedSpec:
    failed = status.problem is not None
    spec = EmbedSpec(
        title=f"Off-site copies — {'🔴 last upload failed' if failed else '🟢 OK'}",
        description=f"`{status.url}`",
        colour=STATUS_COLOURS[Status.FAILED if failed else Status.OK],
    )
    spec.add_field("Encrypted", "✅ with age" if status.encrypted else "⚠️ no (OFFSITE_ALLOW_PLAINTEXT)", True)
    spec.add_field("Copies", f"{status.copies} (keeping the newest {status.keep})", True)
    newest = status.newest
    spec.add_field(
        "Newest",
        f"`{newest.name}`\n{human_bytes(newest.size)} · {relative_time(newest.created_at)}"
        if newest
        else "none yet",
        False,
    )
    doomed = ", ".join(f"`{name}`" for name in status.would_prune[:SHOWN_NAMES]) or "nothing"
    spec.add_field("Retention would delete (dry run)", limits.truncate(doomed, limits.FIELD_VALUE), False)
    if status.others:
        spec.add_field("Not ours", f"{status.others} other object(s) under the prefix: never deleted", False)
    if status.problem is not None:
        problem = status.problem
        spec.add_field(
            "Last upload problem",
            limits.truncate(
                f"`{problem['name']}` ({problem['at'][:19]} UTC): {problem['error']}", limits.FIELD_VALUE
            ),
            False,
        )
    return spec


def not_configured_embed() -> EmbedSpec:
    return EmbedSpec(
        title="Off-site copies are off",
        description="Set OFFSITE_URL (s3://bucket/prefix), the AWS_* keys and OFFSITE_AGE_RECIPIENTS.",
        colour=NEUTRAL,
    )


def upload_text(outcome: PushOutcome) -> str:
    """The line that replaces the upload's progress in the backup's message."""
    copy = outcome.copy
    if copy is None:
        return f"⚠️ Off-site copy failed: {limits.truncate(outcome.error or '', 1500)}"
    how = "encrypted" if copy.encrypted else "not encrypted"
    return f"☁️ Off-site copy verified ({how}, {human_bytes(copy.size)}): `{copy.key}`"


def listing_field(listing: RemoteListing) -> tuple[str, str]:
    """The first page's field of `/backup list`: how many are off-site too, and those only there."""
    if listing.problem is not None:
        return "☁️ Off-site — cannot be listed", limits.truncate(listing.problem, limits.FIELD_VALUE)
    lines = [f"{listing.both} backup(s) here and off-site (`{listing.url}`)"]
    if listing.offsite_only:
        lines.append(f"Only off-site ({len(listing.offsite_only)}; /backup restore downloads one first):")
        lines.extend(_remote_line(copy) for copy in listing.offsite_only[:SHOWN_NAMES])
    return "☁️ Off-site", limits.truncate("\n".join(lines), limits.FIELD_VALUE)


def _remote_line(copy: RemoteCopy) -> str:
    return f"`{copy.name}` · {human_bytes(copy.backup_size or 0)} · {absolute_time(copy.created_at)}"


def remote_restore_question(copy: RemoteCopy) -> EmbedSpec:
    return EmbedSpec(
        title=f"Restore {copy.name} from its off-site copy?",
        description=(
            f"It is only off-site: it is downloaded into the backup folder, checked against its sha256 and "
            f"decrypted first ({human_bytes(copy.backup_size or 0)}, made {absolute_time(copy.created_at)}). "
            "A safety backup of the database is taken before it is replaced."
        ),
        colour=STATUS_COLOURS[Status.DEGRADED],
    )
