"""`python -m nudgebot` runs the same command line as the `nudgebot` script."""

from nudgebot.cli import main

raise SystemExit(main())
