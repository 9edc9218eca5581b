"""A subscriber's own data: the export of everything stored, and deletion of all of it."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from nudgebot.content import ContentStore
from nudgebot.db import (
    Answer,
    Base,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Subscriber,
    SubscriberStatus,
    create_session_factory,
)
from nudgebot.db.models import Note, TopicStats
from nudgebot.services.personal_data import (
    CONFIRMATION_WINDOW,
    DeletionOutcome,
    PersonalDataService,
)

NOW = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)
ADA = 1001
BEN = 1002
TIP = "sleep-screens-off"
# When the seeded subscribers joined.
JOINED = datetime(2026, 6, 1, 6, 59, tzinfo=UTC)


@pytest.fixture
def personal_data(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> PersonalDataService:
    """The service under test, on the test's database."""
    return PersonalDataService(sessions, content)


async def seed_history(
    sessions: async_sessionmaker[AsyncSession], chat_id: int, language: str = "en"
) -> int:
    """A subscriber with two days of history in every table; returns their row id.

    Day one: a tip answered "Did it", then changed to "Later", with a note on it. Day two: a
    wellbeing check-in whose mood was 2, then 4, and gut comfort 3; and a /note of the day.
    """
    day_one = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    day_two = datetime(2026, 6, 2, 17, 30, tzinfo=UTC)
    async with sessions.begin() as session:
        subscriber = Subscriber(
            chat_id=chat_id,
            language=language,
            timezone="Europe/Berlin",
            nudge_times=["09:00"],
            day_start=time(0, 0),
            topics=["sleep", "stress"],
            status=SubscriberStatus.ACTIVE,
            next_due_at=NOW + timedelta(hours=1),
            created_at=JOINED,
            updated_at=day_two,
        )
        session.add(subscriber)
        await session.flush()
        tip = _delivery(subscriber.id, DeliveryKind.TIP, day_one, TIP, outcome="later")
        wellbeing = _delivery(subscriber.id, DeliveryKind.WELLBEING, day_two, None, "score")
        session.add_all([tip, wellbeing])
        await session.flush()
        session.add_all(
            [
                _answer(subscriber.id, tip.id, "done", "done", day_one + timedelta(minutes=5)),
                _answer(subscriber.id, tip.id, "later", "later", day_one + timedelta(minutes=6)),
                _score(subscriber.id, wellbeing.id, "mood", 2, day_two + timedelta(minutes=1)),
                _score(subscriber.id, wellbeing.id, "gut_comfort", 3, day_two),
                _score(subscriber.id, wellbeing.id, "mood", 4, day_two + timedelta(minutes=2)),
                Note(
                    subscriber_id=subscriber.id,
                    delivery_id=tip.id,
                    text="phone stayed in the kitchen",
                    created_at=day_one + timedelta(minutes=7),
                ),
                Note(subscriber_id=subscriber.id, text="slept well", created_at=day_two),
                TopicStats(
                    subscriber_id=subscriber.id,
                    topic="sleep",
                    successes=0.0,
                    failures=1.0,
                    last_sent_on=date(2026, 6, 1),
                    done_streak=0,
                ),
            ]
        )
        return subscriber.id


def _delivery(
    subscriber_id: int, kind: DeliveryKind, at: datetime, tip_id: str | None, outcome: str
) -> Delivery:
    return Delivery(
        subscriber_id=subscriber_id,
        local_date=at.date(),
        slot=kind.value,
        kind=kind,
        state=DeliveryState.SENT,
        tip_id=tip_id,
        policy="adaptive" if tip_id else None,
        propensity=0.25 if tip_id else None,
        outcome=outcome,
        due_at=at,
        lease_owner="worker-host:123:abc",
        lease_until=at + timedelta(minutes=1),
        attempts=1,
        telegram_message_id=7,
        sent_at=at,
        created_at=at,
    )


def _answer(
    subscriber_id: int, delivery_id: int, option: str, outcome: str, at: datetime
) -> Answer:
    return Answer(
        delivery_id=delivery_id,
        subscriber_id=subscriber_id,
        option_id=option,
        outcome=outcome,
        answered_at=at,
    )


