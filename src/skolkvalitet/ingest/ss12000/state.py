"""What a sync keeps between runs, and the writes of it: the server's time at the start of each
resource's last successful read (Ss12000SyncState, for meta.modified.after) and each server
object's id with what it became here (Ss12000Link)."""

from __future__ import annotations

import datetime as dt

from skolkvalitet.ingest.models import Ss12000Link, Ss12000SyncState
from skolkvalitet.ingest.ss12000.client import Collection


def sync_states(source: str) -> dict[str, dt.datetime]:
    return dict(Ss12000SyncState.objects.filter(source=source).values_list("resource", "synced_at"))


def sync_states_save(source: str, fetched: dict[str, Collection]) -> None:
    for resource, collection in fetched.items():
        Ss12000SyncState.objects.update_or_create(
            source=source, resource=resource, defaults={"synced_at": collection.server_time}
        )


def links_save(
    *,
    source: str,
    wanted: dict[tuple[str, str], tuple[int | None, str]],
    stored: dict[tuple[str, str], Ss12000Link],
) -> None:
    """Keep `wanted` ((resource, server id) → (local id, value)) as the links of `source`;
    `stored`: the links read before the sync."""
    new, changed = [], []
    for (resource, ext), (local_id, value) in wanted.items():
        link = stored.get((resource, ext))
        if link is None:
            link = Ss12000Link(source=source, resource=resource, external_id=ext)
            new.append(link)
        elif (link.local_id, link.value) != (local_id, value):
            changed.append(link)
        link.local_id, link.value = local_id, value
    Ss12000Link.objects.bulk_create(new, batch_size=2000)
    Ss12000Link.objects.bulk_update(changed, ["local_id", "value"], batch_size=2000)
