"""The run engine: no Textual here; the CLI and the TUI drive the same pipeline."""
