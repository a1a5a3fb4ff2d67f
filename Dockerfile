# Firstline: one image for every process (web, task workers, periodic jobs,
# the data load). compose.yaml runs it; the README's "Running in production"
# commands are what each container runs (firstline/core/tests/test_packaging.py
# checks they stay the same). Build: `docker build -t firstline .`
FROM python:3.13-slim

# WeasyPrint's Pango/HarfBuzz and a font for print packets: the same Debian
# packages as `make sysdeps`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# uv at the version the Makefile pins; dependencies exactly as locked.
RUN pip install --no-cache-dir "uv==0.13.8"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev
ENV PATH=/app/.venv/bin:$PATH \
    FIRSTLINE_ENV=production \
    FIRSTLINE_ENV_FILE=

# Static files are collected (hashed, compressed) into var/static at build
# time; the key is a throwaway that exists only for this step.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput

# Runs as an unprivileged user; it owns only var/ (uploaded replies in
# var/media, which compose mounts as a volume).
RUN useradd --system --create-home --home-dir /home/firstline --shell /usr/sbin/nologin firstline \
    && mkdir -p /app/var/media \
    && chown -R firstline:firstline /app/var
USER firstline

EXPOSE 8000
# gunicorn reads ./gunicorn.conf.py (no access log, no addresses in the error log).
CMD ["gunicorn", "firstline.wsgi:application", "-w", "4", "-b", "0.0.0.0:8000"]
