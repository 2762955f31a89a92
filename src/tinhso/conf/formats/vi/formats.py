"""Django's Vietnamese formats, with thousands grouped as Vietnamese write
them (200.000 đồng): Django leaves NUMBER_GROUPING unset for vi, so
``intcomma`` printed 200000."""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
