"""Menu entries of the documents app; each page checks its policy again."""

from django.utils.translation import gettext_lazy as _

from tinhso.accounts.policies import is_official
from tinhso.core.modules import Module, register
from tinhso.documents.policies import exchange, handling, incoming


def register_modules() -> None:
    for module in (
        Module(
            code="my_work",
            label=_("Việc của tôi"),
            url_name="documents:my_work",
            order=100,
            allowed=handling.has_work,
        ),
        Module(
            code="incoming",
            label=_("Văn bản đến"),
            url_name="documents:incoming_list",
            order=110,
            allowed=incoming.can_view_incoming_register,
        ),
        Module(
            code="inbox",
            label=_("Văn bản điện tử đến"),
            url_name="documents:inbox",
            order=115,
            allowed=exchange.can_open_inbox,
        ),
        Module(
            code="outgoing",
            label=_("Văn bản đi"),
            url_name="documents:outgoing_list",
            order=120,
            allowed=is_official,
        ),
        Module(
            code="backlog",
            label=_("Tồn đọng của đơn vị"),
            url_name="documents:backlog",
            order=130,
            allowed=handling.can_view_backlog,
        ),
    ):
        register(module)
