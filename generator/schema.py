"""Field rules for YAML input, declared once and used three ways.

The same spec objects check a value (collecting every problem with its location), produce
the JSON Schema that editors use (``kanalprofil schema``), and produce the field reference
in the docs. Each rule is a small class, as in MkDocs' ``config_options``; mapping specs
build frozen dataclasses so the rest of the program works with typed values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from generator.errors import Location, Problems
from generator.yamlload import LocatedDict, LocatedList

MISSING: Any = object()
LANG_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


@dataclass
class Context:
    """What a check needs besides the value: where problems go and the project's languages."""

    problems: Problems
    languages: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


class Spec:
    """A rule for one value. ``check`` returns the converted value or MISSING when invalid."""

    description = ""

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def type_name(self) -> str:
        raise NotImplementedError

    def _wrong_type(self, value: Any, loc: Location, ctx: Context) -> Any:
        ctx.problems.error(
            loc, f"expected {self.type_name()}, got {_describe(value)}", self.hint_for(value)
        )
        return MISSING

    def hint_for(self, value: Any) -> str:
        return ""


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Str(Spec):
    def __init__(self, *, pattern: str | None = None, pattern_hint: str = "",
                 max_length: int | None = None, min_length: int = 1) -> None:
        self.pattern = re.compile(pattern) if pattern else None
        self.pattern_hint = pattern_hint
        self.max_length = max_length
        self.min_length = min_length

    def type_name(self) -> str:
        return "text"

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return self._wrong_type(value, loc, ctx)
        text = str(value).strip() if isinstance(value, str) else str(value)
        if len(text) < self.min_length:
            ctx.problems.error(loc, "expected text, got an empty string", "write a value or "
                               "remove the key")
            return MISSING
        if self.max_length is not None and len(text) > self.max_length:
            ctx.problems.error(loc, f"text is {len(text)} characters, at most "
                               f"{self.max_length} allowed")
            return MISSING
        if self.pattern and not self.pattern.fullmatch(text):
            ctx.problems.error(loc, f"{text!r} is not valid here", self.pattern_hint)
            return MISSING
        return text

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "minLength": self.min_length}
        if self.pattern:
            schema["pattern"] = self.pattern.pattern
        if self.max_length:
            schema["maxLength"] = self.max_length
        return schema


class Slug(Str):
    def __init__(self) -> None:
        super().__init__(pattern=SLUG.pattern,
                         pattern_hint="use lower-case letters a-z, digits and hyphens")

    def type_name(self) -> str:
        return "an id (lower-case letters, digits, hyphens)"


class Url(Str):
    """A link that gets published: https only, never ``javascript:`` or ``http:``."""

    def __init__(self, *, schemes: Sequence[str] = ("https",)) -> None:
        super().__init__()
        self.schemes = tuple(schemes)

    def type_name(self) -> str:
        return "an https:// address"

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        text = super().check(value, loc, ctx)
        if text is MISSING:
            return MISSING
        parts = urlsplit(text)
        if parts.scheme not in self.schemes or not parts.netloc or " " in text:
            hint = "write the full address, starting with https://"
            ctx.problems.error(loc, f"{text!r} is not an https:// address", hint)
            return MISSING
        return text

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uri", "pattern": "^https://[^\\s/]+"}


class Phone(Str):
    def __init__(self) -> None:
        super().__init__(pattern=r"\+?[0-9][0-9 ]{1,18}[0-9]",
                         pattern_hint="write digits, spaces and an optional leading +")

    def type_name(self) -> str:
        return "a phone number (in quotes)"


