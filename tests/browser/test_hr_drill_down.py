"""An HR user drills down from the company to one learner and downloads the progress CSV."""

import csv
import io
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import Course
from tests.certification.steps import read_modules
from tests.reporting.conftest import org  # noqa: F401 - the organisation fixture

pytestmark = pytest.mark.browser


def test_hr_drills_down_from_the_company_to_a_learner_and_downloads_the_csv(
    browser_page,
    engine,
    org,  # noqa: F811
    content,
):
    with Session(engine, expire_on_commit=False) as tx:
        course = tx.exec(select(Course)).first()
        tx.commit()
        read_modules(tx, org.people["ada"], course, leave_out=6)
    page = browser_page
    page.goto("/sign-in")
    page.get_by_label("Email").fill("omar@example.com")
    page.get_by_label("Password").fill("omar-keeps-the-keys")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Organisation").click()
    page.get_by_role("link", name="Northwind").click()
    assert page.get_by_role("heading", name="Northwind", level=1).is_visible()
    summary = page.locator("table.figures").first
    assert summary.get_by_role("link", name="1", exact=True).first.is_visible()

    page.get_by_role("link", name="Operations").click()
    page.get_by_role("link", name="Claims").click()
    assert page.get_by_role("heading", name="Claims", level=1).is_visible()
    page.get_by_role("link", name="People directly in Claims").click()
    page.get_by_role("link", name="Ada Lovelace").click()
    assert page.get_by_role("heading", name="Ada Lovelace").is_visible()
    # 4 of 11 steps: ten modules and the exam
    assert page.get_by_text("36% done").is_visible()

    page.get_by_role("link", name="Claims").first.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Progress (CSV)").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["email"] for row in rows} == {"ada@example.com", "ines@example.com"}
    ada = next(row for row in rows if row["email"] == "ada@example.com")
    assert (ada["status"], ada["modules_read"]) == ("in_progress", "4")
    assert page.console_problems == []
