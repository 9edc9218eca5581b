"""The export a subscriber gets: one JSON document, and the same records as one CSV file.

Every stored column of every row about them is in it, by its own name, so a column added to
the schema later is exported without anyone remembering to. Left out: our internal row
numbers of the subscriber and their foreign keys (the export is about one person), and the
delivery leases (which of our workers was sending, and until when).

On top of the stored columns, each record says what it refers to in the person's language:
the tip's title, the label of the answer they chose, the wellbeing question; and `current`
marks the answer that counts when a button was pressed more than once (the rest is history).

The CSV is for spreadsheets: one file, one row per record, its kind in the first column
(`setting`, `delivery`, `answer`, `wellbeing_score`, `note`, `topic_stats`); a column a kind
does not use is empty. Settings are rows of `name` and `value`. UTF-8 with a byte-order mark,
so spreadsheet programs read accents right; times are UTC in ISO 8601, as in the JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlalchemy import inspect

from nudgebot.content.library import ContentLibrary
from nudgebot.db.models import Answer, Base, Delivery, DeliveryKind
from nudgebot.db.repositories import PersonalRows

FORMAT_VERSION = 1
# Columns that are ours, not theirs (see the module docstring).
_NOT_EXPORTED = frozenset({"subscriber_id", "lease_owner", "lease_until"})
# The sections of the document that are lists of records, and each one's name in the CSV.
RECORD_KINDS = {
    "deliveries": "delivery",
    "answers": "answer",
    "wellbeing_scores": "wellbeing_score",
    "notes": "note",
    "topic_stats": "topic_stats",
}

Record = dict[str, Any]


@dataclass(frozen=True)
class Export:
    """A subscriber's data as a JSON-ready document, in the language they use."""

    language: str
    document: Record

    def json_bytes(self) -> bytes:
        """The document as UTF-8 JSON, indented for reading."""
        return json.dumps(self.document, ensure_ascii=False, indent=2).encode()

    def csv_bytes(self) -> bytes:
        """Every setting and record of the document as one CSV table."""
        rows: list[Record] = [
            {"record": "setting", "name": name, "value": value}
            for name, value in self.document["subscriber"].items()
        ]
        for section, kind in RECORD_KINDS.items():
            rows.extend({"record": kind, **record} for record in self.document[section])
        columns = list(dict.fromkeys(column for row in rows for column in row))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: _cell(value) for column, value in row.items()})
        return buffer.getvalue().encode("utf-8-sig")


def export_document(rows: PersonalRows, library: ContentLibrary, now: datetime) -> Export:
    """Everything in `rows` as one document, described in the subscriber's language."""
    language = rows.subscriber.language
    describe = _Describer(library, language)
    tips = {delivery.id: delivery.tip_id for delivery in rows.deliveries}
    days = {delivery.id: delivery.local_date for delivery in rows.deliveries}
    tip_answers = [answer for answer in rows.answers if answer.question_id is None]
    scores = [answer for answer in rows.answers if answer.question_id is not None]
    current = _current(tip_answers, lambda a: (a.delivery_id,)) | _current(
        scores, lambda a: (a.delivery_id, a.question_id)
    )
    current_by_delivery: dict[int, list[Answer]] = defaultdict(list)
    for answer in rows.answers:
        if answer.id in current:
            current_by_delivery[answer.delivery_id].append(answer)
    document: Record = {
        "export": {
            "format": "nudgebot-export",
            "version": FORMAT_VERSION,
            "exported_at": _plain(now),
            "language": language,
        },
        "subscriber": _columns(rows.subscriber, hidden={"id"}),
        "deliveries": [
            {**_columns(d), **describe.delivery(d, current_by_delivery[d.id])}
            for d in rows.deliveries
        ],
        "answers": [
            {
                **_columns(a),
                **describe.answer(a, tips.get(a.delivery_id)),
                "current": a.id in current,
            }
            for a in tip_answers
        ],
        "wellbeing_scores": [
            {
                **_columns(a),
                "local_date": _plain(days.get(a.delivery_id)),
                **describe.score(a),
                "current": a.id in current,
            }
            for a in scores
        ],
        "notes": [_columns(note) for note in rows.notes],
        "topic_stats": [
            {**_columns(stats), "topic_title": describe.topic(stats.topic)}
            for stats in rows.topic_stats
        ],
    }
    return Export(language, document)


class _Describer:
    """What a stored id means, in the subscriber's language (None for retired content)."""

    def __init__(self, library: ContentLibrary, language: str) -> None:
        self._library = library
        self._language = language

    def topic(self, topic_id: str) -> str | None:
        topic = self._library.topics.get(topic_id)
        return self._library.text(topic.title, self._language) if topic else None

    def delivery(self, delivery: Delivery, answers: Sequence[Answer]) -> Record:
        """The tip's title and topic, and the current `answers` to it, as words."""
        tip = self._library.tips.get(delivery.tip_id) if delivery.tip_id else None
        if delivery.kind is DeliveryKind.WELLBEING:
            answer = "; ".join(f"{a.question_id}={a.score}" for a in answers) or None
        else:
            answer = self.answer(answers[0], delivery.tip_id)["answer"] if answers else None
        return {
            "title": self._library.text(tip.title, self._language) if tip else None,
            "topic": tip.topic if tip else None,
            "answer": answer,
        }

    def answer(self, answer: Answer, tip_id: str | None) -> Record:
        """The tip it answers and the chosen button's label (its id if the option is gone)."""
        tip = self._library.tips.get(tip_id) if tip_id else None
        label: str = answer.option_id
        if tip is not None:
            for option in self._library.checkin_for(tip).options:
                if option.id == answer.option_id:
                    label = self._library.text(option.label, self._language)
        return {
            "tip_id": tip_id,
            "title": self._library.text(tip.title, self._language) if tip else None,
            "answer": label,
        }

    def score(self, answer: Answer) -> Record:
        """The wellbeing question as asked, and the words of the chosen score."""
        question = self._library.wellbeing.get(answer.question_id or "")
        if question is None:
            return {"question": None, "answer": None}
        label = question.labels.get(answer.score) if answer.score is not None else None
        return {
            "question": self._library.text(question.question, self._language),
            "answer": self._library.text(label, self._language) if label else None,
        }


def _current(answers: Iterable[Answer], key: Callable[[Answer], tuple[object, ...]]) -> set[int]:
    """The ids of the answers that count: the latest per `key` (answers come oldest first)."""
    latest: dict[tuple[object, ...], int] = {}
    for answer in answers:
        latest[key(answer)] = answer.id
    return set(latest.values())


def _columns(row: Base, hidden: Iterable[str] = ()) -> Record:
    """Every stored column of `row` by name, as JSON values, except ours."""
    left_out = _NOT_EXPORTED | set(hidden)
    return {
        attribute.key: _plain(getattr(row, attribute.key))
        for attribute in inspect(type(row)).column_attrs
        if attribute.key not in left_out
    }


def _plain(value: Any) -> Any:
    """A stored value as JSON: times in ISO 8601 (UTC), enums by their value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _cell(value: Any) -> str:
    """A JSON value as a spreadsheet cell: lists joined, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(_cell(item) for item in value)
    return str(value)