class Int(Spec):
    def __init__(self, *, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def type_name(self) -> str:
        return "a whole number"

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return self._wrong_type(value, loc, ctx)
        if self.minimum is not None and value < self.minimum:
            ctx.problems.error(loc, f"{value} is too small; the least allowed is {self.minimum}")
            return MISSING
        if self.maximum is not None and value > self.maximum:
            ctx.problems.error(loc, f"{value} is too large; the most allowed is {self.maximum}")
            return MISSING
        return value

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


class Bool(Spec):
    def type_name(self) -> str:
        return "true or false"

    def hint_for(self, value: Any) -> str:
        if isinstance(value, str) and value.lower() in {"yes", "no", "on", "off", "ja", "nei"}:
            return "YAML 1.2 reads yes/no as text; write true or false"
        return ""

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if not isinstance(value, bool):
            return self._wrong_type(value, loc, ctx)
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Choice(Spec):
    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = tuple(choices)

    def type_name(self) -> str:
        return "one of " + ", ".join(self.choices)

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if not isinstance(value, str):
            return self._wrong_type(value, loc, ctx)
        if value not in self.choices:
            ctx.problems.error(loc, f"{value!r} is not one of: {', '.join(self.choices)}",
                               did_you_mean(value, self.choices))
            return MISSING
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


class Date(Spec):
    def type_name(self) -> str:
        return "a date (YYYY-MM-DD)"

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if not isinstance(value, str):
            return self._wrong_type(value, loc, ctx)
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            ctx.problems.error(loc, f"{value!r} is not a date", "write it as YYYY-MM-DD")
            return MISSING

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class Time(Spec):
    def type_name(self) -> str:
        return "a time of day (HH:MM)"

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value):
            ctx.problems.error(loc, f"expected a time of day (HH:MM), got {_describe(value)}",
                               'write it as "08:30"')
            return MISSING
        hour, minute = (int(part) for part in value.split(":"))
        if hour > 24 or minute > 59 or (hour == 24 and minute):
            ctx.problems.error(loc, f"{value!r} is not a time of day", 'write it as "08:30"')
            return MISSING
        return dt.time(hour % 24, minute) if hour < 24 else dt.time(23, 59)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}$"}


class Language(Str):
    def __init__(self) -> None:
        super().__init__(pattern=LANG_CODE.pattern,
                         pattern_hint="use a language code such as nb, nn, en or se")

    def type_name(self) -> str:
        return "a language code"

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        code = super().check(value, loc, ctx)
        known = ctx.extra.get("known_languages")
        if code is not MISSING and known is not None and code not in known:
            ctx.problems.error(loc, f"no templates for language {code!r}",
                               f"known: {', '.join(sorted(known))}; add templates/{code}/ "
                               "to support it")
            return MISSING
        if code is not MISSING and ctx.languages and code not in ctx.languages \
                and ctx.extra.get("restrict_languages"):
            ctx.problems.error(loc, f"{code!r} is not one of the organisation's languages",
                               f"use one of {', '.join(ctx.languages)}")
            return MISSING
        return code


class ListOf(Spec):
    def __init__(self, item: Spec, *, min_items: int = 0, max_items: int | None = None,
                 unique: bool = False) -> None:
        self.item = item
        self.min_items = min_items
        self.max_items = max_items
        self.unique = unique

    def type_name(self) -> str:
        return f"a list of {self.item.type_name()}"

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if not isinstance(value, list):
            return self._wrong_type(value, loc, ctx)
        items = []
        seen: set[Any] = set()
        for index, raw in enumerate(value):
            item_loc = value.item_at(index) if isinstance(value, LocatedList) else loc
            checked = self.item.check(raw, item_loc, ctx)
            if checked is MISSING:
                continue
            key = checked if isinstance(checked, str | int) else None
            if self.unique and key is not None and key in seen:
                ctx.problems.error(item_loc, f"{checked!r} is listed twice", "remove one")
                continue
            seen.add(key)
            items.append(checked)
        if len(value) < self.min_items:
            ctx.problems.error(loc, f"list needs at least {self.min_items} item(s)")
            return MISSING
        if self.max_items is not None and len(value) > self.max_items:
            ctx.problems.error(loc, f"list has {len(value)} items, at most {self.max_items} "
                               "allowed")
            return MISSING
        return tuple(items)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.max_items is not None:
            schema["maxItems"] = self.max_items
        if self.unique:
            schema["uniqueItems"] = True
        return schema


