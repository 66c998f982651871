"""``python -m leaderlens`` runs the command line."""

from leaderlens.cli.main import app

app()
