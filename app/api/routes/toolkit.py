"""The toolkit as JSON: post data as CSV text with the analysis' settings, get the figures
and the chart. The same analyses as the /toolkit pages and the graders."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.schemas import ErrorOut
from app.deps import CurrentUser
from app.toolkit.tools import TOOLS, Tool

router = APIRouter(
    prefix="/toolkit",
    tags=["toolkit"],
    responses={401: {"model": ErrorOut}},
)


class AnalysisOut(BaseModel):
    title: str
    result: dict[str, Any]
    svg: str | None
    notes: list[str]


def _add(tool: Tool) -> None:
    def analyse(given: tool.Input, user: CurrentUser) -> AnalysisOut:  # type: ignore[name-defined]
        analysis = tool.run(given)
        return AnalysisOut(
            title=analysis.title, result=analysis.result, svg=analysis.svg, notes=analysis.notes
        )

    analyse.__doc__ = f"{tool.title}: {tool.summary}"
    router.add_api_route(
        f"/{tool.slug}",
        analyse,
        methods=["POST"],
        response_model=AnalysisOut,
        name=f"toolkit_{tool.slug.replace('-', '_')}",
    )


for each in TOOLS:
    _add(each)