class Localised(Spec):
    """Text per language: a mapping of language code to value, or one value for all languages.

    One value for all is allowed only where ``same_for_all`` says so (names, addresses);
    prose must be written out per language so nothing is published untranslated.
    """

    def __init__(self, item: Spec, *, same_for_all: bool = False) -> None:
        self.item = item
        self.same_for_all = same_for_all

    def type_name(self) -> str:
        per = f"{self.item.type_name()} per language (nb: …, nn: …, en: …)"
        return f"{self.item.type_name()}, or {per}" if self.same_for_all else per

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if isinstance(value, dict):
            result: dict[str, Any] = {}
            for lang, raw in value.items():
                key_loc = value.key_at(lang) if isinstance(value, LocatedDict) else loc
                val_loc = value.value_at(lang) if isinstance(value, LocatedDict) else loc
                if ctx.languages and lang not in ctx.languages:
                    ctx.problems.error(
                        key_loc, f"{lang!r} is not one of the organisation's languages",
                        did_you_mean(lang, ctx.languages) or
                        f"use {', '.join(ctx.languages)}")
                    continue
                checked = self.item.check(raw, val_loc, ctx)
                if checked is not MISSING:
                    result[lang] = checked
            missing = [lang for lang in ctx.languages if lang not in value]
            if missing:
                ctx.problems.error(loc, f"missing language(s): {', '.join(missing)}",
                                   "write the text in every language the organisation uses")
                return MISSING
            return dict(sorted(result.items())) if len(result) == len(value) else MISSING
        if not self.same_for_all:
            if isinstance(value, str):
                ctx.problems.error(loc, "expected a text per language, got one text",
                                   f"write it as a mapping with {', '.join(ctx.languages)}")
                return MISSING
            return self._wrong_type(value, loc, ctx)
        checked = self.item.check(value, loc, ctx)
        if checked is MISSING:
            return MISSING
        return dict.fromkeys(ctx.languages, checked)

    def json_schema(self) -> dict[str, Any]:
        per_lang = {
            "type": "object",
            "propertyNames": {"pattern": LANG_CODE.pattern},
            "additionalProperties": self.item.json_schema(),
            "minProperties": 1,
        }
        if self.same_for_all:
            return {"anyOf": [self.item.json_schema(), per_lang]}
        return per_lang


class OneOf(Spec):
    """Either of two shapes, picked by the value's YAML type (scalar, or mapping/list)."""

    def __init__(self, scalar: Spec, mapping: Spec,
                 wrap_scalar: Callable[[Any], Any] | None = None) -> None:
        self.scalar = scalar
        self.mapping = mapping
        self.wrap_scalar = wrap_scalar

    def type_name(self) -> str:
        return f"{self.scalar.type_name()} or {self.mapping.type_name()}"

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if isinstance(value, dict | list):
            return self.mapping.check(value, loc, ctx)
        checked = self.scalar.check(value, loc, ctx)
        if checked is MISSING or self.wrap_scalar is None:
            return checked
        return self.wrap_scalar(checked)

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [self.scalar.json_schema(), self.mapping.json_schema()]}


class DictOf(Spec):
    """A mapping with free keys (slot names) and values of one rule."""

    def __init__(self, key: Spec, value: Spec) -> None:
        self.key = key
        self.value = value

    def type_name(self) -> str:
        return f"a mapping of {self.key.type_name()} to {self.value.type_name()}"

    def check(self, value: Any, loc: Any, ctx: Context) -> Any:
        if not isinstance(value, dict):
            return self._wrong_type(value, loc, ctx)
        result = {}
        for key, item in value.items():
            key_loc = value.key_at(key) if isinstance(value, LocatedDict) else loc
            val_loc = value.value_at(key) if isinstance(value, LocatedDict) else loc
            checked_key = self.key.check(key, key_loc, ctx)
            checked = self.value.check(item, val_loc, ctx)
            if checked_key is not MISSING and checked is not MISSING:
                result[checked_key] = checked
        return dict(sorted(result.items()))

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.value.json_schema()}


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def spec_field(spec: Spec, doc: str, *, default: Any = MISSING, example: Any = None,
               factory: Callable[[], Any] | None = None, internal: bool = False) -> Any:
    """A dataclass field that carries its rule, its documentation and an example."""
    metadata = {"spec": spec, "doc": doc, "example": example, "internal": internal}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    if default is MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


