"""Read YAML with YAML 1.2 meanings and remember where every value came from.

PyYAML implements YAML 1.1, where ``no`` is ``False`` and ``15:30`` is 930. Profiles are
written by communications staff, so this loader resolves plain scalars by the YAML 1.2
core schema only (null, true/false, integers, floats; everything else is a string, dates
included), refuses duplicate keys, bounds alias expansion, and returns mappings and
sequences that carry the :class:`~generator.errors.Location` of each key and item so
validation can point at ``file:line:column``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Location, Problem

try:  # the C parser is several times faster; the resolvers below still apply to it
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: Nodes a document may expand to through aliases; far above any real profile, far
#: below what would take noticeable memory ("billion laughs").
MAX_EXPANDED_NODES = 100_000


class LocatedDict(dict[str, Any]):
    """A mapping that knows where it, each key and each value stand in the source."""

    location: Location
    key_locations: dict[str, Location]
    value_locations: dict[str, Location]

    def __init__(self, *args: Any, location: Location | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location = location or Location("<unknown>")
        self.key_locations = {}
        self.value_locations = {}

    def key_at(self, key: str) -> Location:
        return self.key_locations.get(key, self.location)

    def value_at(self, key: str) -> Location:
        return self.value_locations.get(key, self.key_at(key))


class LocatedList(list[Any]):
    """A sequence that knows where it and each item stand in the source."""

    location: Location
    item_locations: list[Location]

    def __init__(self, *args: Any, location: Location | None = None) -> None:
        super().__init__(*args)
        self.location = location or Location("<unknown>")
        self.item_locations = []

    def item_at(self, index: int) -> Location:
        if 0 <= index < len(self.item_locations):
            return self.item_locations[index]
        return self.location


class YamlError(Exception):
    """Raised for a document that cannot be read at all; carries one :class:`Problem`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


def _location(display: str, mark: Any) -> Location:
    return Location(display, mark.line + 1, mark.column + 1)


class _Loader(_BaseLoader):
    """PyYAML loader with only the YAML 1.2 core schema's implicit types."""

    display_name = "<input>"
    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML reads it per class

    def construct_located_mapping(self, node: yaml.MappingNode) -> LocatedDict:
        result = LocatedDict(location=_location(self.display_name, node.start_mark))
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not supported; write the keys out",
                    key_node.start_mark,
                )
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None, None, f"keys must be text, found {key!r}; put it in quotes",
                    key_node.start_mark,
                )
            key_loc = _location(self.display_name, key_node.start_mark)
            if key in result:
                first = result.key_locations[key]
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"duplicate key '{key}' (first defined on line {first.line}); "
                    "remove one of them",
                    key_node.start_mark,
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_locations[key] = key_loc
            result.value_locations[key] = _location(self.display_name, value_node.start_mark)
        return result

    def construct_located_sequence(self, node: yaml.SequenceNode) -> LocatedList:
        result = LocatedList(location=_location(self.display_name, node.start_mark))
        for item in node.value:
            result.append(self.construct_object(item, deep=True))
            result.item_locations.append(_location(self.display_name, item.start_mark))
        return result

    def construct_yaml12_int(self, node: yaml.ScalarNode) -> int:
        value = str(self.construct_scalar(node))
        return int(value, 0) if value[:2] in ("0o", "0x") else int(value, 10)

    def construct_yaml12_float(self, node: yaml.ScalarNode) -> float:
        value = str(self.construct_scalar(node)).lower()
        if value.endswith("nan"):
            return float("nan")
        return float(value.replace(".inf", "inf"))

    def construct_yaml12_bool(self, node: yaml.ScalarNode) -> bool:
        return str(self.construct_scalar(node)).lower() == "true"


def _add_resolver(tag: str, pattern: re.Pattern[str], first: str) -> None:
    _Loader.add_implicit_resolver(tag, pattern, list(first))


_add_resolver("tag:yaml.org,2002:bool", _BOOL, "tTfF")
_add_resolver("tag:yaml.org,2002:int", _INT, "-+0123456789")
_add_resolver("tag:yaml.org,2002:float", _FLOAT, "-+0123456789.")
_add_resolver("tag:yaml.org,2002:null", _NULL, "~nN")
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, [""])

_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_located_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_located_sequence)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml12_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml12_float)
_Loader.add_constructor("tag:yaml.org,2002:bool", _Loader.construct_yaml12_bool)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)  # type: ignore[type-var]
_Loader.add_constructor("tag:yaml.org,2002:binary", _Loader.construct_yaml_str)  # type: ignore[type-var]
_Loader.add_constructor("tag:yaml.org,2002:omap", _Loader.construct_located_sequence)
_Loader.add_constructor("tag:yaml.org,2002:pairs", _Loader.construct_located_sequence)
_Loader.add_constructor("tag:yaml.org,2002:set", _Loader.construct_located_mapping)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Count nodes as if every alias were copied out, memoised so it stays linear."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a node reached again while counting itself is a cycle: count it once
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(
            _expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value
        )
    memo[key] = min(size, MAX_EXPANDED_NODES + 1)
    return memo[key]


def decode(data: bytes, display: str) -> str:
    """UTF-8 only, with or without a BOM; CRLF read as LF so both give the same result."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlError(
            Problem(Location(display, 1, 1), "file is UTF-16, not UTF-8", "save it as UTF-8")
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(
            Problem(
                Location(display, line, column),
                f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
                "save the file as UTF-8",
            )
        ) from None
    return text.replace("\r\n", "\n")


def loads(text: str, display: str) -> Any:
    """Parse one YAML document from text; raise :class:`YamlError` with its location."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise YamlError(
            Problem(Location(display, 1, 1), "file is empty", "add the keys or delete the file")
        )
    loader = _Loader(text)
    loader.display_name = display
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlError(Problem(Location(display, 1, 1), "file is empty"))
        if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise YamlError(
                Problem(
                    _location(display, node.start_mark),
                    f"document expands to more than {MAX_EXPANDED_NODES:,} values through "
                    "aliases",
                    "write the values out instead of nesting aliases",
                )
            )
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = _location(display, mark) if mark else Location(display, 1, 1)
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and "duplicate" not in exc.problem:
            started = exc.context_mark
            where = f" at {started.line + 1}:{started.column + 1}" if started else ""
            message = f"{exc.problem}, {exc.context.replace('while ', 'when ')}{where}"
        hint = "" if isinstance(exc, yaml.constructor.ConstructorError) else "fix the YAML syntax"
        raise YamlError(Problem(location, message, hint)) from None
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        raise YamlError(Problem(Location(display, 1, 1), str(exc).splitlines()[0])) from None
    finally:
        loader.dispose()


def load_file(path: Path, display: str | None = None) -> Any:
    """Read and parse ``path``; ``display`` is the name shown in messages (a relative path)."""
    name = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise YamlError(Problem(Location(name), f"cannot read file: {exc.strerror}")) from None
    return loads(decode(data, name), name)
