"""The defnews web front-end: a small Flask app over indexer.search."""

from __future__ import annotations

import os

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app. Config comes from defaults, then DEFNEWS_* environment
    variables (DEFNEWS_INDEX_DIR...), then ``test_config``."""
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=os.environ.get("DEFNEWS_INDEX") or os.path.join("data", "index"),
        PAGE_SIZE=10,
        FACET_SIZE=10,
        # Facet values fetched for "show more".
        FACET_SIZE_MORE=100,
        FEED_SIZE=20,
        JSON_AS_ASCII=False,
    )
    app.config.from_prefixed_env("DEFNEWS")
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False

    from . import engine, views

    engine.init_app(app)
    app.register_blueprint(views.bp)
    views.init_app(app)
    return app
