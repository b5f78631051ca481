"""The only network code: the Hub client, payload parsing, the sync into the lock and its
report. Nothing but the CLI and the pipeline imports it."""
