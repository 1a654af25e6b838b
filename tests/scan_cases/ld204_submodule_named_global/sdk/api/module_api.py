from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sdk.api.api import Api


class ModuleApi:
    def __init__(self, api: Api) -> None:
        self._api = api
