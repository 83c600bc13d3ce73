"""Serve the web app with gunicorn: the production server behind `make run`.

gunicorn because the engine is pure Python and holds the GIL while it
searches: several worker processes use every core, where a threaded server
(waitress) would keep one busy. Threads within a worker cover slow clients.
"""

from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication

from indexer.collector import settle

from . import create_app

# One worker per core; threads overlap network waits within a worker.
WORKERS = max(2, os.cpu_count() or 2)
THREADS = 4


class _Gunicorn(BaseApplication):
    def __init__(self, app, options):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings differ between gunicorn versions
                self.cfg.set(key, value)

    def load(self):
        return self.application


def serve(
    host: str, port: int, index_dir: str, workers: int = WORKERS, access_log: bool = True
) -> None:
    """Run the app until interrupted."""
    app = create_app({"INDEX_DIR": index_dir})
    # Load the dictionaries before forking so the workers share their pages.
    from indexer.analysis import news_analyzer
    from indexer.companies import default_gazetteer

    list(news_analyzer()("ракета missiles"))
    default_gazetteer()
    settle()
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": THREADS,
        "worker_class": "gthread",
        "preload_app": True,
        "timeout": 30,
        "graceful_timeout": 5,
        # gunicorn's maximum (a larger value is silently lowered to it): longer
        # request lines get its "414 URI Too Long"; web/params.py keeps our own
        # "request too large" message below it.
        "limit_request_line": 8190,
        "accesslog": "-" if access_log else None,
        # gunicorn 27's runtime control socket is one path per user: two
        # servers (a test, a benchmark, make run) would fight over it.
        "control_socket_disable": True,
    }
    _Gunicorn(app, options).run()
