"""Serve a folder over HTTP on 127.0.0.1, from a background thread."""
import functools
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(SimpleHTTPRequestHandler):
    """A static-file handler that keeps the test output free of access logs."""

    def log_message(self, format, *args):
        pass


@contextmanager
def serving(folder):
    """Serve `folder` on a free port of 127.0.0.1; yields the base URL ending in '/'."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
