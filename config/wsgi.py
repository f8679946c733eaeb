import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# As the ASGI server and Celery do: a lost or wrong document master key stops the worker
# here, not at the first photo.
from govstore.documents.keys import master_key_check_at_startup  # noqa: E402

master_key_check_at_startup()
