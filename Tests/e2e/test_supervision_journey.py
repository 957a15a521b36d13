"""督导整改 (R-22) in a real (headless) Chromium: one problem of 自然资源调查监测科党支部 from
登记 through 党组领导包联 and the 软弱涣散 list to 验收销号.

1. 登记问题 (gongwei, 2026-11-21): a form without description, aspect or leader and with the
   deadline before the found date is refused (422, Chinese errors beside the fields, the chosen
   org kept) → a valid 抽查 problem of 政治坚定星 with the deadline 2026-12-31 → its page.
2. /supervision: the branch is on neither list (the demo's 执法监察支队党支部 is 软弱涣散,
   测绘地理信息科党支部 包联).
3. The clock moves to 2027-01-02: the branch is under 党组领导包联整改 since 2027-01-01 until
   2027-04-01 (the day after the problem's deadline, plus 3 months); gongwei names the 包联领导
   孙副局长 and the problem page says so.
4. On 2027-04-01 it is still 包联; on 2027-04-02 it is a 软弱涣散党组织 until 2027-10-02 with
   a fresh 工作组 to name; the dashboard's 软弱涣散 list shows it (also at 375 px).
5. A week later 机关党委 (jiguan) uploads the evidence (整改报告.pdf) and asks for verification.
6. jiguan may supervise too, but not verify their own request: 403, 验收须由申请人以外的督导人员进行.
7. gongwei verifies it (验收销号).
8. The branch is off both lists and the dashboard; the API's history is 包联 → 软弱涣散 → 正常,
   the last step 移出软弱涣散名单.

A second test, through the API only: a problem verified on the very day its org became
软弱涣散 still leaves that listing in the history.

This journey moves the server's date, so it runs its own server (not the shared ``server``
fixture), like ``test_rating_journey``. Screenshots: ``Tests/e2e/screenshots/sup-NN-*.png``;
server log: ``Tests/e2e/screenshots/supervision-server.log``.
"""
from __future__ import annotations

import re
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

import conftest
from conftest import click_and_load, login
from test_journey import assert_no_horizontal_overflow
from test_rating_journey import as_user, body_text, flash, text_of, wait

BRANCH = "自然资源调查监测科党支部"        # ZR-B04 under 机关党委: no problems in the demo
WEAK_DEMO = "执法监察支队党支部"           # the demo's 软弱涣散 branch (three aspects at once)
LEADER_DEMO = "测绘地理信息科党支部"       # the demo's 包联 branch on 2026-11-21
DESCRIPTION = "第一议题学习制度落实不到位，学习记录缺失"
MEASURES = "建立第一议题学习台账，每月集中学习不少于一次，补齐全年学习记录"
LEADER = "孙副局长"
WORK_GROUP = "局机关纪委工作组（组长：李明）"
FOUND = "2026-11-21"
DEADLINE = "2026-12-31"
LEADER_SINCE, LEADER_UNTIL = "2027-01-01", "2027-04-01"      # the day after DEADLINE, plus 3 months
WEAK_SINCE, WEAK_UNTIL = "2027-04-02", "2027-10-02"          # the day after LEADER_UNTIL, plus 6 months
RECTIFIED_ON = "2027-04-10"
RECTIFIED_TEXT = "已建立学习台账，补齐全年学习记录"
VERIFY_TEXT = "经查验，学习台账完整，同意销号"
SELF_VERIFY_TEXT = "本单位已核实，同意销号"
EVIDENCE_NAME = "整改报告.pdf"
TINY_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --------------------------------------------------------------------------- fixtures & helpers

@pytest.fixture(scope="module")
def supervision_server():
    """A server of our own: this journey moves its clock (DANGJIAN_TEST_CLOCK=1) and adds a problem."""
    srv = conftest.start_own_server("supervision-server.log")
    yield srv
    srv.stop()


