"""The Textual interface: app, screens and command palette.

Import ``WorkbenchApp`` from ``workbench.tui.app``; this package itself stays import-light.
"""
