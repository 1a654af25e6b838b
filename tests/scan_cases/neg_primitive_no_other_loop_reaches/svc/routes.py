from svc.embed import embed


async def index_document(text: str) -> int:
    vectors = await embed(text.split("\n"))
    return len(vectors)
