# A server that runs one loop keeps its service objects in module globals: a data layer
# negative for: LD201
# whose pool is made lazily on first use. No second loop of this program reaches them.
import asyncpg
from fastapi import FastAPI


class DataLayer:
    def __init__(self, dsn: str):
        self.dsn = dsn
        self.pool = None

    async def connect(self):
        if self.pool is None:
            self.pool = await asyncpg.create_pool(self.dsn)
        return self.pool

    async def get_user(self, user_id: int):
        pool = await self.connect()
        return await pool.fetchrow("select * from users where id = $1", user_id)


_data_layer: DataLayer | None = None
app = FastAPI()


def get_data_layer() -> DataLayer:
    global _data_layer
    if _data_layer is None:
        _data_layer = DataLayer("postgresql://127.0.0.1/app")
    return _data_layer


@app.get("/users/{user_id}")
async def read_user(user_id: int):
    return await get_data_layer().get_user(user_id)