def _score(
    subscriber_id: int, delivery_id: int, question: str, score: int, at: datetime
) -> Answer:
    return Answer(
        delivery_id=delivery_id,
        subscriber_id=subscriber_id,
        option_id=f"{question}={score}",
        outcome="score",
        question_id=question,
        score=score,
        answered_at=at,
    )


async def rows_about(
    sessions: async_sessionmaker[AsyncSession], chat_id: int, subscriber_id: int
) -> dict[str, int]:
    """How many rows each table holds about one subscriber, read straight from the database.

    Every table with a `subscriber_id` column counts, so a table added later is checked too.
    """
    counts: dict[str, int] = {}
    async with sessions() as session:
        subscribers = Subscriber.__table__
        counts["subscribers"] = (
            await session.scalar(select(func.count()).where(subscribers.c.chat_id == chat_id)) or 0
        )
        for table in Base.metadata.sorted_tables:
            if "subscriber_id" in table.c:
                counts[table.name] = (
                    await session.scalar(
                        select(func.count()).where(table.c.subscriber_id == subscriber_id)
                    )
                    or 0
                )
    return counts


async def test_export_holds_settings_deliveries_answers_scores_notes_and_topic_stats(
    sessions: async_sessionmaker[AsyncSession], personal_data: PersonalDataService
) -> None:
    """The export has every kind of row stored about the subscriber, and only theirs."""
    await seed_history(sessions, ADA)
    await seed_history(sessions, BEN)

    export = await personal_data.export(ADA, NOW)

    assert export is not None
    document = export.document
    assert document["export"]["exported_at"] == NOW.isoformat()
    assert document["subscriber"]["chat_id"] == ADA
    assert document["subscriber"]["topics"] == ["sleep", "stress"]
    assert document["subscriber"]["day_start"] == "00:00"
    assert [d["kind"] for d in document["deliveries"]] == ["tip", "wellbeing"]
    tip = document["deliveries"][0]
    assert (tip["tip_id"], tip["title"], tip["topic"]) == (
        TIP,
        "Screens off, lights down",
        "sleep",
    )
    assert (tip["state"], tip["policy"], tip["propensity"]) == ("sent", "adaptive", 0.25)
    assert tip["sent_at"] == "2026-06-01T07:00:00+00:00"
    assert [a["option_id"] for a in document["answers"]] == ["done", "later"]
    assert [(s["question_id"], s["score"]) for s in document["wellbeing_scores"]] == [
        ("gut_comfort", 3),
        ("mood", 2),
        ("mood", 4),
    ]
    assert [n["text"] for n in document["notes"]] == ["phone stayed in the kitchen", "slept well"]
    assert document["topic_stats"] == [
        {
            "topic": "sleep",
            "successes": 0.0,
            "failures": 1.0,
            "last_sent_on": "2026-06-01",
            "done_streak": 0,
            "topic_title": "Sleep",
        }
    ]


async def test_export_marks_the_answer_that_counts_and_keeps_the_history(
    sessions: async_sessionmaker[AsyncSession], personal_data: PersonalDataService
) -> None:
    """Every press is exported; `current` marks the latest per check-in (or per question)."""
    await seed_history(sessions, ADA)

    export = await personal_data.export(ADA, NOW)

    assert export is not None
    document = export.document
    assert [(a["answer"], a["current"]) for a in document["answers"]] == [
        ("Did it", False),
        ("Later", True),
    ]
    assert [
        (s["question_id"], s["score"], s["current"]) for s in document["wellbeing_scores"]
    ] == [
        ("gut_comfort", 3, True),
        ("mood", 2, False),
        ("mood", 4, True),
    ]
    assert [d["answer"] for d in document["deliveries"]] == ["Later", "gut_comfort=3; mood=4"]


