import os

from django.core.wsgi import get_wsgi_application

from skolkvalitet import PRIVATE_UMASK

# The web server's process writes uploads and documents for its own user only (files 0600).
os.umask(PRIVATE_UMASK)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
application = get_wsgi_application()
