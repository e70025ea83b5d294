"""What templates see: one language's view of the organisation and a channel.

Values are resolved to the language at hand (no ``name[lang]`` in templates) and
formatted through CLDR where a format exists, so templates hold the prose and nothing
else. Internal fields (owner, review dates, notes) are left out of the public view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.catalogue import Platform
from generator.localise import Localiser
from generator.model import Channel, Organisation


def _pick(value: Mapping[str, str] | None, lang: str) -> str | None:
    return None if value is None else value.get(lang)


def organisation_view(org: Organisation, lang: str) -> dict[str, Any]:
    contact = org.contact
    return {
        "name": org.name[lang],
        "short_name": _pick(org.short_name, lang) or org.name[lang],
        "website": org.website[lang],
        "statement_url": org.statement_url[lang],
        "contact": {
            "page": contact.page[lang],
            "phone": contact.phone,
            "secure_message": _pick(contact.secure_message, lang),
            "email": contact.email,
        },
        "casework": org.casework,
        "personal_data": org.personal_data,
        "records": org.records,
        "languages": list(org.languages),
    }


def channel_view(channel: Channel, platform: Platform, lang: str, loc: Localiser,
                 channels: Mapping[str, Channel],
                 platforms: Mapping[str, Platform]) -> dict[str, Any]:
    """The public facts of a channel in one language."""
    words = loc.words
    response = channel.response
    hours = response.hours
    moderation = channel.moderation
    rules = [str(words["rules"][rule]) for rule in moderation.rules]
    rules += [rule.text[lang] for rule in moderation.custom]

    def link(channel_id: str | None) -> dict[str, str] | None:
        other = channels.get(channel_id) if channel_id else None
        if other is None:
            return None
        other_platform = platforms[other.platform]
        return {"id": other.id, "platform": platform_name(other_platform, words),
                "url": other.url, "handle": other.handle or ""}

    return {
        "id": channel.id,
        "platform": platform_name(platform, words),
        "platform_id": platform.id,
        "kind": platform.kind,
        "handle": channel.handle or "",
        "url": channel.url,
        "status": channel.status,
        "pilot_ends": loc.date(channel.pilot_ends) if channel.pilot_ends else None,
        "retired": None if channel.retired is None else {
            "date": loc.date(channel.retired.date),
            "successor": link(channel.retired.successor),
        },
        "display_name": _pick(channel.display_name, lang),
        "purpose": list(channel.purpose),
        "dialogue": channel.dialogue,
        "audience": _pick(channel.audience, lang),
        "topics": [topic[lang] for topic in channel.topics],
        "run_by": _pick(channel.run_by, lang),
        "activity": None if channel.activity is None else {
            "posts": channel.activity.posts,
            "min": channel.activity.min,
            "max": channel.activity.max,
            "per": channel.activity.per,
        },
        "response": {
            "answers": response.answers,
            "within": loc.duration(response.time.within, response.time.unit)
            if response.time else None,
            "unit": response.time.unit if response.time else None,
            "hours": None if hours is None else {
                "days": loc.days(hours.days),
                "weekdays_only": set(hours.days) <= {"mon", "tue", "wed", "thu", "fri"},
                "opens": loc.time(hours.opens),
                "closes": loc.time(hours.closes),
                "timezone": hours.timezone,
                "public_holidays": hours.public_holidays,
            },
            "messages": response.messages,
            "go_to": link(response.go_to),
        },
        "comments": channel.comments,
        "user_content": accepts_user_content(channel),
        "moderation": {
            "rules": rules,
            "actions": list(moderation.actions),
            "warning": moderation.warning,
            "covers_messages": moderation.covers_messages,
        },
        "criticism_welcome": channel.criticism_welcome,
        "disclaimers": [str(words["disclaimers"][d]).replace("{platform}", platform_name(
            platform, words)) for d in channel.disclaimers
            if not (d == "third_party_platform" and platform.id in (words.get("platforms") or {}))],
        "political_neutrality": channel.political_neutrality,
        "crisis": None if channel.crisis is None else {
            "emergency_number": channel.crisis.emergency_number,
            "updates": _pick(channel.crisis.updates, lang),
        },
    }


def platform_name(platform: Platform, words: Mapping[str, Any]) -> str:
    """A platform's name in the language (own blog, forum), else its brand name."""
    names = words.get("platforms") or {}
    return str(names.get(platform.id, platform.name))


#: Platforms that are the organisation's own site: no third party runs them.
OWN = ("blog", "forum", "wiki")


def accepts_user_content(channel: Channel) -> bool:
    """Whether users can post anything we would moderate: comments, or answered messages."""
    response = channel.response
    return channel.comments != "closed" or (response.answers and response.messages)


def implied_commitments(channel: Channel, org: Organisation) -> set[str]:
    """What the full statement must carry, given the data; tests hold templates to it."""
    implied = {"purpose", "contact_route", "statement_scope"}
    response = channel.response
    if channel.status == "retired":
        return {"retired", "contact_route"}
    if channel.activity:
        implied.add("activity")
    if response.answers:
        implied.add("answer_promise")
        if response.time:
            implied.add("response_time")
        if response.hours:
            implied.add("hours")
    else:
        implied.add("no_answer")
    if (channel.moderation.rules or channel.moderation.custom) \
            and accepts_user_content(channel):
        implied |= {"moderation", "consequences"}
        if channel.moderation.warning:
            implied.add("warning")
        if channel.moderation.covers_messages:
            implied.add("direct_messages")
    if channel.comments != "open":
        implied.add("comments")
    if org.casework:
        implied.add("casework")
    if org.personal_data:
        implied.add("personal_data")
    if org.records:
        implied.add("records")
    if channel.criticism_welcome:
        implied.add("criticism_welcome")
    if channel.political_neutrality:
        implied.add("political_neutrality")
    if channel.crisis:
        implied.add("crisis")
    if [d for d in channel.disclaimers if d != "third_party_platform"] or (
            "third_party_platform" in channel.disclaimers and channel.platform not in OWN):
        implied.add("disclaimers")
    if channel.run_by:
        implied.add("run_by")
    if channel.audience:
        implied.add("audience")
    if channel.topics:
        implied.add("topics")
    if channel.status == "pilot":
        implied.add("pilot")
    return implied