async def test_export_speaks_the_subscribers_language(
    sessions: async_sessionmaker[AsyncSession], personal_data: PersonalDataService
) -> None:
    """Tip titles, answer labels and wellbeing questions come in the subscriber's language."""
    await seed_history(sessions, ADA, language="es")

    export = await personal_data.export(ADA, NOW)

    assert export is not None
    document = export.document
    assert export.language == "es"
    assert document["deliveries"][0]["title"] == "Pantallas fuera, luces bajas"
    assert document["answers"][1]["answer"] == "Luego"
    mood = document["wellbeing_scores"][2]
    assert (mood["question"], mood["answer"]) == ("¿Cómo está tu ánimo hoy?", "Bueno")


async def test_export_has_every_stored_column_but_internal_keys_and_leases(
    sessions: async_sessionmaker[AsyncSession], personal_data: PersonalDataService
) -> None:
    """A column added to any table is exported by itself; only our own bookkeeping is not."""
    await seed_history(sessions, ADA)
    ours = {"id", "subscriber_id", "lease_owner", "lease_until"}

    export = await personal_data.export(ADA, NOW)

    assert export is not None
    document = export.document
    expected = {
        "subscriber": (Subscriber, document["subscriber"], ours - {"subscriber_id"}),
        "deliveries": (Delivery, document["deliveries"][0], ours - {"id"}),
        "answers": (Answer, document["answers"][0], ours - {"id"}),
        "notes": (Note, document["notes"][0], ours - {"id"}),
        "topic_stats": (TopicStats, document["topic_stats"][0], ours),
    }
    for section, (model, record, left_out) in expected.items():
        columns = {attribute.key for attribute in inspect(model).column_attrs}
        assert columns - left_out <= set(record), section
        assert not left_out & set(record), section


async def test_export_json_and_csv_parse_and_hold_the_same_records(
    sessions: async_sessionmaker[AsyncSession], personal_data: PersonalDataService
) -> None:
    """The JSON parses back to the document; the CSV has a row per setting and per record."""
    await seed_history(sessions, ADA, language="es")

    export = await personal_data.export(ADA, NOW)

    assert export is not None
    assert json.loads(export.json_bytes()) == export.document
    raw = export.csv_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark spreadsheets look for
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert next(iter(table[0])) == "record"
    kinds = Counter(row["record"] for row in table)
    assert kinds == {
        "setting": len(export.document["subscriber"]),
        "delivery": 2,
        "answer": 2,
        "wellbeing_score": 3,
        "note": 2,
        "topic_stats": 1,
    }
    tip = next(row for row in table if row["record"] == "delivery")
    assert (tip["title"], tip["answer"], tip["state"]) == (
        "Pantallas fuera, luces bajas",
        "Luego",
        "sent",
    )
    topics = next(row for row in table if row["name"] == "topics")
    assert topics["value"] == "sleep; stress"
    assert {row["current"] for row in table if row["record"] == "answer"} == {"true", "false"}


async def test_nothing_to_export_for_an_unknown_chat(personal_data: PersonalDataService) -> None:
    """A chat that never subscribed has no export."""
    assert await personal_data.export(ADA, NOW) is None


async def test_asking_to_delete_deletes_nothing(
    sessions: async_sessionmaker[AsyncSession], personal_data: PersonalDataService
) -> None:
    """/delete_me's question only stamps the request; every row is still there."""
    subscriber_id = await seed_history(sessions, ADA, language="es")
    before = await rows_about(sessions, ADA, subscriber_id)

    request = await personal_data.request_deletion(ADA, NOW)

    assert request is not None
    assert (request.language, request.requested_at) == ("es", NOW)
    assert await rows_about(sessions, ADA, subscriber_id) == before


async def test_asking_to_delete_with_nothing_stored_says_so(
    personal_data: PersonalDataService,
) -> None:
    """Someone the bot knows nothing about has nothing to delete."""
    assert await personal_data.request_deletion(ADA, NOW) is None