@pytest.fixture
def evidence():
    """A valid tiny PDF with a Chinese file name."""
    d = Path(tempfile.mkdtemp(prefix="dangjian-sup-e2e-"))
    pdf = d / EVIDENCE_NAME
    pdf.write_bytes(TINY_PDF)
    yield pdf
    pdf.unlink()
    d.rmdir()


def http_status(driver) -> int:
    """HTTP status of the document on screen (Navigation Timing responseStatus)."""
    return driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus;")


def field_error(driver, name: str) -> str:
    """Error text beside a form field (label.field.has-error … em.error)."""
    label = driver.find_element(By.XPATH, f"//label[contains(concat(' ', normalize-space(@class), ' '), ' field ')][.//*[@name='{name}']]")
    assert "has-error" in label.get_attribute("class").split(), f"field {name} is not marked has-error"
    return label.find_element(By.CSS_SELECTOR, "em.error").text.strip()


def set_value(driver, name: str, value: str) -> None:
    """Type into a (date) input reliably: set its value by script, as a user's picker would."""
    el = driver.find_element(By.NAME, name)
    driver.execute_script("arguments[0].value = arguments[1];"
                          "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                          "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", el, value)


def select_org(driver, name: str) -> None:
    sel = Select(driver.find_element(By.NAME, "org"))
    matches = [o for o in sel.options if name in o.text]
    assert len(matches) == 1, f"expected one option for {name}: {[o.text for o in sel.options]}"
    sel.select_by_value(matches[0].get_attribute("value"))


def visit(driver, base: str, path: str, user: str, ready: str) -> None:
    """Open ``path`` and wait for ``ready`` (CSS); logs in again when the session ended
    (moving the clock may end it)."""
    driver.get(base + path)
    wait(driver).until(lambda x: "/login" in x.current_url or x.find_elements(By.CSS_SELECTOR, ready))
    if "/login" in driver.current_url:
        login(driver, base, user)
        driver.get(base + path)
        wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, ready)))


def open_hub(driver, base: str, user: str = "gongwei") -> None:
    visit(driver, base, "/supervision", user, "section#weak")
    assert text_of(driver, ".page-head h1") == "督导整改"


def esc_row(driver, section: str, org: str):
    """The div.esc-row of ``org`` in section#weak / section#leader, or None."""
    rows = [r for r in driver.find_elements(By.CSS_SELECTOR, f"section#{section} div.esc-row")
            if org in r.find_element(By.TAG_NAME, "h3").text]
    assert len(rows) <= 1, f"{org} listed {len(rows)} times in #{section}"
    return rows[0] if rows else None


def listed_orgs(driver, section: str) -> list[str]:
    return [r.find_element(By.CSS_SELECTOR, "h3 a").text.strip()
            for r in driver.find_elements(By.CSS_SELECTOR, f"section#{section} div.esc-row")]


def row_facts(row) -> dict[str, str]:
    dts = row.find_elements(By.CSS_SELECTOR, "dl.facts dt")
    dds = row.find_elements(By.CSS_SELECTOR, "dl.facts dd")
    return {a.text.strip(): b.text.strip() for a, b in zip(dts, dds)}


def row_history(row) -> list[str]:
    """The 升级记录 lines (inside a closed <details>, so read textContent)."""
    return [li.get_attribute("textContent").strip() for li in row.find_elements(By.CSS_SELECTOR, "details ol.timeline li")]


def facts(driver) -> dict[str, str]:
    """The first dl.facts of the page as {dt: dd}."""
    dl = driver.find_element(By.CSS_SELECTOR, "dl.facts")
    return row_facts(dl.find_element(By.XPATH, ".."))


def open_problem(driver, base: str, problem_path: str, user: str) -> None:
    visit(driver, base, problem_path, user, "section#files")


def status_badge(driver) -> str:
    """整改中 / 待验收 / 已验收销号 on /problems/{id}."""
    return driver.find_element(By.XPATH, "//section[contains(@class,'card')][.//dl[contains(@class,'facts')]]/p/span[contains(@class,'badge')]").text.strip()


