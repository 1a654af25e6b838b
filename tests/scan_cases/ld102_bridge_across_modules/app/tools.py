from app.bridge import run_async, run_in_thread
from app.clients import get_client


async def _complete(prompt: str) -> str:
    client = get_client("http://127.0.0.1:8000/v1")
    response = await client.chat.completions.create(model="m", messages=[])
    return response.choices[0].message.content


def complete(prompt: str) -> str:
    return run_async(_complete(prompt))


class Tool:
    def __call__(self, prompt: str) -> str:
        return run_in_thread(self._arun(prompt))

    async def _arun(self, prompt: str) -> str:
        return await _complete(prompt)
