"""``kanalprofil init``: a new project that builds at once and is easy to adapt.

The bundled example organisation is the scaffold, so a new project starts from a model
that passes every check; files that already exist are never overwritten.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.errors import KanalprofilError
from generator.templating import builtin_templates_dir

PROJECT_TEMPLATE = """\
# kanalprofil project file: what belongs to the project rather than to a channel.
# Every key is optional; the values below are the defaults. See README.md, "Project file".
profiles_dir: profiles
output_dir: output
{templates}# languages: [nb, nn, en]     # build only some of the organisation's languages
strict: false                 # true: warnings fail the build, like --strict
review_max_age_months: 12     # warn when a channel was last reviewed longer ago
"""


def example_profiles_dir() -> Path:
    packaged = Path(__file__).parent / "example"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "profiles"


def scaffold(directory: Path, *, with_templates: bool) -> list[Path]:
    """Create the project; refuse to touch anything that is already there."""
    config = directory / "kanalprofil.yml"
    profiles = directory / "profiles"
    templates = directory / "templates"
    clashes = [p for p in (config, profiles) + ((templates,) if with_templates else ())
               if p.exists()]
    if clashes:
        raise KanalprofilError(
            f"{clashes[0]} already exists; choose an empty folder (nothing was changed)")
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(example_profiles_dir(), profiles,
                    ignore=shutil.ignore_patterns("__pycache__"))
    created = [config, profiles]
    if with_templates:
        shutil.copytree(builtin_templates_dir(), templates,
                        ignore=shutil.ignore_patterns("__pycache__"))
        created.append(templates)
    schema_dir = directory / "schema"
    schema_dir.mkdir(exist_ok=True)
    created.append(schema_dir)
    write_schemas(schema_dir)
    line = "templates_dir: templates     # your copy; files you delete fall back to built-ins\n"
    config.write_text(PROJECT_TEMPLATE.format(templates=line if with_templates else ""),
                      encoding="utf-8")
    return created


def write_schemas(folder: Path) -> None:
    """The JSON Schemas the example profiles' ``$schema`` lines point to."""
    import json

    from generator.jsonschema import schema_for

    for kind in ("organisation", "channel", "project"):
        text = json.dumps(schema_for(kind), indent=2, sort_keys=True, ensure_ascii=False)
        (folder / f"{kind}.schema.json").write_text(text + "\n", encoding="utf-8")
