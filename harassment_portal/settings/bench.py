"""`make bench`: the development settings served as production serves them (DEBUG off, so
templates are cached and no query log grows), with each response saying how many SQL queries
it made (the X-Query-Count header), which the benchmark reports beside the times. Demo data
allowed: the benchmark's databases are made up."""

from .development import *  # noqa: F403

DEBUG = False
WHITENOISE_AUTOREFRESH = False
# First, so that the count includes the queries of every other middleware (session, user,
# second factor).
MIDDLEWARE = ["bench.query_count.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
