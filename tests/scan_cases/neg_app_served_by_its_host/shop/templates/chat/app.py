# An app template: it imports the module beside it by its bare name, so it runs with its own
# folder on sys.path, as a program the server loads; nothing imports it, and it starts no
# loop: its handler runs on the server's one loop, the client with it. Silent.
from app_utils import api_key
from openai import AsyncOpenAI

from shop import ui

chat_client = AsyncOpenAI(api_key=api_key())
chat = ui.Chat(id="chat")


@chat.on_user_submit
async def handle_user_input(text: str) -> None:
    reply = await chat_client.responses.create(model="m", input=text)
    await chat.append_message(reply.output_text)
