"""The bare reference for the benchmark: the least any tool could do with the same data.

For every channel file: ``yaml.safe_load``, then for every file kanalprofil wrote for that
channel one Jinja2 render (one template, compiled once) and one plain write; the pages get
one render each over all channels. No validation, no fitting, no Markdown, no manifest.
The list of files comes from the manifest of a real build, so both write as many files.

Usage: ``python bench/reference.py PROJECT OUTPUT MANIFEST``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jinja2
import yaml

TEMPLATE = """\
# {{ org.name[lang] }} on {{ channel.platform }}
{% if channel.handle %}{{ channel.handle }}: {% endif %}{{ channel.url }}

{% if channel.audience %}For {{ channel.audience[lang] }}. {% endif %}
{% for topic in channel.topics or [] %}{{ topic[lang] }}{{ ", " if not loop.last }}{% endfor %}
We answer within {{ ((channel.response or {}).time or defaults.response.time).within }} days,
{{ defaults.response.hours.days | join(", ") }} {{ defaults.response.hours.opens }}-\
{{ defaults.response.hours.closes }}.

## Rules
{% for rule in defaults.moderation.rules %}
- {{ rule }}: we remove posts with {{ rule | replace("_", " ") }}.
{% endfor %}
Contact: {{ org.contact.page[lang] }} {{ org.contact.phone }}.
We do no casework here. Do not share personal data. Messages may be kept as records.
"""

PAGE = """\
# {{ org.name[lang] }}
{% for id, channel in channels.items() %}
## {{ channel.platform }}: {{ channel.handle or id }}
For {{ (channel.audience or {}).get(lang, "everyone") }}. [Go]({{ channel.url }})
{% endfor %}
"""


def _write(root: Path, path: str, text: str, made: set[Path]) -> None:
    target = root / path
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)
    target.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    project, output, manifest = (Path(arg) for arg in argv[1:4])
    by_unit: dict[str, list[str]] = {}
    for path in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
        parts = path.split("/")
        by_unit.setdefault(parts[1] if parts[0] == "channels" else "", []).append(path)
    env = jinja2.Environment(keep_trailing_newline=True, autoescape=False)
    template, page = env.from_string(TEMPLATE), env.from_string(PAGE)
    org: dict[str, Any] = yaml.safe_load(
        (project / "profiles" / "organisation.yml").read_text(encoding="utf-8"))
    defaults = org["defaults"]
    channels: dict[str, Any] = {}
    made: set[Path] = set()
    for file in sorted((project / "profiles" / "channels").glob("*.yml")):
        channel = yaml.safe_load(file.read_text(encoding="utf-8"))
        channels[file.stem] = channel
        for path in by_unit.get(file.stem, []):
            lang = path.split("/")[2].split("+")[0]
            text = template.render(org=org, defaults=defaults, channel=channel, lang=lang)
            _write(output, path, text, made)
    for path in by_unit.get("", []):
        parts = path.split("/")
        lang = parts[1] if len(parts) > 2 else "en"  # index.html: the preview of all
        _write(output, path, page.render(org=org, channels=channels, lang=lang), made)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
