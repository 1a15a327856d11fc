"""Every rule, by id. The registry is explicit: adding a rule is one module and one line here."""

from auditor.rules.base import PostRule, Rule, RuleParams
from auditor.rules.cadence import Cadence
from auditor.rules.decision_before_release import DecisionBeforeRelease
from auditor.rules.deleted_post import DeletedPost
from auditor.rules.disclaimer import Disclaimer
from auditor.rules.emergency_protocol import EmergencyProtocol
from auditor.rules.in_camera import InCamera
from auditor.rules.official_account_politics import OfficialAccountPolitics
from auditor.rules.preferred_platforms import PreferredPlatforms
from auditor.rules.response_time import ResponseTime
from auditor.rules.tone import Tone
from auditor.rules.unmoderated_debate import UnmoderatedDebate

REGISTRY: dict[str, type[Rule]] = {
    rule.id: rule
    for rule in (
        InCamera, DecisionBeforeRelease, UnmoderatedDebate, EmergencyProtocol,
        OfficialAccountPolitics, Tone, Disclaimer, Cadence, ResponseTime,
        PreferredPlatforms, DeletedPost,
    )
}

__all__ = ["REGISTRY", "PostRule", "Rule", "RuleParams"]
