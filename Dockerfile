# Production image: slim Python, non-root, gunicorn. Static files collected at build time and
# served by whitenoise. The same image runs the web process, the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=ecosystem.settings.production

WORKDIR /app
RUN useradd --create-home --uid 10001 app

# The source tree, less what .dockerignore leaves out (tests, benchmarks, local state): a new
# room is in the image without touching this file.
COPY . .
RUN pip install -c constraints.txt .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': os.environ.get('BASE_DOMAIN', 'localhost')}))"
CMD ["gunicorn", "ecosystem.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
