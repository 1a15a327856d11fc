"""Residents' questions to councillors and the councillors' answers (pure).

A question is a reply or comment by someone who is not a councillor, on a post or reply a
councillor wrote, whose text asks something: a sentence ending in a question mark outside links,
not an exclamation ("Who else is excited?!"), and, where the caller passes rhetorical phrases
("who else"), not one of those. Its answer is the first later reply by that councillor to it,
or to the same person in the same conversation. Shared by the `response-time` rule and the
weekly report's figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from auditor.engine.context import AuditContext
from auditor.engine.text import Lexicon, fold, sentence
from auditor.records import PostView

_URL = re.compile(r"https?://\S+")
# A question mark, with the marks around it: "?", "??", "?!" (exclaims), "!?" (exclaims).
_QUESTION = re.compile(r"!*\?+!*")


@dataclass(frozen=True)
class Question:
    question: PostView
    asked_of: PostView  # the councillor's post or reply it answers to
    answer: PostView | None

    @property
    def councillor(self) -> str:
        return self.asked_of.councillor or ""

    @property
    def account(self) -> str:
        return self.asked_of.author_account or self.asked_of.feed_account

    def waited(self, now: datetime) -> timedelta:
        end = self.answer.created_at if self.answer else now
        return max(end - self.question.created_at, timedelta(0))


def asks_something(text: str, rhetorical: Lexicon | None = None) -> bool:
    if "?" not in text:
        return False
    if "http" in text:
        text = _URL.sub("", text)
    if rhetorical is not None and rhetorical.search(fold(text)) is None:
        rhetorical = None  # no rhetorical phrase anywhere: no sentence needs a closer look
    for mark in _QUESTION.finditer(text):
        if "!" in mark.group():
            continue  # "Who else is excited?!": an exclamation
        if rhetorical is not None:
            start, end = sentence(text, mark.start(), mark.end())
            if rhetorical.search(fold(text[start:end])):
                continue  # "Aren't they the cutest??"
        return True
    return False


def questions(ctx: AuditContext, rhetorical: Lexicon | None = None) -> Iterator[Question]:
    for post in ctx.posts:
        if post.councillor is not None or post.kind not in ("reply", "comment") or "?" not in post.text:
            continue
        parent = ctx.parent(post)
        if parent is None or parent.councillor is None or not asks_something(post.text, rhetorical):
            continue
        yield Question(post, parent, _answer(post, parent, ctx))


def _answer(question: PostView, asked_of: PostView, ctx: AuditContext) -> PostView | None:
    candidates = [
        reply for reply in ctx.replies_to(question)
        if reply.councillor == asked_of.councillor and reply.created_at >= question.created_at
    ]
    if not candidates and question.conversation_id:
        # X threads: an answer may reply to the conversation rather than to the question itself.
        candidates = [
            p for p in ctx.conversation(question)
            if p.councillor == asked_of.councillor and p.kind == "reply"
            and p.conversation_id == question.conversation_id and p.created_at > question.created_at
            and (parent := ctx.parent(p)) is not None and parent.author_id == question.author_id
        ]
    return min(candidates, key=lambda p: p.created_at, default=None)
