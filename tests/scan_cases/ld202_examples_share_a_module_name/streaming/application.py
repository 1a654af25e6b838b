# An async client made per call, not cached: silent (and not the chat example's factory).
import openai


def _get_openai_client():
    return openai.AsyncOpenAI()


async def choose_mode(prompt: str) -> str:
    response = await _get_openai_client().chat.completions.create(model="m", messages=[prompt])
    return response.choices[0].message.content
