class Chat:
    def __init__(self, id: str) -> None:
        self.id = id
        self.handlers = []

    def on_user_submit(self, fn):
        self.handlers.append(fn)
        return fn

    async def append_message(self, text: str) -> None:
        print(text)


def on_click(name: str):
    def register(fn):
        return fn
    return register
