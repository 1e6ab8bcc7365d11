"""The registry of exercise kinds, by the name used in exercise.yaml."""

from app.grading.kinds.base import Kind
from app.grading.kinds.capability import CapabilityKind
from app.grading.kinds.charter import CharterKind
from app.grading.kinds.control_chart import ControlChartKind
from app.grading.kinds.doe import DoeKind
from app.grading.kinds.fishbone import FishboneKind
from app.grading.kinds.hypothesis_test import HypothesisTestKind
from app.grading.kinds.msa import MsaKind
from app.grading.kinds.pareto import ParetoKind
from app.grading.kinds.pdca import PdcaKind
from app.grading.kinds.process_yield import YieldKind
from app.grading.kinds.quiz import QuizKind
from app.grading.kinds.regression import RegressionKind
from app.grading.kinds.sipoc import SipocKind
from app.grading.kinds.vsm import VsmKind

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        QuizKind(),
        YieldKind(),
        VsmKind(),
        PdcaKind(),
        ControlChartKind(),
        CapabilityKind(),
        ParetoKind(),
        HypothesisTestKind(),
        RegressionKind(),
        DoeKind(),
        MsaKind(),
        SipocKind(),
        FishboneKind(),
        CharterKind(),
    )
}


def get_kind(name: str) -> Kind:
    return KINDS[name]
