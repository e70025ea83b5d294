"""kanalprofil: social media profile texts and expectation statements, generated from YAML."""

__version__ = "0.1.0"
