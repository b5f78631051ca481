"""Stage 1, load and validate: catalog.yaml and the lock, read with positions, typed by the
schema, checked rule by rule (every problem as file:line:col), and drift against the Hub."""
