"""decision-before-release (E.6): council decisions posted before the minutes are released.

E.6: "posting information on council meeting decisions prior to their official release through
municipal minutes and proceedings".

Between a meeting's start and the release of its minutes (or `unreleased_window_days` after
the meeting, while no release is recorded):

- a decision fires (high): a `decision_phrases` match ("council voted", "motion carried"), or
  an `outcome_phrases` match ("was approved", "is a go", "referred back", "ça a passé") in a
  sentence that also speaks of council (`council_terms`), of "we" (`member_terms`: the
  councillor speaking for the body), of one of the meeting's agenda items, or gives a vote
  tally ("5-2", "7–0"). A tally beside vote words (`vote_terms`) is a decision too ("Lost
  again 6-1 on the radar"). A decision whose sentence names another body first ("the school
  board voted", "Leduc County council approved") or a time long past ("back in 2024 council
  approved") is not this meeting's, and a post saying the minutes are out
  (`released_phrases`) is past the release;
- an outcome word with none of those beside it ("It passed!") is `unsure_severity`, and a tally
  with no vote word beside it is low: a game's score as often as a vote;
- otherwise naming one of the meeting's agenda items (as written, or all its words in one
  sentence: "the skatepark at Lede Park") fires (medium), unless the post points
  to the official record instead (`agenda_deferrals`: "once the minutes are out"), or names
  it in a sentence about another body's or an old decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import cached_property

from pydantic import Field

from auditor.dates import portable_strftime
from auditor.engine.context import AuditContext, MeetingInfo
from auditor.engine.rules.base import PostRule, RuleParams, quoted
from auditor.engine.text import Folded, Lexicon, Match, in_link, lexicon, same_sentence, scattered, words_of
from auditor.records import Finding, PostView, Severity


class DecisionBeforeReleaseParams(RuleParams):
    severity: Severity = "high"
    clause: str = "E.6"
    agenda_severity: Severity = "medium"
    decision_phrases: list[str] = Field(
        default_factory=lambda: ["council voted", "council approved", "motion carried", "was defeated"]
    )
    outcome_phrases: list[str] = Field(default_factory=list)
    council_terms: list[str] = Field(default_factory=lambda: ["council"])
    other_bodies: list[str] = Field(default_factory=list)
    past_markers: list[str] = Field(default_factory=list)
    agenda_deferrals: list[str] = Field(default_factory=list)
    member_terms: list[str] = Field(default_factory=lambda: ["we", "on", "nous"])
    vote_terms: list[str] = Field(default_factory=lambda: ["vote", "voted", "motion"])
    released_phrases: list[str] = Field(default_factory=lambda: ["minutes are out", "minutes are posted"])
    unsure_severity: Severity = "low"
    # Minutes not yet released: how long after the meeting a post still counts as early.
    unreleased_window_days: int = Field(30, ge=1)


class DecisionBeforeRelease(PostRule):
    id = "decision-before-release"
    title = "Council decision posted before the minutes"
    Params = DecisionBeforeReleaseParams
    params: DecisionBeforeReleaseParams

    @cached_property
    def _decisions(self) -> Lexicon:
        return Lexicon(self.params.decision_phrases)

    @cached_property
    def _outcomes(self) -> Lexicon:
        return Lexicon(self.params.outcome_phrases)

    @cached_property
    def _council(self) -> Lexicon:
        return Lexicon(self.params.council_terms)

    @cached_property
    def _others(self) -> Lexicon:
        return Lexicon(self.params.other_bodies)

    @cached_property
    def _past(self) -> Lexicon:
        return Lexicon(self.params.past_markers)

    @cached_property
    def _deferrals(self) -> Lexicon:
        return Lexicon(self.params.agenda_deferrals)

    @cached_property
    def _members(self) -> Lexicon:
        return Lexicon(self.params.member_terms)

    @cached_property
    def _votes(self) -> Lexicon:
        return Lexicon(self.params.vote_terms)

    @cached_property
    def _released(self) -> Lexicon:
        return Lexicon(self.params.released_phrases)

    def lexicons(self, ctx: AuditContext) -> list[Lexicon]:
        agendas = [lexicon(m.agenda) for m in ctx.meetings if m.agenda]
        words = [lexicon(words_of(item)) for m in ctx.meetings for item in m.agenda]
        return [self._decisions, self._outcomes, self._released, self._votes, *agendas, *words]

    def _agenda_items(self, meeting: MeetingInfo, folded: Folded) -> Iterator[Match]:
        """The meeting's agenda items the post names: as written, or their words in one sentence."""
        if not meeting.agenda:
            return
        named = list(lexicon(meeting.agenda).finditer(folded))
        yield from named
        for item in meeting.agenda:
            if not any(m.phrase == item for m in named) and (match := scattered(folded, item)):
                yield match

    def _open_meetings(self, post: PostView, ctx: AuditContext) -> list[MeetingInfo]:
        return ctx.meetings_open_at(post.created_at, timedelta(days=self.params.unreleased_window_days))

    def _decision(
        self, folded: Folded, rejected: list[Match], agenda: Callable[[], list[Match]], unsure: list[Match]
    ) -> Match | None:
        """The first statement of a council decision, if the post makes one; decisions of other
        bodies or of the past are added to `rejected`, outcomes said of nobody to `unsure`."""
        strong = list(self._decisions.finditer(folded))
        weak = list(self._outcomes.finditer(folded)) if self._outcomes else []
        tallies = _tallies(folded.original)
        if not strong and not weak:
            if tallies and self._votes.search(folded):
                return tallies[0]
            others = list(self._others.finditer(folded)) if tallies and self._others else []
            if tallies and not any(same_sentence(folded.original, tallies[0], o) for o in others):
                unsure.append(tallies[0])  # a score with no vote word: a game as often as a vote
            return None
        text = folded.original
        council = list(self._council.finditer(folded))
        if weak:  # who the outcome is said of: only outcome words need it
            council += list(self._members.finditer(folded)) + agenda() + tallies
        others = list(self._others.finditer(folded)) if self._others else []
        past = list(self._past.finditer(folded)) if self._past else []
        # Council words inside another body's name ("student council") do not count as council.
        council = [c for c in council if not any(o.start <= c.start < o.end for o in others)]
        for match in sorted(strong + weak, key=lambda m: (m.start, -m.end)):
            if any(r.start <= match.start < r.end for r in rejected):
                continue  # "approved" inside a "council approved" already set aside
            if any(same_sentence(text, match, p) for p in past):
                rejected.append(match)
                continue
            # "the school board voted"; an outcome word also "passed the Senate", "as passed by Congress".
            subject = [o for o in others if (o.start < match.start or match in weak) and same_sentence(text, match, o)]
            if subject and not any(subject[-1].end <= c.start < match.start for c in council):
                rejected.append(match)
                continue  # "the school board voted": someone else's decision
            if match in weak and not any(
                same_sentence(text, match, c) and not (match.start <= c.start < match.end) for c in council
            ):
                unsure.append(match)
                continue
            return match
        return None

    def check_post(self, post: PostView, ctx: AuditContext) -> Finding | None:
        open_meetings = self._open_meetings(post, ctx)
        if not open_meetings:
            return None
        meeting = open_meetings[-1]
        folded = ctx.folded(post)
        if self._released.search(folded):
            return None  # the post speaks of the minutes as out: the release has happened
        rejected: list[Match] = []
        unsure: list[Match] = []
        match = self._decision(
            folded, rejected, lambda: [m for each in open_meetings for m in self._agenda_items(each, folded)], unsure
        )
        if match:
            return self.finding(
                post,
                f"States a decision (\u201c{match.quote}\u201d) after the {meeting.title.lower()} began and "
                "before its minutes were released on "
                f"{portable_strftime(meeting.minutes_released.astimezone(ctx.tz), '%-d %B %Y at %H:%M')}."
                if meeting.minutes_released else
                f"States a decision (\u201c{match.quote}\u201d) after the {meeting.title.lower()} began; "
                "the minutes have not been released yet.",
                quoted(post, match),
            )
        for meeting in open_meetings:
            for topic in self._agenda_items(meeting, folded):
                if in_link(folded.original, topic) or any(same_sentence(folded.original, topic, r) for r in rejected):
                    continue  # a link, or part of another body's (or an old) decision
                if self._deferrals.search(folded):
                    return None  # the post sends people to the minutes or the meeting itself
                return self.finding(
                    post,
                    f"Discusses agenda item \u201c{topic.phrase}\u201d between the meeting and the release "
                    "of its minutes.",
                    quoted(post, topic),
                    severity=self.params.agenda_severity,
                )
        if unsure:
            return self.finding(
                post,
                f"Says \u201c{unsure[0].quote}\u201d after the {meeting.title.lower()} began and before its minutes "
                "were released: it may report the meeting's decision.",
                quoted(post, unsure[0]),
                severity="low" if unsure[0].phrase == "vote tally" else self.params.unsure_severity,
            )
        return None


# A vote tally: "5-2", "7–0", "4 - 3"; each side a council's size at most, not a date or a range.
_TALLY = re.compile(r"(?<![\w/:.\-])(\d{1,2}) ?[-\u2013\u2014] ?(\d{1,2})(?![\w/:%.\-]|\s*(?:pm|am|h\b))")


def _tallies(text: str) -> list[Match]:
    found = []
    for m in _TALLY.finditer(text):
        yes, no = int(m[1]), int(m[2])
        if 3 <= yes + no <= 15:
            found.append(Match("vote tally", m.start(), m.end(), m[0]))
    return found
