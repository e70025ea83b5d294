"""``python -m generator`` runs the kanalprofil command line."""

from generator.cli import main

main(prog_name="kanalprofil")
