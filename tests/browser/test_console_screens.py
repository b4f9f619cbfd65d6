"""A head's screens in Chromium: statistics and a chart, warnings, plans, complaints (and the public page), samples.

One file, so one stack serves every journey here (pytest-xdist gives a file to one worker).
"""

from __future__ import annotations

import gzip
import json
import re
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from ulid import ULID

from tests.browser.conftest import CONSOLE, SCREENSHOTS, Stack, screenshot, sign_in

LICHENG = "370112"
# ECharts must never ride on a first load: the statistics screen imports it when it draws.
FIRST_LOAD_BUDGET = 300 * 1024


def _measure(name: str, value: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "measurements.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = value
    path.write_text(json.dumps(known, indent=2) + "\n")


def _wait(check: Any, what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def _signed_in(browser: Any, local: Stack, user: str) -> tuple[Any, Any]:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, local, user)
    page.wait_for_selector("[data-testid=agency-name]")
    return context, page


def test_the_consoles_first_load_leaves_echarts_to_the_statistics_screen() -> None:
    page = (CONSOLE / "index.html").read_text()
    first = [name for name in page.split('"') if name.startswith("/assets/") and name.endswith(".js")]
    sizes = {name: len(gzip.compress((CONSOLE / name.lstrip("/")).read_bytes(), compresslevel=9)) for name in first}
    charts = {
        path.name: len(gzip.compress(path.read_bytes(), compresslevel=9))
        for path in (CONSOLE / "assets").glob("chart-*.js")
    }
    _measure("console_first_load_js_gzip_bytes", {"total": sum(sizes.values()), "files": sizes})
    _measure("statistics_chart_chunk_gzip_bytes", charts)
    assert charts, "no chart chunk of its own: ECharts is not loaded by a dynamic import"
    assert not any("chart-" in name for name in first)
    assert sum(sizes.values()) < FIRST_LOAD_BUDGET, sizes


def test_a_city_head_reads_the_statistics_as_tables_and_a_chart_beside_the_previous_period(
    browser: Any, local: Stack
) -> None:
    # Given Jinan's head, whose city has counties below it
    context, page = _signed_in(browser, local, "jn-head")
    region = local.ok("jn-head", "GET", "/me")["agency"]["region"]
    charts: list[str] = []
    page.on("request", lambda r: charts.append(r.url) if "/assets/chart-" in r.url else None)
    # When she opens the statistics
    started = time.monotonic()
    page.get_by_role("link", name="数据统计").click()
    page.locator("[data-testid=chart][data-drawn=true]").wait_for()
    _measure("statistics_drawn_ms", round(1000 * (time.monotonic() - started)))
    # Then the chart's code came only now, and the chart and the tables show what the API answers
    assert len(charts) == 1
    assert page.locator("[data-testid=chart] canvas").count() >= 1
    drill = local.ok("jn-head", "GET", f"/statistics/drilldown?region={region}&period=month")
    rows = page.locator("[data-testid=drilldown-table] tbody tr")
    assert rows.count() == len(drill["children"])
    for child in drill["children"]:
        cells = page.locator(f"[data-testid=drilldown-table] tr[data-key='{child['region']}'] td")
        sampled = child["figures"].get("samples", {}).get("sampled", 0)
        before = drill["previous_children"].get(child["region"], {}).get("samples", {}).get("sampled", 0)
        assert cells.nth(0).inner_text() == child["name"]
        assert cells.nth(1).inner_text() == str(sampled) and cells.nth(2).inner_text() == str(before)
    overview = local.ok("jn-head", "GET", f"/statistics/overview?region={region}&period=month")
    first = page.locator("[data-testid=overview-table] tr[data-key='samples.sampled'] td")
    assert first.nth(1).inner_text() == str(overview["current"]["figures"].get("samples", {}).get("sampled", 0))
    assert overview["previous_key"] in page.inner_text("[data-testid=overview-key]")
    # When she opens one county below
    child = drill["children"][0]
    page.locator("[data-testid=drilldown-table]").get_by_role("link", name=child["name"]).click()
    page.get_by_test_id("up").wait_for()
    # Then that county's figures come (a county has none below) ...
    page.locator("[data-testid=overview-key]", has_text=child["name"]).wait_for()
    # ... and in English, by the year
    page.get_by_test_id("up").click()
    page.get_by_test_id("lang").click()
    page.get_by_test_id("period").select_option("year")
    page.get_by_text("Regions below").wait_for()
    page.locator("[data-testid=chart][data-drawn=true]").wait_for()
    year = local.ok("jn-head", "GET", f"/statistics/overview?region={region}&period=year")
    page.locator("[data-testid=overview-key]", has_text=year["key"]).wait_for()
    # And the drill-down downloads as the API's XLSX table
    page.get_by_test_id("stats-export").click()
    link = page.get_by_test_id("stats-download")
    link.wait_for()
    with urllib.request.urlopen(link.get_attribute("href"), timeout=30) as response:
        assert response.read(2) == b"PK"  # an XLSX is a zip
    screenshot(page, "statistics")
    page.get_by_test_id("lang").click()
    context.close()


def test_an_agency_acknowledges_a_warning_and_records_its_response(browser: Any, local: Stack) -> None:
    # Given the ministry has published a warning to Licheng by hand
    title = f"韭菜腐霉利超标风险 {ULID()}"
    warning = local.ok(
        "moa-analyst",
        "POST",
        "/warnings",
        {
            "title": title,
            "level": "orange",
            "region": LICHENG,
            "subject": f"010408#腐霉利#{ULID()}",
            "evidence": "近30日抽检不合格率上升",
        },
    )
    context, page = _signed_in(browser, local, "jn-licheng-head")
    # When Licheng's head opens her warnings (her inbox lists them)
    page.get_by_role("link", name="风险预警").click()

    def listed() -> bool:
        if page.get_by_role("link", name=title).count():
            return True
        page.reload()
        page.get_by_test_id("warnings").wait_for()
        return False

    # The inbox is fed by the stream: a fresh stack may still be working through its demo's records.
    _wait(listed, "the warning never reached the inbox", 180)
    page.get_by_role("link", name=title).click()
    page.get_by_test_id("warning-title").wait_for()
    assert page.inner_text("[data-testid=warning-level]") == "橙色（II级）"
    # And records a response before acknowledging it
    page.get_by_test_id("warning-note").fill("已调度港沟街道开展排查")
    page.get_by_test_id("respond").click()
    # Then the API's refusal shows, in Chinese, and nothing is recorded
    refused = page.locator("[role=alert][data-status='409']")
    refused.wait_for()
    assert local.ok("jn-licheng-head", "GET", f"/warnings/{warning['id']}")["responses"] == []
    # When she acknowledges it (签收), then records a disposal (处置)
    page.get_by_test_id("acknowledge").click()
    page.locator("[data-testid=acknowledgements] tbody tr").wait_for()
    page.get_by_test_id("response-action").select_option("disposal")
    page.get_by_test_id("respond").click()
    page.locator("[data-testid=responses] tbody tr").wait_for()
    # Then the warning holds both, as the API shows
    stored = local.ok("jn-licheng-head", "GET", f"/warnings/{warning['id']}")
    assert len(stored["acknowledgements"]) == 1
    assert [(r["action"], r["note"]) for r in stored["responses"]] == [("disposal", "已调度港沟街道开展排查")]
    assert "处置" in page.inner_text("[data-testid=responses]")
    assert page.locator("[role=alert]").count() == 0
    screenshot(page, "warning")
    context.close()


def test_a_head_reads_her_plans_targets_the_performance_table_and_downloads_it(browser: Any, local: Stack) -> None:
    # Given Licheng's head has published an inspection plan naming her two supervisors
    head = "jn-licheng-head"
    org = local.ok(head, "GET", "/me")["agency"]["id"]
    staff = local.ok(head, "GET", f"/agencies/{org}/users?limit=100")["items"]
    supervisors = [u for u in staff if "supervisor" in u["roles"] and u["active"]][:2]
    subjects = local.ok(head, "GET", f"/subjects?region={LICHENG}&state=approved&limit=3")["items"]
    month = datetime.now(UTC) + timedelta(hours=8)  # China time
    title = f"历城区巡查计划 {ULID()}"
    draft = local.ok(
        head,
        "POST",
        "/inspection-plans",
        {
            "title": title,
            "period": month.strftime("%Y-%m"),
            "regions": [LICHENG],
            "scope": {"subject_ids": [s["id"] for s in subjects], "categories": [], "key_objects_first": True},
            "template": {"code": "CN-BASE-DEFAULT", "number": 1},
            "targets": [
                {"user_id": u["id"], "inspections": 8 - 3 * i, "key_objects": 1} for i, u in enumerate(supervisors)
            ],
        },
    )
    local.ok(head, "POST", f"/inspection-plans/{draft['id']}/publish", {"version": draft["version"]})
    context, page = _signed_in(browser, local, head)
    # When she opens the plans and the plan
    page.get_by_role("link", name="巡查计划").click()
    page.get_by_role("link", name=title).click()
    targets = page.locator("[data-testid=targets-table] tbody tr")
    targets.first.wait_for()
    # Then each supervisor's target shows as the plan holds it
    plan = local.ok(head, "GET", f"/inspection-plans/{draft['id']}")
    assert targets.count() == len(plan["targets"]) == 2
    for target in plan["targets"]:
        cells = page.locator(f"[data-testid=targets-table] tr[data-key='{target['user_id']}'] td")
        assert cells.nth(0).inner_text() == target["name"] and cells.nth(2).inner_text() == str(target["inspections"])
    # And the performance table is the API's, one row per supervisor
    performance = local.ok(head, "GET", f"/inspection-performance?period={month.strftime('%Y-%m')}")
    rows = page.locator("[data-testid=performance-table] tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(performance["rows"])
    for row in performance["rows"]:
        cells = page.locator(f"[data-testid=performance-table] tr[data-key='{row['user_id']}'] td")
        assert cells.nth(1).inner_text() == str(row["target"]) and cells.nth(2).inner_text() == str(row["done"])
    # When she exports it, a download link to the XLSX file appears
    page.get_by_test_id("perf-export").click()
    link = page.get_by_test_id("perf-download")
    link.wait_for()
    with urllib.request.urlopen(link.get_attribute("href"), timeout=30) as response:
        assert response.read(2) == b"PK"  # an XLSX is a zip
    screenshot(page, "plans-performance")
    context.close()


def test_a_citizen_files_a_complaint_the_agency_accepts_and_answers_and_the_citizen_follows_it(
    browser: Any, local: Stack
) -> None:
    # Given a citizen on the public page, signed in nowhere
    citizen = browser.new_context(locale="zh-CN")
    page = citizen.new_page()
    page.goto(f"{local.console_url}/public/complaints")
    what = f"在历城区港沟街道农贸市场购买的韭菜有刺鼻农药味 {ULID()}"
    # When she files a complaint without an address
    page.get_by_test_id("c-name").fill("王芳")
    page.get_by_test_id("c-phone").fill("13800138000")
    page.get_by_test_id("c-region").fill(LICHENG)
    page.get_by_test_id("c-what").fill(what)
    page.get_by_test_id("c-file").click()
    # Then the API's refusal names the missing field, and nothing is filed
    page.locator("[role=alert][data-status='400'], [role=alert][data-status='422']").wait_for()
    assert "place.address" in page.inner_text("[role=alert]")
    # When she adds it and files again
    page.get_by_test_id("c-address").fill("历城区港沟街道农贸市场")
    page.get_by_test_id("c-file").click()
    # Then she gets a tracking number and a secret, and her link shows the case received
    page.get_by_test_id("receipt").wait_for()
    number = page.inner_text("[data-testid=tracking-no]")
    page.get_by_test_id("tracking-link").click()
    page.get_by_test_id("tracked").wait_for()
    assert page.inner_text("[data-testid=tracked-agency]") == "历城区农业农村局"

    # When Licheng's head opens the agency's complaints
    context, staff = _signed_in(browser, local, "jn-licheng-head")
    staff.get_by_role("link", name="投诉举报").click()
    case = local.ok("jn-licheng-head", "GET", f"/complaints/{number}")
    row = staff.locator(f"[data-testid=complaints-table] tr[data-key='{number}']")
    row.wait_for()
    # Then the case shows with its acceptance due day
    assert case["accept_due"] in row.inner_text()
    row.get_by_role("link").click()
    staff.get_by_test_id("complaint-what").wait_for()
    assert staff.inner_text("[data-testid=complaint-what]") == what
    # When she answers before accepting it, the API's refusal shows; then she accepts and answers
    staff.get_by_test_id("answer-text").fill("经抽检，该批次韭菜腐霉利超标，已立案查处")
    staff.get_by_test_id("answer").click()
    staff.locator("[role=alert][data-status='409']").wait_for()
    staff.get_by_test_id("accept").click()
    staff.locator("[data-testid=complaint-state][data-state=accepted]").wait_for()
    staff.get_by_test_id("answer-result").select_option("case_opened")
    staff.get_by_test_id("answer").click()
    staff.locator("[data-testid=complaint-state][data-state=answered]").wait_for()
    assert staff.inner_text("[data-testid=complaint-state]") == "已办结"
    screenshot(staff, "complaint-case")
    context.close()
    # Then the citizen, following her link again, reads the answer
    page.reload()
    page.get_by_test_id("tracked").wait_for()
    assert "已立案" in page.inner_text("[data-testid=tracked-answer]")
    assert local.ok("jn-licheng-head", "GET", f"/complaints/{number}")["state"] == "answered"
    screenshot(page, "complaint-public")
    citizen.close()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 8 + b"\xff\xd9"


def test_field_mode_records_a_sample_offline_and_it_arrives_once_with_its_photo(browser: Any, local: Stack) -> None:
    # Given Jinan's lab sampler on her phone, signed in, her received monitoring task read while online
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation={"latitude": 36.68, "longitude": 117.15, "accuracy": 8},
    )
    page = context.new_page()
    page.goto(f"{local.console_url}/field")
    page.get_by_test_id("sign-in").click()
    page.fill("#username", "jn-lab-analyst")
    page.fill("#password", "Demo-Passw0rd!")
    page.click("button[type=submit]")
    page.wait_for_url(f"{local.console_url}/field")
    page.get_by_test_id("sample").click()
    page.get_by_test_id("s-task").wait_for()
    task_id = page.locator("[data-testid=s-task]").input_value()
    # When the network goes and she records a chives sample by hand, with a photo
    context.set_offline(True)
    page.locator("[data-testid=network].off").wait_for()
    seal = f"LC-FIELD-{str(ULID())[-6:]}"
    for key, value in {
        "product_code": "010408",
        "product_name": "韭菜",
        "subject_name": "历城区港沟街道韭菜基地",
        "region": LICHENG,
        "address": "历城区港沟街道",
        "quantity": "1.5",
        "seal": seal,
    }.items():
        page.get_by_test_id(f"s-{key}").fill(value)
    page.get_by_test_id("s-photo").set_input_files({"name": "sample.jpg", "mimeType": "image/jpeg", "buffer": JPEG})
    page.get_by_test_id("s-save").click()
    # Then it waits in the outbox, and the API has nothing yet
    waiting = page.locator("[data-testid=outbox] li[data-state=waiting]")
    waiting.wait_for()
    sample_id = waiting.get_attribute("data-id")
    assert local.call("jn-lab-analyst", "GET", f"/samples/{sample_id}")[0] == 404
    # When the network returns, but the answer to the first send is lost on the way back
    lost = {"count": 0}

    def lose_first_answer(route: Any) -> None:
        if route.request.method == "POST" and lost["count"] == 0:
            lost["count"] += 1
            route.fetch()  # the API stores it...
            route.abort("connectionreset")  # ...and the phone never hears so
            return
        route.continue_()

    page.route(re.compile(r".*/monitoring-tasks/[0-9A-Z]{26}/samples$"), lose_first_answer)
    context.set_offline(False)
    page.locator("[data-testid=network].on").wait_for()

    def sent() -> bool:
        if page.locator(f"[data-testid=outbox] li[data-id='{sample_id}'][data-state=sent]").count():
            return True
        if lost["count"] and page.get_by_role("button", name="立即发送").count():
            page.get_by_role("button", name="立即发送").click()
        return False

    _wait(sent, "the sample was never sent", 30)
    # Then it arrived once, under the phone's id, its photo attached
    assert lost["count"] == 1
    listed = local.ok("jn-lab-analyst", "GET", f"/monitoring-tasks/{task_id}/samples?limit=200")["items"]
    assert [s["id"] for s in listed].count(sample_id) == 1
    assert local.ok("jn-lab-analyst", "GET", f"/samples/{sample_id}")["seal_no"] == seal
    _wait(
        lambda: [
            a
            for a in local.ok("jn-lab-analyst", "GET", f"/attachments?owner_kind=sample&owner_id={sample_id}")["items"]
            if a["state"] == "attached"
        ],
        "the photo never arrived",
        30,
    )
    screenshot(page, "field-sample-sent")
    context.close()
