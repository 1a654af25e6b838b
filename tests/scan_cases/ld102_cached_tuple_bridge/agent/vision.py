from agent.bridge import _run_async
from agent.clients import get_cached_client


async def _describe(url: str) -> str:
    client, model = get_cached_client("auto", "vision-model", async_mode=True)
    reply = await client.chat.completions.create(model=model, messages=[{"role": "user",
                                                                          "content": url}])
    return reply.choices[0].message.content


def vision_tool(url: str) -> str:
    return _run_async(_describe(url))
