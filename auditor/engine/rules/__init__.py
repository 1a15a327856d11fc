"""Every rule, by id. The registry is explicit: adding a rule is one module and one line here."""

from auditor.engine.rules.base import PostRule, Rule, RuleParams
from auditor.engine.rules.cadence import Cadence
from auditor.engine.rules.decision_before_release import DecisionBeforeRelease
from auditor.engine.rules.deleted_post import DeletedPost
from auditor.engine.rules.disclaimer import Disclaimer
from auditor.engine.rules.emergency_protocol import EmergencyProtocol
from auditor.engine.rules.in_camera import InCamera
from auditor.engine.rules.official_account_politics import OfficialAccountPolitics
from auditor.engine.rules.preferred_platforms import PreferredPlatforms
from auditor.engine.rules.response_time import ResponseTime
from auditor.engine.rules.tone import Tone
from auditor.engine.rules.unmoderated_debate import UnmoderatedDebate

REGISTRY: dict[str, type[Rule]] = {
    rule.id: rule
    for rule in (
        InCamera, DecisionBeforeRelease, UnmoderatedDebate, EmergencyProtocol,
        OfficialAccountPolitics, Tone, Disclaimer, Cadence, ResponseTime,
        PreferredPlatforms, DeletedPost,
    )
}

__all__ = ["REGISTRY", "PostRule", "Rule", "RuleParams"]
