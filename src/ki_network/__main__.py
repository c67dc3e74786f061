"""``python -m ki_network`` runs the ``ki-network`` command (handy in a venv without scripts)."""

from .cli import main

main(prog_name="ki-network")
