"""The kanalprofil commands, one module each (``generator.cli`` makes them a group)."""
