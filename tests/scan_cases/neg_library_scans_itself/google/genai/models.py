class AsyncModels:
    def __init__(self, api_client: object) -> None:
        self._api_client = api_client
