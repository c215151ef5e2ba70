"""The event spine: `emit` records what happened, `on` registers handlers for it.

    from clarion.core.events import emit, on

See docs/events.md for the guarantees.
"""

from clarion.core.events.registry import on
from clarion.core.events.services import NewEvent, emit, emit_many

__all__ = ["NewEvent", "emit", "emit_many", "on"]
