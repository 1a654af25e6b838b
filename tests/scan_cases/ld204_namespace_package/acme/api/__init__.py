from acme._internal.core.session import SdkSession


async def fetch(url: str) -> str:
    response = await SdkSession.default().get_transport().get(url)
    return response.text
