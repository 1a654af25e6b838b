# asyncio.run where a process starts: main(), CLI commands, __main__: silent.
# negative for: LD103, LD301
import asyncio

import click
import typer
from openai import AsyncOpenAI

app = typer.Typer()


class Agent:
    def __init__(self):
        self.client = AsyncOpenAI()

    async def run(self):
        return await self.client.models.list()


def main():
    asyncio.run(Agent().run())


@click.command()
def cli():
    agent = Agent()
    asyncio.run(agent.run())


@app.command()
def serve():
    agent = Agent()
    asyncio.run(agent.run())


if __name__ == "__main__":
    agent = Agent()
    asyncio.run(agent.run())
