"""The review state machine of a draft: one enum, one table of allowed transitions.

    drafting --submit/resubmit--> submitted --approve--> approved --issue--> issued
                                  submitted --return---> returned  (revised by a new upload)
    drafting --issue--> issued    (only when the report's verdict is ok: see review.service)
    drafting, submitted, approved --withdraw--> withdrawn

Every transition writes the audit log (review.service does both in one place).
"""
from __future__ import annotations

import enum

from services.common.errors import Conflict
from services.common.models import Document, Role


class ReviewState(str, enum.Enum):
    drafting = "drafting"  # not submitted (stored as no state)
    submitted = "submitted"
    returned = "returned"
    approved = "approved"
    issued = "issued"
    withdrawn = "withdrawn"


class Action(str, enum.Enum):
    submit = "submit"
    resubmit = "resubmit"  # the first submission of a revision of a returned draft
    approve = "approve"
    return_ = "return"
    issue = "issue"
    withdraw = "withdraw"


S = ReviewState
# action -> (states it may start from, the state it leads to, roles that may take it)
TRANSITIONS: dict[Action, tuple[frozenset[ReviewState], ReviewState, frozenset[Role]]] = {
    Action.submit: (frozenset({S.drafting}), S.submitted, frozenset({Role.drafter, Role.admin})),
    Action.resubmit: (frozenset({S.drafting}), S.submitted, frozenset({Role.drafter, Role.admin})),
    Action.approve: (frozenset({S.submitted}), S.approved, frozenset({Role.reviewer, Role.admin})),
    Action.return_: (frozenset({S.submitted}), S.returned, frozenset({Role.reviewer, Role.admin})),
    Action.issue: (frozenset({S.drafting, S.approved}), S.issued, frozenset({Role.drafter, Role.admin})),
    Action.withdraw: (frozenset({S.drafting, S.submitted, S.approved}), S.withdrawn,
                      frozenset({Role.drafter, Role.admin})),
}
_HINTS = {
    (Action.submit, S.returned): "a returned draft is revised, not resubmitted as it is: upload the revision "
                                 "with revises={id} and submit that",
    (Action.issue, S.submitted): "the draft is in review: it is issued once approved",
    (Action.issue, S.returned): "the draft was returned: upload a revision, have it approved, then issue it",
}


def state_of(document: Document) -> ReviewState:
    """The draft's review state."""
    return ReviewState(document.review_state) if document.review_state else ReviewState.drafting


def roles_for(action: Action) -> frozenset[Role]:
    """The roles that may take `action`."""
    return TRANSITIONS[action][2]


def transition(document: Document, action: Action) -> tuple[frozenset[ReviewState], ReviewState]:
    """The states `action` may start from and the one it leads to; Conflict when the table
    does not allow it from the draft's state. The caller moves the row (guarded by those
    states, so that two requests at once cannot both move it)."""
    current = state_of(document)
    sources, target, _ = TRANSITIONS[action]
    if current not in sources:
        hint = _HINTS.get((action, current), "").format(id=document.id)
        raise Conflict(f"the draft is {current.value}: it cannot be {_past(action)}" + (f"; {hint}" if hint else ""))
    return sources, target


def stored(state: ReviewState) -> str | None:
    """How a state is stored on the document row (a draft not submitted has none)."""
    return None if state == ReviewState.drafting else state.value


def _past(action: Action) -> str:
    return {Action.submit: "submitted", Action.resubmit: "resubmitted", Action.approve: "approved",
            Action.return_: "returned", Action.issue: "issued", Action.withdraw: "withdrawn"}[action]
