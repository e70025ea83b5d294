"""The Jinja2 environment: sandboxed, strict, with project templates over the built-in ones.

Templates come from pull requests by many hands, so they run in Jinja2's sandbox with
``StrictUndefined`` (a misspelt variable is an error, not an empty string). Profile values
are passed as data and never compiled as template code. HTML templates (``*.html.j2``)
autoescape; text and Markdown templates do not. Jinja2 is imported when the first
template is compiled, not before: finding and hashing templates (what a build that
renders nothing does) needs only the file system.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import Location, Problems
from generator.yamlload import YamlError, load_file

if TYPE_CHECKING:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

LANGUAGE_FILE = "language.yml"
#: What ``{{ paragraph }}`` prints in a text template: U+2029 PARAGRAPH SEPARATOR.
PARAGRAPH = "\u2029"


def builtin_templates_dir() -> Path:
    """The templates shipped in the wheel, or the repository's ``templates/`` in a checkout."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "templates"


@dataclass(frozen=True)
class Language:
    code: str
    locale: str
    words: dict[str, Any]


class Templates:
    """Finds, compiles (once) and renders templates; knows which languages exist."""

    def __init__(self, project_dir: Path | None, cache: Path | None = None) -> None:
        self.roots = [root for root in (project_dir, builtin_templates_dir()) if root]
        #: The project's cache folder: compiled templates are kept there between builds.
        self.cache = cache
        self._exists: dict[str, bool] = {}
        self._undeclared: dict[str, frozenset[str]] = {}

    @cached_property
    def env(self) -> SandboxedEnvironment:
        """Markdown and HTML: a block tag's own line break is dropped, as usual in Jinja."""
        return self._environment(trim_blocks=True)

    @cached_property
    def text_env(self) -> SandboxedEnvironment:
        """Profile texts (``*.txt.j2``): every line break is just a space, so a sentence in
        an ``{% if %}`` never glues to the next; ``{{ paragraph }}`` ends a paragraph."""
        return self._environment(trim_blocks=False)

    def _environment(self, *, trim_blocks: bool) -> SandboxedEnvironment:
        import jinja2

        from generator.fragments import FragmentExtension
        from generator.sandbox import Sandbox

        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(r)) for r in self.roots])
        env = Sandbox(
            loader=loader, undefined=jinja2.StrictUndefined,
            autoescape=lambda name: bool(name and name.endswith(".html.j2")),
            keep_trailing_newline=True, lstrip_blocks=True, auto_reload=False,
            trim_blocks=trim_blocks, bytecode_cache=self._bytecode_cache(trim_blocks))
        env.add_extension(FragmentExtension)
        env.filters["extract"] = _extract
        env.globals["paragraph"] = PARAGRAPH
        return env

    def _compiled_folder(self, trim_blocks: bool) -> Path | None:
        """Where an environment's compiled templates are kept (made with the environment)."""
        if self.cache is None:
            return None
        from generator import __version__

        return self.cache / f"jinja2-{__version__}-{'markup' if trim_blocks else 'text'}"

    def _bytecode_cache(self, trim_blocks: bool) -> jinja2.BytecodeCache | None:
        """Jinja2's own cache of compiled templates (checked against each template's
        source); one folder per environment, since their options compile differently."""
        if self.cache is None:
            return None
        import jinja2

        from generator import __version__
        from generator.chunkcache import make_cache_dir

        folder = self._compiled_folder(trim_blocks)
        assert folder is not None
        try:
            make_cache_dir(self.cache)
            for old in self.cache.glob("jinja2-*"):
                if not old.name.startswith(f"jinja2-{__version__}-"):
                    shutil.rmtree(old, ignore_errors=True)  # another version's
            folder.mkdir(exist_ok=True)
        except OSError:
            return None

        class QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
            """A cache that cannot be read or written only means compiling again."""

            def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                try:
                    super().load_bytecode(bucket)
                except (OSError, ValueError, EOFError, TypeError):
                    bucket.reset()

            def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                with suppress(OSError):
                    super().dump_bytecode(bucket)

        return QuietBytecodeCache(str(folder))

    def languages(self) -> list[str]:
        found: set[str] = set()
        for root in self.roots:
            if root.is_dir():
                found.update(p.parent.name for p in root.glob(f"*/{LANGUAGE_FILE}"))
        return sorted(found)

    def find(self, name: str) -> Path | None:
        for root in self.roots:
            candidate = root / name
            if candidate.is_file():
                return candidate
        return None

    def exists(self, name: str) -> bool:
        if name not in self._exists:
            self._exists[name] = self.find(name) is not None
        return self._exists[name]

    def undeclared(self, name: str) -> set[str]:
        """The names a template takes from its context (not its own, not globals).

        Found once per build (per ``Templates``), and kept with the compiled templates
        by the template's source: each page asks again, in each worker, and a parse
        costs tens of ms (a tenth of a one-channel rebuild at 1,000 channels).
        """
        found = self._undeclared.get(name)
        if found is None:
            text = name.endswith(".txt.j2")
            env = self.text_env if text else self.env
            assert env.loader is not None
            source = env.loader.get_source(env, name)[0]
            found = self._undeclared[name] = self._undeclared_in(
                env, source, self._compiled_folder(trim_blocks=not text))
        return set(found)

    @staticmethod
    def _undeclared_in(env: SandboxedEnvironment, source: str, folder: Path | None
                       ) -> frozenset[str]:
        from jinja2 import meta

        key = f"{sorted(env.globals)}\0{sorted(env.extensions)}\0{source}"
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        path = folder / f"undeclared-{digest}.txt" if folder is not None else None
        if path is not None:
            with suppress(OSError, UnicodeDecodeError):
                return frozenset(path.read_text(encoding="utf-8").split())
        found = frozenset(meta.find_undeclared_variables(env.parse(source)) - set(env.globals))
        if path is not None:  # names hold no white space
            from generator.chunkcache import write_cache_file

            write_cache_file(path, "\n".join(sorted(found)).encode("utf-8"))
        return found

    def get(self, name: str) -> jinja2.Template:
        env = self.text_env if name.endswith(".txt.j2") else self.env
        return env.get_template(name)

    def precompiling(self) -> list[Callable[[], None]]:
        """One step for each template, that compiles it (see ``build._warm_up``). One
        that does not compile is left for rendering to report, with its place."""
        return [partial(self._precompile, name) for name, _ in self.files()
                if name.endswith(".j2")]

    def _precompile(self, name: str) -> None:
        with suppress(Exception):
            self.get(name)

    def load_language(self, code: str, problems: Problems) -> Language | None:
        path = self.find(f"{code}/{LANGUAGE_FILE}")
        if path is None:
            problems.error(Location(f"templates/{code}/{LANGUAGE_FILE}"),
                           f"no language file for {code!r}",
                           "copy templates/en/language.yml and translate it")
            return None
        display = self.display(path)
        try:
            words = load_file(path, display)
        except YamlError as exc:
            problems.extend([exc.problem])
            return None
        if not isinstance(words, dict) or "locale" not in words:
            problems.error(Location(display, 1, 1), "language file needs a 'locale' key",
                           "e.g. locale: nb")
            return None
        return Language(code, str(words["locale"]), dict(words))

    def display(self, path: Path) -> str:
        for root in self.roots:
            try:
                rel = path.relative_to(root).as_posix()
            except ValueError:
                continue
            prefix = "templates" if root == self.roots[-1] else root.name
            return f"{prefix}/{rel}"
        return str(path)

    def files(self) -> Iterator[tuple[str, Path]]:
        """Every template file that would be used, by its name (project ones win)."""
        seen: set[str] = set()
        for root in self.roots:
            for path in sorted(root.rglob("*")):
                name = path.relative_to(root).as_posix()
                if path.is_file() and name not in seen and "__pycache__" not in name:
                    seen.add(name)
                    yield name, path

    def digest(self) -> str:
        digest = hashlib.sha256()
        for name, path in self.files():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()


def _extract(key: Any, container: Any) -> Any:
    """``list | map("extract", mapping)``: look each item up in a mapping (as in Ansible)."""
    return container[key]


def template_problem(exc: Exception, templates: Templates) -> tuple[Location, str]:
    """Turn a Jinja error into ``templates/x.j2:line`` and a message a user can act on."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "template"
    line = getattr(exc, "lineno", 0) or 0
    if not getattr(exc, "filename", None):
        name, line = _innermost_template_frame(exc) or (name, line)
    path = templates.find(str(name)) if name else None
    display = templates.display(path) if path else f"templates/{name}"
    message = getattr(exc, "message", None) or str(exc)
    import jinja2

    if isinstance(exc, jinja2.exceptions.UndefinedError):
        message = f"undefined in template: {message}"
    elif isinstance(exc, jinja2.exceptions.SecurityError):
        message = f"not allowed in templates: {message}"
    return Location(display, line, 1 if line else 0), message


def _innermost_template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The template file and line a runtime error happened on, from the traceback."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        frame = tb.tb_frame
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            found = (template.name, template.get_corresponding_lineno(tb.tb_lineno))
        tb = tb.tb_next
    return found
