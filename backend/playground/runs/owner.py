"""Who a run, an upload or an imported model belongs to.

The run manager needs only this much of a session (api/sessions.py): an id to
record, a name to show, and whether the per-session limits apply. They apply to
every student session; the teacher and the one local user of an `open` server
(no tokens) are exempt.
"""

from __future__ import annotations

from dataclasses import dataclass

LOCAL_ID = "local"
TEACHER_ID = "teacher"


@dataclass(frozen=True)
class Owner:
    id: str
    name: str

    @property
    def limited(self) -> bool:
        return limited(self.id)


def limited(owner_id: str | None) -> bool:
    """Do the per-session limits apply to this owner? (None: made before owners existed.)"""
    return owner_id not in (None, LOCAL_ID, TEACHER_ID)


LOCAL = Owner(LOCAL_ID, "local user")
TEACHER = Owner(TEACHER_ID, "Teacher")
