from sdk.api.module_api import ModuleApi
from sdk.utils import run_coroutine


class FileApi(ModuleApi):
    async def upload_async(self, path: str) -> int:
        response = await self._api.post_async(path)
        return response.status_code

    def upload(self, path: str) -> int:
        return run_coroutine(self.upload_async(path))
