"""The faster sandbox answers exactly as Jinja2's own, and blocks what it blocks."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment

from generator.sandbox import Sandbox
from generator.yamlload import LocatedDict

STOCK = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
FAST = Sandbox(undefined=jinja2.StrictUndefined)

#: Names a template might ask a dict for: keys, dict's own methods, private and dunders.
NAMES = st.one_of(st.sampled_from(sorted(dir(dict))), st.sampled_from(
    ["name", "items", "keys", "get", "_private", "__class__", "__globals__", "mro"]),
    st.text(min_size=1, max_size=8))


def outcome(env: SandboxedEnvironment, obj: Any, name: str) -> tuple[str, Any]:
    """What a template sees: a value, or an undefined with its message when used."""
    value = env.getattr(obj, name)
    if isinstance(value, jinja2.Undefined):
        try:
            str(value)
        except jinja2.exceptions.SecurityError as exc:
            return "unsafe", str(exc)
        except jinja2.exceptions.UndefinedError as exc:
            return "undefined", str(exc)
    return "value", value


@given(st.dictionaries(NAMES, st.integers()), NAMES)
def test_dict_lookups_answer_as_the_stock_sandbox(data: dict[str, int], name: str) -> None:
    assert outcome(FAST, data, name) == outcome(STOCK, data, name)


@given(st.dictionaries(NAMES, st.integers()), NAMES)
def test_dict_like_objects_take_the_stock_path(data: dict[str, int], name: str) -> None:
    located = LocatedDict(data)
    assert outcome(FAST, located, name) == outcome(STOCK, located, name)


@pytest.mark.parametrize("source", [
    "{{ d.__class__ }}", "{{ d.items.__self__ }}", "{{ d.__class__.__mro__ }}",
    "{{ d.__init__ }}",
])
def test_private_attributes_of_a_dict_stay_blocked(source: str) -> None:
    with pytest.raises(jinja2.exceptions.SecurityError):
        FAST.from_string(source).render(d={"__class__": "shadow"})


def test_a_key_that_shadows_a_dict_method_still_gives_the_method() -> None:
    template = "{{ d.name }} {{ d.items() | list | length }} {{ d.missing is defined }}"
    data = {"name": "Fjordetaten", "items": "shadowed"}
    assert FAST.from_string(template).render(d=data) == \
        STOCK.from_string(template).render(d=data) == "Fjordetaten 2 False"
