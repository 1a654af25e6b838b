from tracker.client import get_client_manager


class IssueService:
    async def list_comments(self, issue_id: str) -> list[str]:
        manager = get_client_manager()
        response = await manager.request(f"http://127.0.0.1:8000/issues/{issue_id}/comments")
        return response.json()


class IssueManager:
    def __init__(self) -> None:
        self.issues = IssueService()

    async def list_comments(self, issue_id: str) -> list[str]:
        return await self.issues.list_comments(issue_id)
