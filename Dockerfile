# Production image: slim Python, non-root, gunicorn. Static files collected at build time and
# served by whitenoise. The same image runs the web process, the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=ecosystem.settings.production

WORKDIR /app
RUN useradd --create-home --uid 10001 app

COPY pyproject.toml constraints.txt README.md ./
# Every Django app of the project (keep in step with [tool.setuptools.packages.find] include).
COPY ecosystem ecosystem
COPY canonical canonical
COPY concurrency concurrency
COPY edge edge
COPY kinds kinds
COPY tenants tenants
COPY identity identity
COPY audit audit
COPY sharing sharing
COPY workspace workspace
COPY pipeline pipeline
COPY solutions solutions
COPY marketing marketing
COPY business business
COPY partners partners
COPY recordkit recordkit
COPY home home
COPY approvals approvals
COPY reports reports
COPY ui ui
RUN pip install -c constraints.txt .

COPY manage.py ./
COPY templates templates
COPY static static
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': os.environ.get('BASE_DOMAIN', 'localhost')}))"
CMD ["gunicorn", "ecosystem.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
