"""Stage 3, render (pure but for `writer`): views, escaping, Jinja2 templates, exports, charts,
the changelog, and the writer that puts the generated Markdown into docs/."""
