"""``python -m generator`` runs the kanalprofil command line."""

from generator.cli import run

run()
