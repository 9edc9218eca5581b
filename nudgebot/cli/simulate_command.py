"""`nudgebot simulate`: the tip policies compared offline, on a synthetic cohort."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nudgebot.adaptation.learner import TipPolicy
from nudgebot.app import simulated_deployment
from nudgebot.cli.arguments import not_negative, positive
from nudgebot.cli.process import EXIT_SETUP_ERROR
from nudgebot.config import Settings
from nudgebot.content import load_library
from nudgebot.simulation import (
    COHORT_FORMAT,
    PEOPLE_PER_SHARD,
    POLICY_NAMES,
    CohortError,
    DayProgress,
    Deployment,
    SimulatedTelegram,
    format_table,
    load_cohort,
    run_simulation,
    write_chart,
    write_summary,
)
from nudgebot.simulation.behaviour import PEOPLE_MODEL

if TYPE_CHECKING:
    from nudgebot.cli.arguments import Commands


def add_parser(commands: Commands) -> None:
    """The `simulate` subcommand and its options."""
    simulate = commands.add_parser(
        "simulate",
        help="compare tip policies offline on a synthetic cohort",
        description="Run the real tip selection and answer recording, with a simulated clock "
        "and a temporary database per policy, against simulated subscribers described by a "
        "cohort file. Prints the policies side by side and writes summary.json and "
        "did_it_rate.png to --out. People are split into shards of about "
        f"{PEOPLE_PER_SHARD:,} (one below {2 * PEOPLE_PER_SHARD:,} people), each with its own "
        "bot and database; shards run side by side in --processes. Same seed and cohort size, "
        "same results, however many processes.",
        epilog=COHORT_FORMAT + "\n" + PEOPLE_MODEL,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate.add_argument(
        "--cohort", type=Path, required=True, metavar="FILE", help="cohort file (YAML or JSON)"
    )
    simulate.add_argument("--days", type=positive, default=60, help="simulated days (default 60)")
    simulate.add_argument(
        "--policy",
        action="append",
        choices=POLICY_NAMES,
        help="a policy to run; repeat for several (default: all of them, side by side)",
    )
    simulate.add_argument("--seed", type=not_negative, default=0, help="random seed (default 0)")
    simulate.add_argument(
        "--users",
        type=positive,
        default=None,
        metavar="N",
        help="simulate N people in all, each group keeping its share (default: the file's counts)",
    )
    simulate.add_argument(
        "--processes",
        type=positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes running a policy's shards side by side (default: the CPUs, "
        f"{os.cpu_count() or 1} here); speed only, the results do not change",
    )
    simulate.add_argument(
        "--out",
        type=Path,
        default=Path("simulation-results"),
        metavar="DIR",
        help="where summary.json and did_it_rate.png go (default simulation-results)",
    )


def execute(settings: Settings, arguments: argparse.Namespace) -> int:
    """Run the policies, print the table, write summary.json and the chart."""
    library = load_library(settings.messages_dir)
    try:
        cohort = load_cohort(arguments.cohort)
        if arguments.users is not None:
            cohort = cohort.with_users(arguments.users)
        cohort.check_against(library)
    except (CohortError, ValueError) as error:
        print(f"nudgebot simulate: the cohort cannot be used:\n{error}", file=sys.stderr)
        return EXIT_SETUP_ERROR

    result = asyncio.run(
        run_simulation(
            cohort,
            library,
            arguments.policy or POLICY_NAMES,
            ScratchDeployments(settings.messages_dir, arguments.seed),
            days=arguments.days,
            seed=arguments.seed,
            progress=DayProgress(sys.stderr),
            processes=arguments.processes,
        )
    )
    summary = write_summary(result.summary, arguments.out)
    chart = write_chart(result.summary, arguments.out)
    print(format_table(result.summary, result.seconds))
    print(f"wrote {summary} and {chart}")
    return 0


@dataclass(frozen=True)
class ScratchDeployments:
    """Opens the bot on a fresh SQLite file per policy and shard, removed when its run ends.

    A class rather than a closure so that it can be sent to the processes running shards.
    """

    messages_dir: Path
    seed: int

    @contextlib.asynccontextmanager
    async def __call__(
        self, policy: TipPolicy, sender: SimulatedTelegram, shard: int
    ) -> AsyncIterator[Deployment]:
        """The bot for one shard, its choices drawn from the seed's stream for that shard."""
        with tempfile.TemporaryDirectory(prefix="nudgebot-simulate-") as scratch:
            url = f"sqlite+aiosqlite:///{Path(scratch) / 'simulation.sqlite3'}"
            async with simulated_deployment(
                url, self.messages_dir, policy, (self.seed, shard), sender
            ) as deployment:
                yield deployment
