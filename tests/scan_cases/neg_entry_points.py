# asyncio.run where a process starts: main(), CLI commands, __main__, a command that ends the
# process (`sys.exit`, `raise SystemExit`) after its loop: silent.
# negative for: LD103, LD301
import asyncio
import sys

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


class Doctor:
    def __init__(self):
        self.client = AsyncOpenAI()

    async def check(self):
        return await self.client.models.list()

    def doctor(self):
        asyncio.run(self.check())
        sys.exit(0)

    def check_command(self):
        ok = asyncio.run(self.check())
        raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    agent = Agent()
    asyncio.run(agent.run())
