"""The documents app's models, one module per part of the document's life."""

from tinhso.documents.models.exchange import (
    Dispatch,
    InboundMessage,
    StatusReceipt,
)
from tinhso.documents.models.handling import Handling, Opinion
from tinhso.documents.models.incoming import Attachment, IncomingDocument
from tinhso.documents.models.outgoing import (
    AgencyProfile,
    DraftVersion,
    OutgoingAttachment,
    OutgoingDocument,
    ReviewAction,
    ReviewStep,
)

__all__ = [
    "AgencyProfile",
    "Attachment",
    "Dispatch",
    "DraftVersion",
    "Handling",
    "InboundMessage",
    "IncomingDocument",
    "Opinion",
    "OutgoingAttachment",
    "OutgoingDocument",
    "ReviewAction",
    "ReviewStep",
    "StatusReceipt",
]
