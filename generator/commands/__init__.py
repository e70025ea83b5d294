"""The kanalprofil commands, one module each.

``generator.cli`` lists them and imports a command's module only when that command runs
(or shows its own help), so ``kanalprofil --help`` imports none of them.
"""