class Record(Spec):
    """A mapping checked field by field into the dataclass ``cls``; unknown keys are errors."""

    def __init__(self, cls: type[Any], *, partial: bool = False,
                 post_check: Callable[[Any, LocatedDict, Context], None] | None = None,
                 ignore: Sequence[str] = ()) -> None:
        self.cls = cls
        self.partial = partial
        self.post_check = post_check
        self.ignore = tuple(ignore)

    def type_name(self) -> str:
        return "a mapping"

    def fields(self) -> list[dataclasses.Field[Any]]:
        return [f for f in dataclasses.fields(self.cls) if "spec" in f.metadata]

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if not isinstance(value, dict):
            return self._wrong_type(value, loc, ctx)
        located = value if isinstance(value, LocatedDict) else LocatedDict(value, location=loc)
        known = {f.name: f for f in self.fields()}
        for key in located:
            if key not in known and key not in self.ignore:
                hint = did_you_mean(key, list(known)) or f"known keys: {', '.join(known)}"
                ctx.problems.error(located.key_at(key), f"unknown key {key!r}", hint)
        values: dict[str, Any] = {}
        failed = False
        for name, fld in known.items():
            if name in located and located[name] is not None:
                checked = fld.metadata["spec"].check(located[name], located.value_at(name), ctx)
                if checked is MISSING:
                    failed = True
                else:
                    values[name] = checked
            elif (fld.default is dataclasses.MISSING
                  and fld.default_factory is dataclasses.MISSING and not self.partial):
                ctx.problems.error(located.location, f"missing required key {name!r}",
                                   fld.metadata["doc"])
                failed = True
        if self.partial:
            return values
        if failed:
            return MISSING
        result = self.cls(**values)
        if self.post_check:
            self.post_check(result, located, ctx)
        return result

    def json_schema(self) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required = []
        for fld in self.fields():
            sub = dict(fld.metadata["spec"].json_schema())
            sub["description"] = fld.metadata["doc"]
            properties[fld.name] = sub
            if (fld.default is dataclasses.MISSING
                    and fld.default_factory is dataclasses.MISSING and not self.partial):
                required.append(fld.name)
        for name in self.ignore:
            properties[name] = {}
        schema: dict[str, Any] = {
            "type": "object", "properties": properties, "additionalProperties": False,
        }
        if required:
            schema["required"] = required
        return schema


def merge(base: Any, override: Any) -> Any:
    """Deep-merge two located documents: mappings merge key by key, anything else replaces.

    Locations follow the value that wins, so an error in a merged value still points at
    the file and line it came from.
    """
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    location = override.location if isinstance(override, LocatedDict) else Location("")
    result = LocatedDict(location=location)
    for source in (base, override):
        for key, value in source.items():
            result[key] = merge(result[key], value) if key in result else value
            if isinstance(source, LocatedDict):
                result.key_locations[key] = source.key_at(key)
                result.value_locations[key] = source.value_at(key)
    return result


def iter_strings(value: Any, loc: Location) -> list[tuple[str, Location]]:
    """Every text in a located document with its location, for checks over all values."""
    found: list[tuple[str, Location]] = []
    if isinstance(value, str):
        found.append((value, loc))
    elif isinstance(value, dict):
        for key, item in value.items():
            item_loc = value.value_at(key) if isinstance(value, LocatedDict) else loc
            found.extend(iter_strings(item, item_loc))
            if isinstance(key, str):
                key_loc = value.key_at(key) if isinstance(value, LocatedDict) else loc
                found.append((key, key_loc))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            item_loc = value.item_at(index) if isinstance(value, LocatedList) else loc
            found.extend(iter_strings(item, item_loc))
    return found


def reference_rows(record: Record, prefix: str = "") -> list[tuple[str, str, str, str, str]]:
    """(key, type, default, description, example) rows for the docs, nested records inline."""
    rows: list[tuple[str, str, str, str, str]] = []
    for fld in record.fields():
        spec: Spec = fld.metadata["spec"]
        name = f"{prefix}{fld.name}"
        if fld.default is not dataclasses.MISSING:
            default = "—" if fld.default is None else _yaml_scalar(fld.default)
        elif fld.default_factory is not dataclasses.MISSING:
            made = fld.default_factory()
            default = "—" if not made else _yaml_scalar(made)
        else:
            default = "required"
        example = fld.metadata.get("example")
        rows.append((name, spec.type_name(), default, fld.metadata["doc"],
                     "" if example is None else _yaml_scalar(example)))
        inner = spec.item if isinstance(spec, ListOf) else spec
        if isinstance(inner, OneOf):
            inner = inner.mapping
        if isinstance(inner, Record):
            suffix = "[]." if isinstance(spec, ListOf) else "."
            rows.extend(reference_rows(inner, f"{name}{suffix}"))
    return rows


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items()) + "}"
    if dataclasses.is_dataclass(value):
        return "(see below)"
    return str(value)