async def test_confirmed_deletion_removes_every_row_about_them_and_no_one_elses(
    sessions: async_sessionmaker[AsyncSession], personal_data: PersonalDataService
) -> None:
    """After confirming, no table holds a row about the subscriber; others keep all theirs."""
    ada = await seed_history(sessions, ADA)
    ben = await seed_history(sessions, BEN)
    bens_rows = await rows_about(sessions, BEN, ben)

    result = await personal_data.confirm_deletion(ADA, NOW, NOW + timedelta(minutes=1))

    assert (result.outcome, result.language) == (DeletionOutcome.DELETED, "en")
    adas_rows = await rows_about(sessions, ADA, ada)
    assert set(adas_rows) >= {"subscribers", "deliveries", "answers", "notes", "topic_stats"}
    assert set(adas_rows.values()) == {0}
    assert await rows_about(sessions, BEN, ben) == bens_rows
    assert bens_rows["answers"] == 5


async def test_delete_removes_everything_and_reports_whether_anything_was_there(
    sessions: async_sessionmaker[AsyncSession], personal_data: PersonalDataService
) -> None:
    """delete() empties every table of the subscriber's rows, and a second call finds nothing."""
    ada = await seed_history(sessions, ADA)

    first = await personal_data.delete(ADA, NOW)
    second = await personal_data.delete(ADA, NOW)

    assert (first, second) == (True, False)
    assert set((await rows_about(sessions, ADA, ada)).values()) == {0}


async def test_a_second_confirmation_finds_nothing_to_delete(
    sessions: async_sessionmaker[AsyncSession], personal_data: PersonalDataService
) -> None:
    """Pressing "Delete everything" twice deletes once; the second press hears nothing is left."""
    await seed_history(sessions, ADA)
    await personal_data.confirm_deletion(ADA, NOW, NOW)

    again = await personal_data.confirm_deletion(ADA, NOW, NOW)

    assert (again.outcome, again.language) == (DeletionOutcome.NOTHING_STORED, None)


@pytest.mark.parametrize(
    ("asked_at", "now"),
    [
        # Left too long.
        (NOW - CONFIRMATION_WINDOW - timedelta(seconds=1), NOW),
        # From the future: not a question the bot asked.
        (NOW + timedelta(minutes=5), NOW),
        # Fresh, but asked before this subscription began (deleted, then /start again).
        (JOINED - timedelta(minutes=1), JOINED + timedelta(minutes=1)),
    ],
    ids=["too-old", "future", "before-subscribing"],
)
async def test_an_out_of_date_confirmation_deletes_nothing(
    sessions: async_sessionmaker[AsyncSession],
    personal_data: PersonalDataService,
    asked_at: datetime,
    now: datetime,
) -> None:
    """A confirmation past its window, or not matching this subscription, changes nothing."""
    subscriber_id = await seed_history(sessions, ADA)
    before = await rows_about(sessions, ADA, subscriber_id)

    result = await personal_data.confirm_deletion(ADA, asked_at, now)

    assert (result.outcome, result.language) == (DeletionOutcome.EXPIRED, "en")
    assert await rows_about(sessions, ADA, subscriber_id) == before


async def test_deletion_does_not_rely_on_the_database_cascading(
    sqlite_template: Path, tmp_path: Path, content: ContentStore
) -> None:
    """With SQLite's foreign keys off, so nothing cascades, every row is still deleted."""
    database = tmp_path / "no-cascade.sqlite3"
    shutil.copyfile(sqlite_template, database)
    # A bare engine: without our pragmas, SQLite neither enforces nor cascades foreign keys.
    engine = create_async_engine(f"sqlite+aiosqlite:///{database}")
    try:
        sessions = create_session_factory(engine)
        subscriber_id = await seed_history(sessions, ADA)

        deleted = await PersonalDataService(sessions, content).delete(ADA, NOW)

        counts = await rows_about(sessions, ADA, subscriber_id)
        async with sessions() as session:
            # Only Ada was seeded: any row left in any table would be hers.
            left = [
                await session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
                if "subscriber_id" in table.c
            ]
    finally:
        await engine.dispose()
    assert deleted
    assert set(counts.values()) == {0}
    assert set(left) == {0}
