"""gunicorn settings read from the project folder (gunicorn loads this file
by default when started here; elsewhere pass ``-c gunicorn.conf.py``).

No access log (request lines hold residents' addresses and ZIP codes), and
the error log goes through a filter that removes IP addresses, which gunicorn
writes for malformed requests. See docs/privacy.md.
"""

from gunicorn.glogging import Logger

from firstline.lib.logfilters import RedactAddresses

accesslog = None


class AddressFreeLogger(Logger):
    def setup(self, cfg):  # type: ignore[no-untyped-def]
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(RedactAddresses())

    def access(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        return None


logger_class = AddressFreeLogger
