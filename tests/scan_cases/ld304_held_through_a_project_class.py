# A class whose constructor makes an object that takes the loop when made is reported where
# it makes it. Classes that only hold such a class (an API object making its client, made
# in turn by a wrapper) add no report of their own while nothing here makes them outside a
# running loop; one made at import is evidence, and the holder is reported again.
# negative for: LD303, LD304
import grpc


class RestClient:
    def __init__(self, target: str = "localhost:50051") -> None:
        self.session = grpc.aio.insecure_channel(target)  # error: LD304 "RestClient.session"

    async def get(self, url: str) -> bytes:
        return await self.session.unary_unary(url)(b"")


class ApiClient:
    def __init__(self) -> None:
        self.rest = RestClient()  # error: LD304 "ApiClient.rest"

    async def call(self, path: str) -> bytes:
        return await self.rest.get(path)


class CoreApi:
    def __init__(self, api_client: ApiClient | None = None) -> None:
        if api_client is None:
            api_client = ApiClient()
        self.api_client = api_client


class WatchApi:
    def __init__(self) -> None:
        self.api_client = ApiClient()


async def main() -> None:
    api = CoreApi()
    await api.api_client.call("/version")


class Exporter:
    def __init__(self) -> None:
        self.api = AppsApi()  # error: LD304 "Exporter.api"


class AppsApi:
    def __init__(self) -> None:
        self.api_client = ApiClient()  # error: LD304 "AppsApi.api_client"


EXPORTER = Exporter()
