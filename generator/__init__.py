"""Open Model Atlas generator: catalog.yaml + catalog.lock.yaml -> scorecards -> MkDocs site."""

__version__ = "0.1.0"
