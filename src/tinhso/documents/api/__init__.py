"""The documents API: one router per part, mounted at /api/v1/documents."""

from ninja import Router

from tinhso.documents.api import exchange, handling, incoming, outgoing

router = Router()
router.add_router("/", incoming.router)
router.add_router("/", handling.router)
router.add_router("/", outgoing.router)
router.add_router("/", exchange.router)
