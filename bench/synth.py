"""A synthetic organisation of N channels, for the benchmark (``bench/run.py``).

The organisation file is the bundled example's (Fjordetaten, three languages); the
channels vary over every platform in the catalogue, every status, mono- and bilingual
profiles, own response times and hours, broadcast-only channels that send questions to
another channel, retired channels with a successor, custom rules and Mastodon limits.
Texts are realistic phrases in bokmål, nynorsk and English. The same ``n`` and ``seed``
always give the same files; review dates are relative to ``today`` so no check warns.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path

from generator.catalogue import BUILTIN
from generator.scaffold import example_profiles_dir
from generator.yamlload import load_file

REGIONS = ("Nord", "Midt", "Vest", "Sør", "Øst", "Agder", "Troms", "Finnmark", "Lofoten",
           "Helgeland", "Sunnmøre", "Romsdal", "Hardanger", "Sogn", "Rogaland", "Oslofjorden")
UNITS = (
    ("trafikksentralen", "trafikksentralen", "trafikksentralen", "the vessel traffic centre"),
    ("losen", "lostenesta", "lostenesta", "the pilot service"),
    ("havnekontoret", "hamnekontoret", "hamnekontoret", "the harbour office"),
    ("beredskap", "beredskapen", "beredskapen", "emergency preparedness"),
    ("fyrvesenet", "fyrvesenet", "fyrvesenet", "the lighthouse service"),
    ("farledsprosjektet", "farleisprosjektet", "farleisprosjektet", "the fairway project"),
)
AUDIENCES = (
    ("alle som bor eller ferdes langs kysten", "alle som bur eller ferdast langs kysten",
     "everyone who lives on or travels along the coast"),
    ("fritidsbåtfolk og fiskere", "fritidsbåtfolk og fiskarar", "leisure boaters and fishers"),
    ("fagfolk, samarbeidspartnere og jobbsøkere", "fagfolk, samarbeidspartnarar og "
     "jobbsøkjarar", "professionals, partners and jobseekers"),
    ("unge som er på sjøen for første gang", "unge som er på sjøen for første gong",
     "young people new to the sea"),
    ("pendlere som tar ferja", "pendlarar som tek ferja", "commuters who take the ferry"),
    ("kommuner og havner i regionen", "kommunar og hamner i regionen",
     "municipalities and ports in the region"),
)
TOPICS = (
    ("ferjer og farleier", "ferjer og farleier", "ferries and sea routes"),
    ("vær og føre", "vêr og føre", "weather and conditions"),
    ("ledige stillinger", "ledige stillingar", "job openings"),
    ("sikkerhet på sjøen", "tryggleik på sjøen", "safety at sea"),
    ("arbeid i farleiene", "arbeid i farleiene", "works in the fairways"),
    ("bilder fra arbeidet vårt", "bilete frå arbeidet vårt", "pictures from our work"),
    ("fyrhistorie", "fyrhistorie", "lighthouse history"),
)
CUSTOM_RULES = (
    ("no-tickets", "videresalg av billetter", "vidaresal av billettar", "ticket resale"),
    ("no-chain-letters", "kjedebrev", "kjedebrev", "chain letters"),
    ("no-fake-alerts", "falske farevarsler", "falske farevarsel", "fake hazard warnings"),
)
PROFILE_LANGUAGES = (("nb",), ("nn",), ("en",), ("nb", "en"), ("nb",), ("nn", "en"), ("nb",))
#: Platforms whose bio is too short for a bilingual text with the statement's address, or
#: for a retired channel's closing text in nynorsk.
TIGHT_PLATFORMS = ("threads", "tiktok")
DAYS_ALL = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

PROJECT_FILE = """\
# A synthetic organisation for the kanalprofil benchmark (bench/run.py).
profiles_dir: profiles
output_dir: output
review_max_age_months: 12
"""


def platform_ids() -> list[str]:
    """Every platform in the built-in catalogue, in catalogue order."""
    data = load_file(BUILTIN)
    return [str(key) for key in data]


def _local(texts: tuple[str, str, str]) -> str:
    nb, nn, en = (json.dumps(text, ensure_ascii=False) for text in texts)
    return f"{{nb: {nb}, nn: {nn}, en: {en}}}"


def channel_yaml(index: int, platform: str, rng: random.Random, today: dt.date,
                 public: list[tuple[str, str]]) -> tuple[str, str, str]:
    """(channel id, YAML text, status) of channel number ``index``."""
    region = REGIONS[index % len(REGIONS)]
    unit = UNITS[(index // len(REGIONS)) % len(UNITS)]
    slug_region = region.lower().replace("ø", "o").replace("å", "a").replace("æ", "ae")
    channel_id = f"{platform}-{slug_region}-{unit[0]}-{index:05d}"
    handle = f"fjordetaten_{slug_region}_{index}"
    status = "active"
    if index % 29 == 7:
        status = "pilot"
    elif index % 23 == 5 and public and platform not in TIGHT_PLATFORMS:
        status = "retired"
    elif index % 31 == 11:
        status = "planned"
    urls = {
        "bluesky": f"https://bsky.app/profile/{handle}.bsky.social",
        "facebook": f"https://www.facebook.com/{handle}",
        "instagram": f"https://www.instagram.com/{handle}",
        "linkedin": f"https://www.linkedin.com/company/{handle}",
        "mastodon": f"https://social.example/@{handle}",
        "threads": f"https://www.threads.net/@{handle}",
        "tiktok": f"https://www.tiktok.com/@{handle}",
        "x": f"https://x.com/{handle}",
        "youtube": f"https://www.youtube.com/@{handle}",
    }
    url = urls.get(platform, f"https://{platform}.fjordetaten.example/{slug_region}/{index}")
    lines = [
        "# yaml-language-server: $schema=../../schema/channel.schema.json",
        f"platform: {platform}",
    ]
    if platform in urls:
        display_handle = f"@{handle}@social.example" if platform == "mastodon" else handle
        lines.append(f'handle: "{display_handle}"')
    lines.append(f"url: {url}")
    languages = PROFILE_LANGUAGES[index % len(PROFILE_LANGUAGES)]
    if platform in TIGHT_PLATFORMS or status == "retired":
        languages = languages[:1]  # two languages do not fit a short bio with a long URL
    if languages != ("nb",):
        lines.append(f"languages: [{', '.join(languages)}]")
    if status != "active":
        lines.append(f"status: {status}")
    if status == "pilot":
        ends = today + dt.timedelta(days=90 + index % 200)
        lines.append(f'pilot_ends: "{ends.isoformat()}"')
    if status == "retired":
        successor = public[rng.randrange(len(public))][0]
        date = today - dt.timedelta(days=30 + index % 300)
        lines.append(f'retired: {{date: "{date.isoformat()}", successor: {successor}}}')
    lines.append("display_name: Fjordetaten " + region)
    purposes = (["broadcast"], ["broadcast", "take_part"], ["broadcast", "share"],
                ["broadcast", "listen", "take_part"])[index % 4]
    lines.append(f"purpose: [{', '.join(purposes)}]")
    lines.append(f"audience: {_local(AUDIENCES[rng.randrange(len(AUDIENCES))])}")
    topics = rng.sample(TOPICS, rng.randrange(0, 4))
    if topics:
        lines.append("topics:")
        lines.extend(f"  - {_local(topic)}" for topic in topics)
    lines.append("run_by: " + _local((f"{unit[1]} i region {region}",
                                      f"{unit[2]} i region {region}",
                                      f"{unit[3]} in region {region}")))
    if index % 3 == 0:
        lines.append(f"activity: {{posts: {1 + index % 5}, per: {('day', 'week')[index % 2]}}}")
    else:
        low = index % 4
        lines.append(f"activity: {{min: {low}, max: {low + 2 + index % 3}, "
                     f"per: {('week', 'month')[index % 2]}}}")
    broadcast_only = index % 11 == 3 and public and "take_part" not in purposes \
        and "listen" not in purposes
    if broadcast_only:
        target = public[rng.randrange(len(public))][0]
        lines += ["response:", "  answers: false", f"  go_to: {target}"]
        lines.append("comments: closed")
    elif index % 5 == 1:
        within = 1 + index % 8
        lines += ["response:", f"  time: {{within: {within}, unit: hours}}", "  hours:",
                  f"    days: [{', '.join(DAYS_ALL[: 5 + index % 3])}]",
                  f'    opens: "0{6 + index % 3}:00"', '    closes: "21:00"',
                  f"    public_holidays: {('closed', 'reduced', 'open')[index % 3]}"]
        lines.append(f"comments: {('open', 'premoderated')[index % 2]}")
    elif index % 7 == 2:
        lines.append(f"comments: {('premoderated', 'open')[index % 2]}")
    if index % 13 == 4:
        rule = CUSTOM_RULES[index % len(CUSTOM_RULES)]
        lines += ["moderation:", "  custom:",
                  f"    - {{id: {rule[0]}, text: {_local(rule[1:])}}}"]
    if index % 17 == 6:
        lines.append("political_neutrality: false")
    if platform == "mastodon" and index % 2:
        lines.append("limits: {bio: 500}")
    lines.append(f"owner: Fjordetaten {region}, {unit[0]}")
    reviewed = today - dt.timedelta(days=index % 200)
    lines.append(f'last_reviewed: "{reviewed.isoformat()}"')
    if index % 9 == 0:
        lines.append(f"notes: Kontaktperson i {unit[0]}; se intranettet for vaktlister.")
    return channel_id, "\n".join(lines) + "\n", status


def generate(root: Path, n: int, *, seed: int = 7, today: dt.date | None = None) -> Path:
    """Write a project with ``n`` channels under ``root`` (emptied first); return ``root``.

    Dates count from the checks' own today (``SOURCE_DATE_EPOCH`` when set), so a check
    run at any date finds the reviews recent.
    """
    from generator.checks import today as checks_today

    today = today or checks_today()
    if root.exists():
        shutil.rmtree(root)
    channels = root / "profiles" / "channels"
    channels.mkdir(parents=True)
    (root / "kanalprofil.yml").write_text(PROJECT_FILE, encoding="utf-8")
    shutil.copy(example_profiles_dir() / "organisation.yml",
                root / "profiles" / "organisation.yml")
    platforms = platform_ids()
    rng = random.Random(seed)
    public: list[tuple[str, str]] = []
    for index in range(n):
        platform = platforms[index % len(platforms)]
        channel_id, text, status = channel_yaml(index, platform, rng, today, public)
        (channels / f"{channel_id}.yml").write_text(text, encoding="utf-8")
        if status in ("active", "pilot"):
            public.append((channel_id, platform))
    return root


def touch_one_channel(root: Path, n: int, variant: int = 0) -> Path:
    """Change one channel's audience (a realistic edit); return the file changed.

    Each ``variant`` edits another channel, so repeated runs each have a change to build.
    """
    files = sorted((root / "profiles" / "channels").glob("*.yml"))
    path = files[(n // 2 + variant) % len(files)]
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line.startswith("audience:"):
            lines[number] = ("audience: {nb: alle som er glade i fyrene langs kysten, "
                             "nn: alle som er glade i fyra langs kysten, "
                             "en: everyone who loves the lighthouses along the coast}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
