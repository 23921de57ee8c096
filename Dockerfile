# syntax=docker/dockerfile:1
# The Harassment Portal image: web (gunicorn, the default command), Celery worker and beat
# all run from it; docker-compose.yml picks the command per service.
FROM python:3.11-slim-bookworm

ENV DJANGO_SETTINGS_MODULE=harassment_portal.settings.production \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext provides msgfmt for compilemessages. psycopg-binary brings its own libpq. Pango,
# HarfBuzz's subsetter and the Noto CJK fonts are for WeasyPrint's PDFs (the case summary and
# the record sheet), which embed the font so that Japanese is never drawn as empty boxes.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# A fixed UID/GID so that volume ownership is predictable across rebuilds.
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first: this layer is rebuilt only when a pin changes.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# Translations and static files are built into the image (WhiteNoise serves them). The
# production settings refuse to load without these variables, so throwaway values are given
# for this one RUN line only: they never reach the runtime environment.
RUN DJANGO_SETTINGS_MODULE=harassment_portal.settings.production \
    SECRET_KEY=build-only ALLOWED_HOSTS=build EMAIL_HOST=build SITE_URL=https://build.invalid \
    sh -c 'python manage.py compilemessages --ignore=.venv -v0 \
           && python manage.py collectstatic --noinput -v0'

# The code stays owned by root (read-only for the app); only var/ is writable. Evidence
# files live in a volume mounted at /app/var/private-media: the directory exists here so
# that a new named volume is created with portal's ownership.
RUN mkdir -p /app/var/private-media \
    && chown -R portal:portal /app/var \
    && chmod 750 /app/var /app/var/private-media

USER portal

EXPOSE 8000

# sh -c so that WEB_CONCURRENCY expands; exec so that gunicorn is PID 1 and gets SIGTERM.
CMD ["sh", "-c", "exec gunicorn harassment_portal.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile - --timeout 30"]
