"""The profile data model: what an organisation and each of its channels commit to.

Each field carries its rule, its documentation and an example (see :mod:`generator.schema`),
so the checks, the JSON Schema and the reference in the docs never drift apart. The
commitment kinds follow the survey of 35 public bodies' statements and the Norwegian
government's guide to social media (activity, response, tolerance limit, no casework, no
personal data, answer even if not at once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.schema import (
    Bool,
    Choice,
    Context,
    Date,
    DictOf,
    Int,
    Language,
    ListOf,
    Localised,
    Phone,
    Record,
    Slug,
    Str,
    Time,
    Url,
    spec_field,
)
from generator.yamlload import LocatedDict

LocalText = Mapping[str, str]

PURPOSES = ("broadcast", "listen", "share", "take_part")
STATUSES = ("active", "pilot", "planned", "retired")
PUBLIC_STATUSES = ("active", "pilot")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RESPONSE_UNITS = ("hours", "days", "business_days")
ACTIVITY_PERIODS = ("day", "week", "month")
COMMENT_MODES = ("open", "premoderated", "closed")
HOLIDAY_MODES = ("closed", "reduced", "open")
#: Notes that some public bodies add at the end of a statement (statements survey).
DISCLAIMERS = ("user_responsibility", "no_endorsement", "third_party_platform",
               "rules_may_change", "corrections")
ACTIONS = ("hide", "delete", "block", "report_platform", "report_police")

#: The built-in moderation rules. Their wording per language lives in each language's
#: ``language.yml``, so a language is added without Python. Ids follow the removal
#: categories that public bodies' statements use most (statements survey).
RULE_IDS = (
    "harassment",
    "hate_speech",
    "threats",
    "swearing",
    "spam",
    "advertising",
    "off_topic",
    "illegal_content",
    "personal_data",
    "defamation",
    "misinformation",
    "impersonation",
    "copyright",
    "naming_staff",
    "sexual_content",
    "party_political",
)


@dataclass(frozen=True, kw_only=True)
class Contact:
    page: LocalText = spec_field(
        Localised(Url(), same_for_all=True),
        "The contact page for questions, casework and personal matters.",
        example="https://www.example.no/kontakt")
    phone: str | None = spec_field(Phone(), "Switchboard or service phone number.",
                                   default=None, example='"+47 22 00 00 00"')
    secure_message: LocalText | None = spec_field(
        Localised(Url(), same_for_all=True),
        "Where to send a secure digital message about a personal matter.",
        default=None, example="https://www.example.no/skriv-til-oss")
    email: str | None = spec_field(
        Str(pattern=r"[^@\s]+@[^@\s]+\.[a-z]{2,}", pattern_hint="write an e-mail address"),
        "General e-mail address (never for personal data).", default=None,
        example="post@example.no")


@dataclass(frozen=True, kw_only=True)
class Activity:
    posts: int | None = spec_field(Int(minimum=1, maximum=100),
                                   "How many posts per period, when it is steady.",
                                   default=None, example=3)
    min: int | None = spec_field(Int(minimum=0, maximum=100),
                                 "The fewest posts per period, for a range.",
                                 default=None, example=2)
    max: int | None = spec_field(Int(minimum=1, maximum=100),
                                 "The most posts per period, for a range.",
                                 default=None, example=4)
    per: str = spec_field(Choice(ACTIVITY_PERIODS), "The period.", example="week")


def _check_activity(value: Activity, raw: LocatedDict, ctx: Context) -> None:
    ranged = value.min is not None or value.max is not None
    if value.posts is None and not (value.min is not None and value.max is not None):
        ctx.problems.error(raw.location, "activity needs 'posts', or both 'min' and 'max'",
                           "for example posts: 3 and per: week")
    elif value.posts is not None and ranged:
        ctx.problems.error(raw.location, "activity has both 'posts' and a range",
                           "keep either posts or min and max")
    elif value.min is not None and value.max is not None and value.min >= value.max:
        ctx.problems.error(raw.value_at("max"), "'max' must be larger than 'min'")


@dataclass(frozen=True, kw_only=True)
class ResponseTime:
    within: int = spec_field(Int(minimum=1, maximum=365), "How many units.", example=2)
    unit: str = spec_field(Choice(RESPONSE_UNITS), "hours, days or business_days.",
                           example="business_days")


@dataclass(frozen=True, kw_only=True)
class Hours:
    days: tuple[str, ...] = spec_field(ListOf(Choice(DAYS), min_items=1, unique=True),
                                       "The days the channel is followed.",
                                       example=["mon", "tue", "wed", "thu", "fri"])
    opens: dt.time = spec_field(Time(), "When we start (HH:MM, in quotes).", example='"08:00"')
    closes: dt.time = spec_field(Time(), "When we stop (HH:MM, in quotes).", example='"15:30"')
    timezone: str = spec_field(Str(), "The time zone of the hours (IANA name).",
                               default="Europe/Oslo", example="Europe/Oslo")
    public_holidays: str = spec_field(
        Choice(HOLIDAY_MODES), "How the channel is followed on public holidays.",
        default="closed", example="closed")


def _check_hours(value: Hours, raw: LocatedDict, ctx: Context) -> None:
    if value.closes <= value.opens:
        ctx.problems.error(raw.value_at("closes"), "'closes' must be later than 'opens'")


@dataclass(frozen=True, kw_only=True)
class Response:
    answers: bool = spec_field(
        Bool(), "false for a broadcast-only channel: we do not answer here.", default=True,
        example=True)
    time: ResponseTime | None = spec_field(
        Record(ResponseTime), "How soon we answer, within the hours.", default=None,
        example={"within": 2, "unit": "business_days"})
    hours: Hours | None = spec_field(
        Record(Hours, post_check=_check_hours), "When the channel is followed.",
        default=None)
    messages: bool = spec_field(Bool(), "Whether direct messages are answered too.",
                                default=True, example=True)
    go_to: str | None = spec_field(
        Slug(), "For a channel we do not answer on: the id of the channel to use instead "
        "(default: the contact page).", default=None, example="facebook")


@dataclass(frozen=True, kw_only=True)
class CustomRule:
    id: str = spec_field(Slug(), "An id for the rule (used in reports).", example="no-tickets")
    text: LocalText = spec_field(Localised(Str()),
                                 "What is removed, as a phrase per language.",
                                 example={"en": "ticket resale"})


@dataclass(frozen=True, kw_only=True)
class Moderation:
    rules: tuple[str, ...] = spec_field(
        ListOf(Choice(RULE_IDS), unique=True), "Built-in rules: what we remove.",
        factory=tuple, example=["harassment", "hate_speech", "spam"])
    custom: tuple[CustomRule, ...] = spec_field(
        ListOf(Record(CustomRule)), "Rules of your own, with text per language.",
        factory=tuple)
    actions: tuple[str, ...] = spec_field(
        ListOf(Choice(ACTIONS), unique=True, min_items=1),
        "What happens on a breach: hide, delete, block, report_platform, report_police.",
        default=("hide", "delete"), example=["hide", "delete", "block"])
    warning: bool = spec_field(Bool(), "Whether we warn before removing.", default=False,
                               example=True)
    covers_messages: bool = spec_field(
        Bool(), "Whether the rules also cover direct messages.", default=True, example=True)


@dataclass(frozen=True, kw_only=True)
class Crisis:
    emergency_number: str = spec_field(Phone(), "The number to call in an emergency.",
                                       default="112", example='"112"')
    updates: LocalText | None = spec_field(
        Localised(Url(), same_for_all=True), "Where we publish updates in a crisis.",
        default=None, example="https://www.example.no/krise")


@dataclass(frozen=True, kw_only=True)
class Retirement:
    date: dt.date = spec_field(Date(), "The day we stopped posting.", example="2025-06-30")
    successor: str | None = spec_field(Slug(), "The id of the channel to follow instead.",
                                       default=None, example="mastodon")


@dataclass(frozen=True, kw_only=True)
class ChannelSettings:
    """Everything an organisation may set once in ``defaults`` and a channel may override."""

    purpose: tuple[str, ...] = spec_field(
        ListOf(Choice(PURPOSES), unique=True, min_items=1),
        "What the channel is for: broadcast, listen, share, take_part (the guide's four).",
        default=("broadcast",), example=["broadcast", "take_part"])
    audience: LocalText | None = spec_field(
        Localised(Str()), "Who the channel is for, as a phrase per language.", default=None,
        example={"en": "jobseekers and employers"})
    topics: tuple[LocalText, ...] = spec_field(
        ListOf(Localised(Str())), "What we post about: phrases per language.",
        factory=tuple, example=[{"en": "digital services"}])
    run_by: LocalText | None = spec_field(
        Localised(Str()), "Who runs the account (published).", default=None,
        example={"en": "the communications team"})
    activity: Activity | None = spec_field(
        Record(Activity, post_check=_check_activity), "How often we post.", default=None,
        example={"posts": 3, "per": "week"})
    response: Response = spec_field(Record(Response), "Whether, when and how fast we answer.",
                                    factory=Response)
    comments: str = spec_field(
        Choice(COMMENT_MODES),
        "open, premoderated (checked before they are shown) or closed (messages only).",
        default="open", example="open")
    moderation: Moderation = spec_field(Record(Moderation), "What we remove and what then "
                                        "happens.", factory=Moderation)
    criticism_welcome: bool = spec_field(
        Bool(), "Say that criticism and disagreement are welcome (the guide: criticism is "
        "good).", default=True, example=True)
    political_neutrality: bool = spec_field(
        Bool(), "Say that the channel is politically neutral.", default=False, example=True)
    crisis: Crisis | None = spec_field(Record(Crisis), "What to do in an emergency.",
                                       default=None)
    disclaimers: tuple[str, ...] = spec_field(
        ListOf(Choice(DISCLAIMERS), unique=True),
        "Notes at the end of the statement: user_responsibility, no_endorsement, "
        "third_party_platform, rules_may_change, corrections.", factory=tuple,
        example=["user_responsibility", "rules_may_change"])


CHANNEL_SETTINGS = Record(ChannelSettings, partial=True)


@dataclass(frozen=True, kw_only=True)
class Channel(ChannelSettings):
    id: str = spec_field(Slug(), "The channel id: the file name without .yml (not a key).",
                         default="")
    platform: str = spec_field(Slug(), "A platform id from `kanalprofil platforms`.",
                               example="facebook")
    handle: str | None = spec_field(Str(max_length=253), "The account name on the platform.",
                                    default=None, example="@example")
    url: str = spec_field(Url(), "The channel's address.",
                          example="https://www.facebook.com/example")
    languages: tuple[str, ...] = spec_field(
        ListOf(Language(), unique=True, min_items=1),
        "The language(s) the profile is written in; two make a bilingual profile fitted as "
        "one text (default: the organisation's first language).", factory=tuple,
        example=["nb"])
    status: str = spec_field(Choice(STATUSES), "active, pilot, planned or retired.",
                             default="active", example="active")
    pilot_ends: dt.date | None = spec_field(Date(), "For a pilot: when the trial ends.",
                                            default=None, example="2027-03-31")
    retired: Retirement | None = spec_field(Record(Retirement),
                                            "For a retired channel: when, and where to go.",
                                            default=None)
    display_name: LocalText | None = spec_field(
        Localised(Str(), same_for_all=True),
        "The profile's name if not the organisation's.", default=None)
    limits: Mapping[str, int] = spec_field(
        DictOf(Slug(), Int(minimum=1)),
        "Override a slot's length limit (Mastodon instances set their own).", factory=dict,
        example={"bio": 1000})
    owner: LocalText | None = spec_field(
        Localised(Str(), same_for_all=True),
        "Who answers for the channel (internal, never published): one name, or one per "
        "language where the internal pages should say it differently.", default=None,
        example={"nb": "Kommunikasjonsavdelingen", "nn": "Kommunikasjonsavdelinga",
                 "en": "Communications department"}, internal=True)
    last_reviewed: dt.date | None = spec_field(Date(), "When the texts were last checked "
                                               "(internal).", default=None,
                                               example="2026-09-01", internal=True)
    notes: str | None = spec_field(Str(), "Anything for colleagues (internal).", default=None,
                                   internal=True)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def dialogue(self) -> bool:
        """Whether the channel promises conversation (the guide's listen and take part)."""
        return bool({"listen", "take_part"} & set(self.purpose))


def _check_channel(value: Channel, raw: LocatedDict, ctx: Context) -> None:
    if value.status == "retired" and value.retired is None:
        ctx.problems.error(raw.location, "a retired channel needs 'retired' with its date",
                           "add retired: {date: YYYY-MM-DD, successor: <channel id>}")
    if value.response.answers and value.response.go_to:
        ctx.problems.error(raw.value_at("response"), "'go_to' is only for channels that "
                           "do not answer", "set answers: false or remove go_to")


CHANNEL = Record(Channel, post_check=_check_channel, ignore=("$schema",))


@dataclass(frozen=True, kw_only=True)
class Guidelines:
    """Sections of the internal guidelines that only people can write, in Markdown.

    The rest of the guidelines (each channel's goal, audience, owner and routines, the
    rules, archiving, the guide's reminders) is generated from the profiles. A section
    left out here is left out of the document, unless the profiles give it content.
    """

    goal: LocalText | None = spec_field(
        Localised(Str()), "Why we use social media at all: the overall aim, in a few "
        "sentences (Markdown per language).", default=None,
        example={"en": "We use social media to reach people where they already are."})
    decisions: LocalText | None = spec_field(
        Localised(Str()), "Who decides which channels we use, and how a channel is started, "
        "evaluated and closed.", default=None,
        example={"en": "The communications director decides, after a trial."})
    moderation: LocalText | None = spec_field(
        Localised(Str()), "How we remove posts and log it: who may remove, where the log is "
        "kept.", default=None,
        example={"en": "Log each removal in the moderation log on the intranet."})
    records: LocalText | None = spec_field(
        Localised(Str()), "How messages are archived and recorded: who does it, and in which "
        "system.", default=None,
        example={"en": "Save messages that must be kept in the case system."})
    private_role: LocalText | None = spec_field(
        Localised(Str()), "The line between staff's private and professional use of social "
        "media.", default=None,
        example={"en": "On your own accounts, you speak for yourself."})
    tone: LocalText | None = spec_field(
        Localised(Str()), "Language, tone and etiquette.", default=None,
        example={"en": "Write plainly and kindly, as to one person."})
    working_hours: LocalText | None = spec_field(
        Localised(Str()), "Social media during working hours, and who covers evenings, "
        "weekends and holidays.", default=None,
        example={"en": "The duty officer follows Mastodon outside office hours."})


@dataclass(frozen=True, kw_only=True)
class Organisation:
    name: LocalText = spec_field(Localised(Str(), same_for_all=True),
                                 "The organisation's name per language.",
                                 example={"nb": "Eksempeletaten"})
    short_name: LocalText | None = spec_field(
        Localised(Str(), same_for_all=True),
        "A short form (an acronym) for tight slots.", default=None, example="EKS")
    website: LocalText = spec_field(Localised(Url(), same_for_all=True),
                                    "The main website.", example="https://www.example.no")
    languages: tuple[str, ...] = spec_field(
        ListOf(Language(), unique=True, min_items=1),
        "The languages the organisation publishes in; the first is the primary one.",
        example=["nb", "nn", "en"])
    statement_url: LocalText = spec_field(
        Localised(Url(), same_for_all=True),
        "Where the full statement is published, per language; short bios link to it.",
        example={"nb": "https://www.example.no/sosiale-medier"})
    contact: Contact = spec_field(Record(Contact), "Where casework and personal matters go.")
    casework: bool = spec_field(Bool(), "Say that we do no casework in social media.",
                                default=True, example=True)
    personal_data: bool = spec_field(
        Bool(), "Ask users not to share personal data in social media.", default=True,
        example=True)
    records: bool = spec_field(
        Bool(), "Say that messages may be kept as records and may be open to public access.",
        default=True, example=True)
    guidelines: Guidelines | None = spec_field(
        Record(Guidelines), "The sections of the internal guidelines "
        "(output/internal/<lang>/guidelines.md) that only people can write (internal, never "
        "published).", default=None, internal=True)
    defaults: Mapping[str, Any] = spec_field(
        CHANNEL_SETTINGS, "Channel settings for every channel; a channel overrides them key by "
        "key.", factory=dict)


ORGANISATION = Record(Organisation, ignore=("$schema",))
