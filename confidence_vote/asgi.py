import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confidence_vote.settings")
application = get_asgi_application()

from confidence_vote.security import refuse_insecure_start  # noqa: E402 (needs settings)

refuse_insecure_start()
