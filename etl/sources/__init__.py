"""All sources, in load order (a source's foreign keys point to sources listed before it).

To add a domain: write etl/sources/<domain>.py with a SOURCES list and add it here.
"""

from etl.contract import Source
from etl.sources import core, exams, indicators, resources, security, training

_MODULES = [core, training, resources, indicators, exams, security]

SOURCES: list[Source] = [s for m in _MODULES for s in m.SOURCES]
BY_NAME: dict[str, Source] = {s.name: s for s in SOURCES}