def escalation_banner(driver) -> str:
    """The 包联 / 软弱涣散 banner on top of /problems/{id}, '' when there is none."""
    cards = driver.find_elements(By.CSS_SELECTOR, "main section.card.row-alert")
    return cards[0].text.strip() if cards else ""


def step_options(driver) -> list[str]:
    sel = driver.find_elements(By.CSS_SELECTOR, "section#step select[name=step]")
    return [o.get_attribute("value") for o in Select(sel[0]).options] if sel else []


def do_step(driver, step: str, text: str) -> None:
    card = driver.find_element(By.CSS_SELECTOR, "section#step")
    Select(card.find_element(By.NAME, "step")).select_by_value(step)
    card.find_element(By.NAME, "text").send_keys(text)
    click_and_load(driver, card.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def timeline(driver) -> list[str]:
    return [li.text.strip() for li in driver.find_elements(
        By.XPATH, "//section[h2[normalize-space()='整改记录']]//ol[contains(@class,'timeline')]/li")]


def weak_list(driver) -> list[str]:
    """The dashboard's 软弱涣散党组织 lines (ul#weak-list in section#supervision-panel)."""
    return [li.text.strip() for li in driver.find_elements(By.CSS_SELECTOR, "section#supervision-panel ul#weak-list li")]


def open_dashboard(driver, base: str, user: str = "gongwei") -> None:
    visit(driver, base, "/", user, "section#supervision-panel")


def upload_evidence(srv, problem_id: str, token: str) -> None:
    """POST /api/v1/problems/{id}/attachments?filename=… with the PDF as the raw body."""
    url = f"{srv.base_url}/api/v1/problems/{problem_id}/attachments?" + urllib.parse.urlencode({"filename": EVIDENCE_NAME})
    req = urllib.request.Request(url, data=TINY_PDF, method="POST")
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/pdf")
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 201, r.status


def escalation_of_or_none(srv, org: str) -> dict | None:
    items = srv.api("GET", "/escalations", token=srv.token("gongwei"), query={"all": "true"})
    found = [e for e in items if e["orgName"] == org]
    assert len(found) <= 1, found
    return found[0] if found else None


def escalation_of(srv, org: str) -> dict:
    """GET /api/v1/escalations?all=true as gongwei (a fresh token: the clock moves), the entry of ``org``."""
    items = srv.api("GET", "/escalations", token=srv.token("gongwei"), query={"all": "true"})
    found = [e for e in items if e["orgName"] == org]
    assert len(found) == 1, f"{org} in /escalations?all=true: {[e['orgName'] for e in items]}"
    return found[0]


# --------------------------------------------------------------------------- the journey

def test_supervision_escalation_journey(supervision_server, browser, shot, evidence):
    srv = supervision_server
    base = srv.base_url
    d = browser(1280)
    counter = iter(range(1, 100))

    def snap(driver, name: str) -> None:
        shot(driver, f"sup-{next(counter):02d}-{name}")

    try:
        _journey(srv, base, d, browser, snap, evidence)
    except BaseException:
        print("----- supervision server log (tail) -----")
        print(srv.log_tail(80))
        raise


def _journey(srv, base, d, browser, snap, pdf):
    # ---- 1. gongwei records the problem ----------------------------------------------------------
    srv.set_today(FOUND)
    as_user(d, base, "gongwei")
    visit(d, base, "/problems/new", "gongwei", "form[action='/problems/new']")
    assert text_of(d, ".page-head h1") == "登记问题"
    assert d.find_element(By.NAME, "foundOn").get_attribute("value") == FOUND, "发现日期 defaults to today"
    # a form with no description, aspect or leader, and the deadline before the found date
    select_org(d, BRANCH)
    Select(d.find_element(By.NAME, "source")).select_by_value("spotCheck")
    set_value(d, "foundOn", FOUND)
    set_value(d, "deadline", "2026-11-01")
    snap(d, "problem-form-invalid")
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action='/problems/new'] button[type=submit]"))
    assert http_status(d) == 422
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, "label.field.has-error em.error")))
    assert field_error(d, "description") == "问题描述不能为空"
    assert field_error(d, "deadline") == "整改期限不能早于发现日期"
    assert field_error(d, "aspect") == "请选择问题所属方面"
    assert field_error(d, "leader") == "责任领导不能为空"
    for ok in ("org", "source", "foundOn"):
        label = d.find_element(By.XPATH, f"//label[.//*[@name='{ok}']]")
        assert "has-error" not in label.get_attribute("class").split(), f"{ok} should not be marked"
    summary = text_of(d, ".flash.flash-error")
    assert summary == "请修改标出的4处错误后再提交", summary
    # what was chosen is kept
    assert BRANCH in Select(d.find_element(By.NAME, "org")).first_selected_option.text
    assert Select(d.find_element(By.NAME, "source")).first_selected_option.get_attribute("value") == "spotCheck"
    assert d.find_element(By.NAME, "deadline").get_attribute("value") == "2026-11-01"
    assert "/problems/new" in d.current_url
    snap(d, "problem-form-errors")

    # the valid problem
    select_org(d, BRANCH)
    Select(d.find_element(By.NAME, "source")).select_by_value("spotCheck")
    Select(d.find_element(By.NAME, "aspect")).select_by_value("political")
    assert Select(d.find_element(By.NAME, "aspect")).first_selected_option.text == "政治坚定星"
    d.find_element(By.NAME, "description").send_keys(DESCRIPTION)
    set_value(d, "foundOn", FOUND)
    set_value(d, "deadline", DEADLINE)
    d.find_element(By.NAME, "leader").clear()
    d.find_element(By.NAME, "leader").send_keys(LEADER)
    d.find_element(By.NAME, "measures").send_keys(MEASURES)
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action='/problems/new'] button[type=submit]"))
    m = re.search(r"(/problems/[0-9a-f-]{36})$", d.current_url)
    assert m, d.current_url
    problem_path = m.group(1)
    msg = flash(d)
    assert "已登记" in msg and BRANCH in msg, msg
    assert text_of(d, ".page-head h1") == f"{BRANCH}·政治坚定星问题"
    assert status_badge(d) == "整改中"
    f = facts(d)
    assert f["来源"] == "抽查" and f["所属方面"] == "政治坚定星", f
    assert f["发现日期"] == FOUND and f["整改期限"] == DEADLINE and f["责任领导"] == LEADER, f
    assert DESCRIPTION in body_text(d) and MEASURES in body_text(d)
    assert escalation_banner(d) == "", "a fresh problem puts nobody under 包联"
    snap(d, "problem-recorded")

    # ---- 2. not on either list yet -------------------------------------------------------------------
    open_hub(d, base)
    assert esc_row(d, "weak", BRANCH) is None and esc_row(d, "leader", BRANCH) is None
    assert esc_row(d, "weak", WEAK_DEMO) is not None, listed_orgs(d, "weak")
    assert esc_row(d, "leader", LEADER_DEMO) is not None, listed_orgs(d, "leader")
    snap(d, "hub-before")

    # ---- 3. the deadline passes: 党组领导包联整改 ------------------------------------------------------
    srv.set_today("2027-01-02")
    open_hub(d, base)
    assert esc_row(d, "weak", BRANCH) is None, listed_orgs(d, "weak")
    row = esc_row(d, "leader", BRANCH)
    assert row is not None, f"{BRANCH} should be under 包联: {listed_orgs(d, 'leader')}"
    assert row.find_element(By.CSS_SELECTOR, "h3 .badge").text.strip() == "党组领导包联整改"
    rf = row_facts(row)
    assert rf["列入日期"] == LEADER_SINCE and rf["整改期限"] == LEADER_UNTIL, rf
    assert rf["未销号问题"] == "1个（政治坚定星）", rf
    assert rf["包联领导"] == "尚未明确", rf
    assert row_history(row) == [f"{LEADER_SINCE} 党组领导包联整改：政治坚定星方面的问题逾期（{DEADLINE}）未解决（期限{LEADER_UNTIL}）"], row_history(row)
    snap(d, "hub-leader")
    box = row.find_element(By.NAME, "assignee")
    assert box.get_attribute("placeholder") == "包联的党组领导姓名"
    box.send_keys(LEADER)
    click_and_load(d, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    msg = flash(d)
    assert "包联领导" in msg and msg == f"已为{BRANCH}明确包联领导：{LEADER}", msg
    row = esc_row(d, "leader", BRANCH)
    assert row_facts(row)["包联领导"] == LEADER
    assert row.find_element(By.CSS_SELECTOR, "button[type=submit]").text.strip() == "更换包联领导"
    snap(d, "hub-leader-assigned")
    # the problem's own page says who is in charge
    open_problem(d, base, problem_path, "gongwei")
    banner = escalation_banner(d)
    assert f"{BRANCH}自{LEADER_SINCE}起党组领导包联整改，期限{LEADER_UNTIL}；包联领导：{LEADER}" in banner, banner
    assert d.find_element(By.CSS_SELECTOR, "span.tag.tag-alert").text.strip() == "已逾期"
    snap(d, "problem-under-leader")

    # ---- 4. three months on: still 包联 on the last day, 软弱涣散 the day after ----------------------
    srv.set_today(LEADER_UNTIL)
    open_hub(d, base)
    row = esc_row(d, "leader", BRANCH)
    assert row is not None and esc_row(d, "weak", BRANCH) is None, "on the 包联 deadline itself it is still 包联"
    assert "整顿期满仍未整改到位" not in row.text

    srv.set_today(WEAK_SINCE)
    open_hub(d, base)
    assert esc_row(d, "leader", BRANCH) is None, listed_orgs(d, "leader")
    row = esc_row(d, "weak", BRANCH)
    assert row is not None, f"{BRANCH} should be 软弱涣散: {listed_orgs(d, 'weak')}"
    assert row.find_element(By.CSS_SELECTOR, "h3 .badge").text.strip() == "软弱涣散党组织"
    rf = row_facts(row)
    assert rf["列入日期"] == WEAK_SINCE and rf["整改期限"] == WEAK_UNTIL, rf
    assert rf["工作组"] == "尚未明确", f"the 包联领导 does not carry over to the work group: {rf}"
    hist = row_history(row)
    assert len(hist) == 2 and hist[1] == f"{WEAK_SINCE} 软弱涣散党组织：包联整改期满（{LEADER_UNTIL}）仍未整改到位（期限{WEAK_UNTIL}）", hist
    assert esc_row(d, "weak", WEAK_DEMO) is not None
    snap(d, "hub-weak")
    box = row.find_element(By.NAME, "assignee")
    assert box.get_attribute("placeholder") == "工作组组长及成员"
    box.send_keys(WORK_GROUP)
    click_and_load(d, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert flash(d) == f"已为{BRANCH}明确工作组：{WORK_GROUP}"
    assert row_facts(esc_row(d, "weak", BRANCH))["工作组"] == WORK_GROUP

    open_dashboard(d, base)
    lines = weak_list(d)
    ours = [li for li in lines if BRANCH in li]
    assert len(ours) == 1, lines
    assert f"{WEAK_SINCE}列入，整顿期限{WEAK_UNTIL}，工作组：{WORK_GROUP}" in ours[0], ours[0]
    assert any(WEAK_DEMO in li for li in lines), lines
    snap(d, "dashboard-weak")

    ph = browser(375, 812)
    login(ph, base, "gongwei")
    open_dashboard(ph, base)
    assert any(BRANCH in li for li in weak_list(ph)), weak_list(ph)
    snap(ph, "dashboard-weak-375")
    assert_no_horizontal_overflow(ph, "dashboard with the 软弱涣散 list (/)")
    open_hub(ph, base)
    assert esc_row(ph, "weak", BRANCH) is not None
    snap(ph, "hub-weak-375")
    assert_no_horizontal_overflow(ph, "督导整改 overview (/supervision)")

    # ---- 5. a week later 机关党委 uploads the evidence and asks for verification --------------------
    # (a verification on WEAK_SINCE itself: test_verification_on_the_day_of_listing_keeps_the_weak_listing)
    srv.set_today(RECTIFIED_ON)
    as_user(d, base, "jiguan")
    open_problem(d, base, problem_path, "jiguan")
    assert "软弱涣散党组织" in escalation_banner(d)
    assert step_options(d) == ["progress", "rectified"], step_options(d)
    upload = d.find_element(By.CSS_SELECTOR, "form[action$='/upload']")
    upload.find_element(By.NAME, "file").send_keys(str(pdf))
    click_and_load(d, upload.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    msg = flash(d)
    assert "已上传" in msg and EVIDENCE_NAME in msg, msg
    files = [a.text.strip() for a in d.find_elements(By.CSS_SELECTOR, "section#files ul.files li a")]
    assert files == [EVIDENCE_NAME], files
    snap(d, "evidence-uploaded")
    do_step(d, "rectified", RECTIFIED_TEXT)
    msg = flash(d)
    assert "待验收" in msg and msg == "已记录“申请验收”，问题当前待验收", msg
    assert status_badge(d) == "待验收"
    assert any("申请验收" in t and "陈丽华" in t and RECTIFIED_TEXT in t and RECTIFIED_ON in t for t in timeline(d)), timeline(d)
    snap(d, "verification-requested")

    # ---- 6. jiguan may not verify their own request --------------------------------------------------
    # the page offers jiguan no verification of their own request …
    assert step_options(d) == [], step_options(d)
    # … and a hand-made form posting one anyway is refused by the server
    d.execute_script("""
        const f = document.createElement('form'); f.method = 'post'; f.action = location.pathname + '/steps';
        for (const [k, v] of [['_csrf', document.querySelector('input[name=_csrf]').value], ['step', 'verify'], ['text', arguments[0]]]) {
            const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
        }
        document.body.appendChild(f); f.submit();""", SELF_VERIFY_TEXT)
    wait(d).until(lambda drv: drv.find_elements(By.CSS_SELECTOR, "h1.err-title"))
    assert http_status(d) == 403
    assert text_of(d, "h1.err-title") == "无权访问"
    assert "验收须由申请人以外的督导人员进行" in body_text(d)
    snap(d, "self-verify-refused")
    open_problem(d, base, problem_path, "jiguan")
    assert status_badge(d) == "待验收", "the refused verification changed nothing"
    assert not any(SELF_VERIFY_TEXT in t for t in timeline(d)), timeline(d)

    # ---- 7. gongwei verifies ---------------------------------------------------------------------------
    as_user(d, base, "gongwei")
    open_problem(d, base, problem_path, "gongwei")
    assert status_badge(d) == "待验收"
    assert step_options(d) == ["verify", "reject"], step_options(d)
    do_step(d, "verify", VERIFY_TEXT)
    msg = flash(d)
    assert "已验收销号" in msg and msg == "已记录“验收通过”，问题当前已验收销号", msg
    assert status_badge(d) == "已验收销号"
    f = facts(d)
    assert f.get("验收销号") == f"{RECTIFIED_ON} 周志强（gongwei）", f
    assert not d.find_elements(By.CSS_SELECTOR, "section#step"), "nothing is left to do"
    assert not d.find_elements(By.CSS_SELECTOR, "form[action$='/upload']"), "no uploads after 验收销号"
    assert escalation_banner(d) == "", "the branch has left the lists"
    assert any("验收通过" in t and "周志强" in t and VERIFY_TEXT in t for t in timeline(d)), timeline(d)
    snap(d, "problem-verified")

    # ---- 8. off the lists, on the dashboard too; the API keeps the history -----------------------------
    open_hub(d, base)
    assert esc_row(d, "weak", BRANCH) is None and esc_row(d, "leader", BRANCH) is None
    assert esc_row(d, "weak", WEAK_DEMO) is not None, listed_orgs(d, "weak")
    snap(d, "hub-after")
    open_dashboard(d, base)
    lines = weak_list(d)
    assert not any(BRANCH in li for li in lines), lines
    assert any(WEAK_DEMO in li for li in lines), lines
    snap(d, "dashboard-after")

    e = escalation_of(srv, BRANCH)
    assert e["level"] == "none" and e["openProblems"] == 0 and not e.get("assignee"), e
    hist = e["history"]
    assert [h["level"] for h in hist] == ["leader", "weak", "none"], hist
    assert [h["day"] for h in hist] == [LEADER_SINCE, WEAK_SINCE, RECTIFIED_ON], hist
    assert [h.get("deadline") for h in hist] == [LEADER_UNTIL, WEAK_UNTIL, None], hist
    assert "移出软弱涣散名单" in hist[-1]["reason"], hist[-1]
    # …and the demo's 软弱涣散 branch is untouched
    assert escalation_of(srv, WEAK_DEMO)["level"] == "weak"


# --------------------------------------------------------------------------- same-day verification

SAME_DAY_BRANCH = "ZR-B05"   # another branch of 机关党委 without demo problems


def test_verification_on_the_day_of_listing_keeps_the_weak_listing(supervision_server):
    """Through the API: a problem (deadline 2026-12-31) makes the org 包联 on 2027-01-01 and
    软弱涣散 on 2027-04-02, as in the journey, but it is verified on 2027-04-02 itself. The org
    stood on the 软弱涣散 list that morning, so its history must keep that listing (包联 →
    软弱涣散 → 正常, the last two on the same day) — R-24 (``wasWeak``) reads it. Builds before
    8a9c61d counted a problem verified on day D as closed all of D and recorded 包联 → 正常."""
    srv = supervision_server
    srv.set_today(FOUND)
    gw = srv.token("gongwei")
    orgs = srv.api("GET", "/orgs", token=gw)["items"]
    org = next(o for o in orgs if o.get("code") == SAME_DAY_BRANCH)
    assert escalation_of_or_none(srv, org["name"]) is None, "the branch should have no problems in the demo"
    p = srv.api("POST", "/problems", {"orgId": org["id"], "source": "spotCheck", "aspect": "service", "description": "窗口一次性告知不到位",
                                     "foundOn": FOUND, "deadline": DEADLINE, "leader": LEADER}, token=gw)
    srv.set_today(WEAK_SINCE)
    listed = escalation_of(srv, org["name"])
    assert listed["level"] == "weak" and listed["since"] == WEAK_SINCE, listed
    jg = srv.token("jiguan")
    upload_evidence(srv, p["id"], jg)
    srv.api("POST", f"/problems/{p['id']}/steps", {"step": "rectified", "text": "已整改"}, token=jg)
    done = srv.api("POST", f"/problems/{p['id']}/steps", {"step": "verify", "text": "同意销号"}, token=srv.token("gongwei"))
    assert done["status"] == "verified", done
    e = escalation_of(srv, org["name"])
    assert e["level"] == "none", e
    hist = e["history"]
    assert [(h["day"], h["level"]) for h in hist] == [(LEADER_SINCE, "leader"), (WEAK_SINCE, "weak"), (WEAK_SINCE, "none")], hist
    assert "移出软弱涣散名单" in hist[-1]["reason"], hist[-1]
