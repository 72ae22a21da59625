"""``egg:podium#workers``: waitress in one process per core, supervised.

One waitress process on a multi-core machine serves badly: its I/O thread
and its worker threads hand the GIL back and forth across cores.  So
production runs one waitress process per core, each pinned to its core and
listening on its own ``SO_REUSEPORT`` socket: the kernel spreads
connections over the processes, and no process waits for another's GIL.

``runner`` checks the options and binds the sockets (a port already served
fails at once), ``supervisor`` starts and watches the processes, and
``worker`` is each process: a fresh interpreter that loads the app from the
ini file, so that SIGHUP's rolling restart serves newly installed code::

    [server:main]
    use = egg:podium#workers
    listen = 0.0.0.0:6543
    workers = auto          ; one per core the process may run on
    pin = true              ; each worker on a core of its own
    threads = 4             ; waitress threads per worker
    drain_timeout = 30      ; seconds a stopping worker may finish its requests
"""

from .options import parse_listen, worker_count
from .runner import serve_workers

__all__ = ["parse_listen", "serve_workers", "worker_count"]
