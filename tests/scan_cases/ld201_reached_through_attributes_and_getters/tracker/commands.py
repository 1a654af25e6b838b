import asyncio

from tracker.services import IssueManager


def print_comments(issue_ids: list[str]) -> None:
    manager = IssueManager()
    for issue_id in issue_ids:
        print(asyncio.run(manager.list_comments(issue_id)))  # error: LD103 "print_comments" "HTTPClientManager._client"
