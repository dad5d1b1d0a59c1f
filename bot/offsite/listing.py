"""Where each backup is (local, off-site, both) for `/backup list` and `backup list`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.backups.inventory import Inventory
from bot.errors import OpsError
from bot.offsite.remote import RemoteCopy, where
from bot.offsite.service import OffsiteService


@dataclass(frozen=True)
class RemoteListing:
    """Each backup name with "local", "off-site" or "both"; the copies only off-site; or the problem."""

    url: str
    places: dict[str, str]
    offsite_only: list[RemoteCopy]
    problem: str | None

    @property
    def both(self) -> int:
        return sum(1 for place in self.places.values() if place == "both")


async def remote_listing(offsite: OffsiteService, inventory: Inventory) -> RemoteListing | None:
    """The off-site side of a listing; None when OFFSITE_URL is unset."""
    if not offsite.configured:
        return None
    url = str(offsite.location)
    try:
        copies = await offsite.copies()
    except OpsError as error:
        return RemoteListing(url, {}, [], str(error))
    places = where([backup.name for backup in inventory.backups], copies)
    only = [copy for copy in copies if copy.ours and places.get(copy.name) == "off-site"]
    return RemoteListing(url, places, only, None)
