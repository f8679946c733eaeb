import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# The HTTP application must be built before anything imports models.
django_asgi_app = get_asgi_application()

# A lost or wrong document master key stops the server here, not at the first photo.
from govstore.documents.keys import master_key_check_at_startup  # noqa: E402

master_key_check_at_startup()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from govstore.accounts.middleware import TwoFactorWebsocketMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            # A staff session that has not passed the code step is a stranger to sockets.
            SessionMiddlewareStack(
                AuthMiddlewareStack(TwoFactorWebsocketMiddleware(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)
