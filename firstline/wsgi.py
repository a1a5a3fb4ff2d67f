import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")
application = get_wsgi_application()

from django.core.management import call_command  # noqa: E402 (needs the app loaded)

from firstline.core.warmup import warm_up  # noqa: E402

# gunicorn runs no management command, so the system checks (production
# settings, key formats) would never run in the web process: run them here and
# let a misconfigured worker fail to boot instead of serving.
call_command("check", verbosity=0)
warm_up()
