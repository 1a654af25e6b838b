import os


def api_key() -> str | None:
    return os.environ.get("OPENAI_API_KEY")
