"""Each profile file's located YAML, kept pickled when the profile cache has it pickled.

The located YAML (every value with its file, line and column) is what problems and
findings point into, but once a file is read and checked it is needed only to locate a
new finding or a rendering error. At 5,000 channels it is a third of what a build holds
(33 KB a channel as objects, a sixth of that pickled), and a rebuild that unpickled every
cached file's took a second before rendering anything.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping

from generator.yamlload import LocatedDict


class Sources(Mapping[str, LocatedDict]):
    """Located YAML by source id ("" for the organisation, else the channel id).

    A pickled one is unpickled on each access, and not kept: accesses are few (a finding,
    an error), and what a caller keeps is its own copy.
    """

    def __init__(self) -> None:
        self._sources: dict[str, LocatedDict | bytes] = {}

    def add(self, source_id: str, source: LocatedDict | bytes) -> None:
        """``source`` as objects, or as the pickle of a LocatedDict."""
        self._sources[source_id] = source

    def pickle_from(self, pickled: Mapping[str, bytes]) -> None:
        """Hold the sources that ``pickled`` has (by source id) as those bytes from now on."""
        for source_id, data in pickled.items():
            if source_id in self._sources:
                self._sources[source_id] = data

    def __getitem__(self, source_id: str) -> LocatedDict:
        source = self._sources[source_id]
        if isinstance(source, bytes):
            loaded = pickle.loads(source)
            assert isinstance(loaded, LocatedDict)
            return loaded
        return source

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._sources

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)
