from ninja import Schema


class OrgUnitOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    division_type: str
    parent_id: int | None
    depth: int
    legacy: bool


class OrgUnitResolvedOut(Schema):
    unit: OrgUnitOut
    current: list[OrgUnitOut]
