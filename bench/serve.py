"""The server process of one contender: ``python -m bench.serve``.

Builds the WSGI app from a ``module:function`` factory, binds waitress to a
free loopback port, writes the port to ``--port-file`` (atomically, after the
app is built and the socket listens: the harness reads it as "ready"), then
serves until it is killed.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

import waitress


def factory_of(spec: str) -> Callable[..., Any]:
    """The app factory a ``module:function`` names."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name or "make_app")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serve", description=__doc__)
    parser.add_argument("--factory", required=True, help="module:function building the app")
    parser.add_argument("--db-url", default="")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="passed to the factory as a keyword argument")
    args = parser.parse_args(argv)
    # TechEmpower: no logging per request; warnings and errors still reach the log file.
    logging.basicConfig(level=logging.WARNING)
    options = dict(item.split("=", 1) for item in args.option)
    app = factory_of(args.factory)(args.db_url, **options)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=args.threads)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.effective_port))
    os.replace(tmp, args.port_file)
    server.run()


if __name__ == "__main__":
    main()
