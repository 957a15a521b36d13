"""Everyday records in a real (headless) Chromium: organizational life and 群众点单.

1. 组织生活 (zhibu2, 1280 px): 国土空间规划科党支部's November is 进行中 with 集中学习 本月1/2 →
   the record form refuses an absentee without a reason (422, error beside that member; other
   errors and the entered values kept) → with the reason, 集中学习 on 2026-11-20 → back on the
   calendar November is 达标 and the flash says so → the record and its absentee → the overview's
   heat map shows the month green.
2. 群众点单 (a resident at 375 px, no login): an empty need is refused with errors beside 所在社区,
   需求, 具体情况, 称呼 and 联系电话 → a need whose title carries an <img onerror> tag and whose
   text has a line break → the tracking code; the tag is shown as text, never as an element.
3. 机关党委 (jiguan) dispatches it to 办公室党支部 → its secretary (zhibu) accepts → a member
   (dangyuan, on a 375 px phone) claims it and finishes it with a result.
4. The resident looks the code up (typed in lower case), sees 已办结待评价 and the result; a
   rating without stars is refused, five stars with a comment are thanked for; the form is gone
   and a replayed rating does not change it.
5. /demands shows the need as 已评价 and 黄河社区's 为民办实事 count one higher than before.

This journey changes demo data, so it runs its own server (not the shared ``server`` fixture),
like ``test_rating_journey``. Screenshots: ``Tests/e2e/screenshots/rec-NN-*.png``; server log:
``Tests/e2e/screenshots/rec-server.log``.
"""
from __future__ import annotations

import re

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import conftest
from conftest import SCREENSHOT_DIR, click_and_load, login
from test_journey import assert_no_horizontal_overflow, set_date
from test_rating_journey import as_user, body_text, flash, text_of, wait

BRANCH = "国土空间规划科党支部"          # ZR-B02, zhibu2's branch
BRANCH_CODE = "ZR-B02"
MEETING_DATE = "2026-11-20"
MEETING_TOPIC = "集中学习：深入学习国土空间规划编制技术规程"
ABSENT_REASON = "外出参加省厅业务培训"

COMMUNITY = "黄河社区"
COMMUNITY_OPTION = "黄河社区（五里堡街道）"
UNIT = "办公室党支部"
MEMBER = "李娜"
XSS = "<img src=x onerror=alert(1)>"
DEMAND_TITLE = f"楼道灯坏了{XSS}"
DEMAND_LINES = ["黄河路8号院3号楼2单元楼道灯不亮已经一周。", "晚上老人上下楼很不方便，希望尽快修好。"]
RESIDENT = "张女士"
RESIDENT_PHONE = "13812345678"
RESULT = "已联系物业更换3号楼2单元全部楼道灯，并检查了线路，现已恢复照明。"
RATING_COMMENT = "修得很快，谢谢机关党员！"


# --------------------------------------------------------------------------- fixtures & helpers

@pytest.fixture(scope="module")
def records_server():
    """A server of our own: this journey adds a meeting record and a demand to the demo data."""
    srv = conftest.start_own_server("rec-server.log")
    yield srv
    srv.stop()


def field_error(driver, name: str, scope: str = "") -> str:
    """Error text beside a form field (label.field.has-error … .error)."""
    label = driver.find_element(
        By.XPATH, f"{scope}//label[contains(concat(' ', normalize-space(@class), ' '), ' field ')][.//*[@name='{name}']]")
    assert "has-error" in label.get_attribute("class").split(), f"field {name} is not marked has-error"
    return label.find_element(By.CSS_SELECTOR, ".error").text.strip()


def http_status(driver) -> int:
    """HTTP status of the document on screen (Navigation Timing responseStatus)."""
    return driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus;")


def no_alert(driver) -> bool:
    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        return True
    pytest.fail(f"a JavaScript alert is open ({text!r}): markup from the resident was executed")


def month_cell(driver, month: int) -> tuple[str, list[str]]:
    """(badge text, rule lines) of one month on /orgs/{id}/life."""
    cell = driver.find_element(By.ID, f"m{month}")
    return (cell.find_element(By.CSS_SELECTOR, "span.badge").text.strip(),
            [li.text.strip() for li in cell.find_elements(By.CSS_SELECTOR, "li")])


def table_rows(driver, css: str) -> list[dict[str, str]]:
    return [{td.get_attribute("data-label"): td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")}
            for tr in driver.find_elements(By.CSS_SELECTOR, f"{css} tbody tr")]


def deeds_done(driver, base: str, community: str) -> int:
    """黄河社区's 已办结 count in /demands' 为民办实事 table (the table has no data-labels)."""
    driver.get(base + "/demands")
    card = wait(driver).until(EC.presence_of_element_located(
        (By.XPATH, "//section[contains(@class,'card')][h2[contains(., '为民办实事')]]")))
    assert card.find_element(By.TAG_NAME, "h2").text.strip() == "2026年为民办实事"
    for tr in card.find_elements(By.CSS_SELECTOR, "tbody tr"):
        tds = [td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")]
        if tds[0] == community:
            m = re.fullmatch(r"(\d+)件", tds[1])
            assert m, tds
            return int(m.group(1))
    pytest.fail(f"{community} is not in the 为民办实事 table: {card.text}")


def facts(driver) -> dict[str, str]:
    """dl.facts as {dt: dd}."""
    dts = driver.find_elements(By.CSS_SELECTOR, "dl.facts dt")
    dds = driver.find_elements(By.CSS_SELECTOR, "dl.facts dd")
    return {a.text.strip(): b.text.strip() for a, b in zip(dts, dds)}


def open_demand(driver, base: str, demand_id: str) -> None:
    driver.get(f"{base}/demands/{demand_id}")
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "dl.facts")))


def state_badge(driver) -> str:
    """The state badge of /demands/{id} or of the public tracking page."""
    return text_of(driver, "section.card p > span.badge")


def assert_title_is_text(driver, page: str) -> None:
    """The resident's <img onerror> is shown as characters, not parsed into an element."""
    no_alert(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, "img[src=x]"), f"{page}: the title's <img> tag became an element"
    assert not driver.find_elements(By.CSS_SELECTOR, "img[onerror]"), f"{page}: an <img onerror> element exists"
    assert "&lt;img src=x onerror=alert(1)&gt;" in driver.page_source, f"{page}: the title is not HTML-escaped"
    assert XSS in body_text(driver), f"{page}: the title's tag is not shown literally"


# --------------------------------------------------------------------------- 1. 组织生活

def test_secretary_records_the_missing_study(records_server, browser, shot):
    srv = records_server
    base = srv.base_url
    step = iter(range(1, 100))

    def snap(driver, name: str) -> None:
        shot(driver, f"rec-{next(step):02d}-{name}")

    orgs = srv.api("GET", "/orgs", token=srv.token("zhibu2"))["items"]
    branch = [o for o in orgs if o["code"] == BRANCH_CODE]
    assert len(branch) == 1 and branch[0]["name"] == BRANCH, orgs
    org_id = branch[0]["id"]
    calendar_url = f"{base}/orgs/{org_id}/life?year=2026"

    d = browser(1280)
    login(d, base, "zhibu2")
    d.get(calendar_url)
    wait(d).until(EC.presence_of_element_located((By.ID, "compliance")))
    assert text_of(d, ".page-head h1").startswith(BRANCH)
    badge, rules = month_cell(d, 11)
    assert badge == "进行中", (badge, rules)
    assert "支部、党小组集中学习 本月1/2" in rules, rules
    assert "主题党日 本月1/1" in rules and "支委会 本月1/1" in rules, rules
    assert month_cell(d, 10)[0] == "达标"
    share_before = text_of(d, "#share")
    assert re.fullmatch(r"\d+%", share_before), share_before
    recorded = table_rows(d, "section.card table")
    assert not [r for r in recorded if r.get("日期") == MEETING_DATE], "the demo has no record on 2026-11-20 yet"
    snap(d, "calendar-november-pending")

    # the record form, reached from the calendar, for this branch
    click_and_load(d, d.find_element(By.LINK_TEXT, "记录组织生活"))
    assert d.current_url.endswith(f"/meetings/new?org={org_id}"), d.current_url
    org_select = Select(d.find_element(By.CSS_SELECTOR, "form[action='/meetings/new'][method=get] select[name=org]"))
    assert BRANCH in org_select.first_selected_option.text
    form = wait(d).until(EC.presence_of_element_located((By.ID, "meeting-form")))
    assert form.find_element(By.CSS_SELECTOR, "p.field b").text.strip() == BRANCH
    assert d.find_element(By.NAME, "date").get_attribute("value") == conftest.TODAY
    assert d.find_element(By.NAME, "host").get_attribute("value") == "刘海燕"
    attendees = d.find_elements(By.CSS_SELECTOR, "#meeting-form .attendee")
    assert len(attendees) >= 3, "the branch lists its members"
    boxes = [a.find_element(By.CSS_SELECTOR, "input[type=checkbox]") for a in attendees]
    assert all(b.is_selected() for b in boxes), "everyone is present by default"
    # leave the last member unchecked without a reason (and nothing else filled in)
    absent = attendees[-1]
    absent_name = absent.find_element(By.TAG_NAME, "label").text.strip()
    absent_id = boxes[-1].get_attribute("name").removeprefix("att.")
    assert absent_name and absent_name != "刘海燕", absent_name
    boxes[-1].click()
    assert not boxes[-1].is_selected()
    set_date(d, "date", MEETING_DATE)
    click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    # 422: the error is beside that member; the other members have none; what was entered is kept
    assert d.current_url.endswith("/meetings/new"), d.current_url
    assert http_status(d) == 422
    box = wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#meeting-form .attendee.has-error")))
    errored = d.find_elements(By.CSS_SELECTOR, "#meeting-form .attendee.has-error")
    assert len(errored) == 1, [e.text for e in errored]
    assert box.find_element(By.TAG_NAME, "label").text.strip() == absent_name
    reason_error = box.find_element(By.CSS_SELECTOR, "em.error").text.strip()
    assert reason_error == f"请填写{absent_name}的缺席原因", reason_error
    assert "缺席原因" in reason_error
    assert box.find_element(By.NAME, f"reason.{absent_id}").is_displayed()
    assert not d.find_element(By.NAME, f"att.{absent_id}").is_selected(), "the unchecked member stays unchecked"
    checked = [b for b in d.find_elements(By.CSS_SELECTOR, "#meeting-form .attendee input[type=checkbox]") if b.is_selected()]
    assert len(checked) == len(attendees) - 1
    types_field = d.find_element(By.XPATH, "//fieldset[.//input[@name='type.study']]")
    assert "has-error" in types_field.get_attribute("class").split(), "no meeting type chosen"
    assert field_error(d, "topic"), "an empty topic is an error"
    assert d.find_element(By.NAME, "date").get_attribute("value") == MEETING_DATE, "the date is kept"
    assert d.find_element(By.CSS_SELECTOR, "#meeting-form").is_displayed()
    snap(d, "record-form-absentee-without-reason")

    # the reason, 集中学习, a topic → saved, back on the calendar
    d.find_element(By.NAME, f"reason.{absent_id}").send_keys(ABSENT_REASON)
    d.find_element(By.NAME, "type.study").click()
    assert d.find_element(By.NAME, "type.study").is_selected()
    d.find_element(By.NAME, "topic").send_keys(MEETING_TOPIC)
    d.find_element(By.NAME, "place").send_keys("三楼会议室")
    d.find_element(By.NAME, "minutes").send_keys("学习《国土空间规划编制技术规程》第三章。\n交流发言4人。")
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "#meeting-form button[type=submit]"))
    assert f"/orgs/{org_id}/life?year=2026" in d.current_url and d.current_url.endswith("#m11"), d.current_url
    msg = flash(d)
    assert msg == f"已记录“{MEETING_TOPIC}”。11月组织生活已达标", msg
    badge, rules = month_cell(d, 11)
    assert badge == "达标", (badge, rules)
    assert "支部、党小组集中学习 本月2/2" in rules, rules
    assert "met" in d.find_element(By.ID, "m11").get_attribute("class").split()
    assert month_cell(d, 12)[0] == "未开始", "December has not begun on 2026-11-21"
    assert re.fullmatch(r"\d+%", text_of(d, "#share"))
    row = [r for r in table_rows(d, "section.card table") if r.get("日期") == MEETING_DATE]
    assert len(row) == 1, row
    assert row[0]["类型"] == "集中学习" and row[0]["主题"] == MEETING_TOPIC, row
    assert row[0]["参会/缺席"] == f"{len(attendees) - 1} / 1", row
    snap(d, "calendar-november-met")

    # the record itself: the absentee with the reason
    click_and_load(d, d.find_element(By.LINK_TEXT, MEETING_TOPIC))
    record = facts(d)
    assert record.get("缺席") == f"{absent_name}（{ABSENT_REASON}）", record
    assert record.get("日期") == MEETING_DATE and record.get("地点") == "三楼会议室", record
    assert record.get("类型") == "集中学习" and record.get("党组织") == BRANCH, record
    assert record.get("参会", "").startswith(f"{len(attendees) - 1}人："), record
    assert absent_name not in record.get("参会", ""), record
    assert "交流发言4人。" in text_of(d, "p.pre")

    # the overview: the heat map with this branch's November now 达标
    d.get(base + "/meetings")
    heat = wait(d).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "svg.heatmap")))
    assert heat.size["width"] > 300 and heat.size["height"] > 50, heat.size
    titles = [t.get_attribute("textContent") for t in heat.find_elements(By.CSS_SELECTOR, "rect title")]
    assert f"{BRANCH} 11月：达标" in titles, [t for t in titles if BRANCH in t]
    assert f"{BRANCH} 10月：达标" in titles
    assert f"{BRANCH} 12月：未开始" in titles, [t for t in titles if BRANCH in t]
    shares = {r["党组织"]: r["达标月份占比"] for r in table_rows(d, "#org-shares")}
    assert BRANCH in shares, shares
    recent = [r["主题"] for r in table_rows(d, "main section.card:last-of-type table")]
    assert f"{BRANCH}：{MEETING_TOPIC}" in recent, recent
    snap(d, "overview-heatmap")


# --------------------------------------------------------------------------- 2.–5. 群众点单

def test_resident_demand_from_order_to_rating(records_server, browser, shot):
    srv = records_server
    base = srv.base_url
    step = iter(range(10, 100))

    def snap(driver, name: str) -> None:
        shot(driver, f"rec-{next(step):02d}-{name}")

    # ---- 2. the resident, on a phone, without login --------------------------------------------
    r = browser(375, 812)
    r.get(base + "/public/demands")
    form = wait(r).until(EC.presence_of_element_located((By.ID, "demand-form")))
    assert not r.find_elements(By.CSS_SELECTOR, ".userbox .who"), "the resident page needs no login"
    assert text_of(r, ".public-wrap h1") == "群众点单"
    options = [o.text.strip() for o in Select(r.find_element(By.NAME, "community")).options]
    assert COMMUNITY_OPTION in options and "宛棉社区（宛城区）" in options, options
    assert_no_horizontal_overflow(r, "public demand form")
    # empty: every required field explains itself, the optional address does not
    click_and_load(r, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    wait(r).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#demand-form .field.has-error")))
    assert r.current_url.rstrip("/").endswith("/public/demands"), r.current_url
    assert http_status(r) == 422
    assert field_error(r, "community") == "请选择所在社区"
    assert field_error(r, "title") == "请用一句话说明需求"
    assert field_error(r, "content") == "请描述具体需求"
    assert field_error(r, "name") == "请填写称呼"
    assert field_error(r, "phone") == "请填写联系电话，便于社区与您联系"
    label_of_address = r.find_element(By.XPATH, "//label[.//*[@name='address']]")
    assert "has-error" not in label_of_address.get_attribute("class")
    assert len(r.find_elements(By.CSS_SELECTOR, "#demand-form .field.has-error")) == 5
    snap(r, "public-demand-errors-375")
    assert_no_horizontal_overflow(r, "public demand form with errors")

    # a valid need whose title carries markup and whose text has a line break
    Select(r.find_element(By.NAME, "community")).select_by_visible_text(COMMUNITY_OPTION)
    r.find_element(By.NAME, "title").send_keys(DEMAND_TITLE)
    r.find_element(By.NAME, "content").send_keys("\n".join(DEMAND_LINES))
    r.find_element(By.NAME, "name").send_keys(RESIDENT)
    r.find_element(By.NAME, "phone").send_keys(RESIDENT_PHONE)
    r.find_element(By.NAME, "address").send_keys("黄河路8号院3号楼")
    assert r.find_element(By.NAME, "title").get_attribute("value") == DEMAND_TITLE, "the title fits maxlength=60"
    click_and_load(r, r.find_element(By.CSS_SELECTOR, "#demand-form button[type=submit]"))
    m = re.search(r"/public/demands/([A-Z0-9]{10})\?new=1$", r.current_url)
    assert m, r.current_url
    code = m.group(1)
    assert text_of(r, "#tracking-code") == code
    assert text_of(r, ".public-wrap h1") == DEMAND_TITLE
    assert_title_is_text(r, "tracking page")
    assert state_badge(r) == "待社区派单"
    content = r.find_element(By.CSS_SELECTOR, ".public-wrap section.card p.pre")
    assert content.text == "\n".join(DEMAND_LINES), repr(content.text)   # pre-wrap keeps the line break
    assert content.size["height"] >= 2 * 16, "the two lines are shown on separate lines"
    assert RESIDENT_PHONE not in body_text(r), "the phone is not shown on the public page"
    timeline = [li.text for li in r.find_elements(By.CSS_SELECTOR, "ol.timeline li")]
    assert len(timeline) == 1 and conftest.TODAY in timeline[0], timeline
    snap(r, "public-demand-tracking-375")
    assert_no_horizontal_overflow(r, "tracking page (new)")

    # ---- 3. staff: 机关党委 dispatches, the branch accepts, a member claims and finishes ---------
    s = browser(1280)
    login(s, base, "jiguan")
    done_before = deeds_done(s, base, COMMUNITY)
    rows = [x for x in table_rows(s, "#demand-table") if x["需求"].startswith(DEMAND_TITLE)]
    assert len(rows) == 1, table_rows(s, "#demand-table")
    assert code not in rows[0]["需求"], "staff never see the resident's tracking code"
    assert rows[0]["社区"] == COMMUNITY and rows[0]["状态"] == "待社区派单", rows
    assert_title_is_text(s, "/demands")
    click_and_load(s, s.find_element(By.LINK_TEXT, DEMAND_TITLE))
    m = re.search(r"/demands/([0-9a-f-]{36})$", s.current_url)
    assert m, s.current_url
    demand_id = m.group(1)
    assert text_of(s, ".page-head h1") == DEMAND_TITLE
    assert_title_is_text(s, "/demands/{id}")
    assert state_badge(s) == "待社区派单"
    f = facts(s)
    assert f.get("社区") == COMMUNITY and f.get("提出人") == f"{RESIDENT} · {RESIDENT_PHONE}", f
    assert f.get("提交日期") == conftest.TODAY, f
    assert code not in s.page_source, "the tracking code (the resident's key to rate) is not shown to staff"
    dispatch = s.find_element(By.ID, "dispatch")
    unit_select = Select(dispatch.find_element(By.NAME, "unit"))
    units = [o.text.strip() for o in unit_select.options if o.get_attribute("value")]
    assert UNIT in units and len(units) == 4, units
    assert not s.find_elements(By.ID, "accept") and not s.find_elements(By.ID, "claim")
    unit_select.select_by_visible_text(UNIT)
    snap(s, "staff-dispatch")
    click_and_load(s, dispatch.find_element(By.XPATH, ".//button[normalize-space()='派单']"))
    assert flash(s) == f"已派单至{UNIT}"
    assert state_badge(s) == "待部门接单"
    assert facts(s).get("承办单位") == UNIT, facts(s)
    assert not s.find_elements(By.ID, "dispatch"), "a dispatched need has no dispatch form"
    snap(s, "staff-dispatched")

    as_user(s, base, "zhibu")
    open_demand(s, base, demand_id)
    assert state_badge(s) == "待部门接单"
    accept = s.find_element(By.ID, "accept")
    click_and_load(s, accept.find_element(By.XPATH, ".//button[normalize-space()='接单']"))
    assert flash(s) == "已接单，请安排党员领单"
    assert state_badge(s) == "待党员领单"
    assert not s.find_elements(By.ID, "accept")
    assign = s.find_element(By.ID, "assign")   # the secretary could also assign a member
    assert MEMBER in [o.text for o in Select(assign.find_element(By.NAME, "member")).options]
    snap(s, "staff-accepted")

    p = browser(375, 812)
    login(p, base, "dangyuan")
    open_demand(p, base, demand_id)
    assert state_badge(p) == "待党员领单"
    assert not p.find_elements(By.ID, "dispatch") and not p.find_elements(By.ID, "accept")
    assert_no_horizontal_overflow(p, "demand detail for a member (/demands/{id})")
    click_and_load(p, p.find_element(By.XPATH, "//section[@id='claim']//button[normalize-space()='我来领办']"))
    assert flash(p) == f"{MEMBER}已领单"
    assert state_badge(p) == "办理中"
    assert facts(p).get("领办党员") == MEMBER, facts(p)
    assert not p.find_elements(By.ID, "claim")
    finish = p.find_element(By.ID, "finish")
    finish.find_element(By.NAME, "result").send_keys(RESULT)
    snap(p, "member-claimed-375")
    click_and_load(p, finish.find_element(By.XPATH, ".//button[normalize-space()='办结']"))
    assert flash(p) == "已办结，等待群众评价"
    assert state_badge(p) == "已办结待评价"
    assert RESULT in body_text(p)
    assert not p.find_elements(By.ID, "finish")
    staff_steps = [li.text for li in p.find_elements(By.CSS_SELECTOR, "ol.timeline li")]
    assert len(staff_steps) == 5, staff_steps     # posted, dispatched, accepted, claimed, finished
    assert any(MEMBER in x for x in staff_steps[-2:]), staff_steps
    snap(p, "member-finished-375")
    assert_no_horizontal_overflow(p, "demand detail after finishing")

    # ---- 4. the resident looks it up by code and rates it ---------------------------------------
    bugs: list[str] = []   # product bugs found on the way; reported at the very end so steps 4–5 still run
    r.get(base + "/public/demands")
    lookup = wait(r).until(EC.presence_of_element_located((By.ID, "lookup")))
    lookup.find_element(By.NAME, "code").send_keys("ABCDEFGHJK" if code != "ABCDEFGHJK" else "KJHGFEDCBA")
    click_and_load(r, lookup.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert http_status(r) == 404
    assert text_of(r, "#lookup .flash-error") == "没有找到该查询码对应的需求，请核对后再试"
    assert_no_horizontal_overflow(r, "public demand form after a wrong code")
    lookup = wait(r).until(EC.presence_of_element_located((By.ID, "lookup")))
    lookup.find_element(By.NAME, "code").send_keys(code.lower())
    click_and_load(r, lookup.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert r.current_url.endswith(f"/public/demands/{code}"), r.current_url
    assert not r.find_elements(By.ID, "tracking-code"), "the code banner is for a new need only"
    assert text_of(r, ".public-wrap h1") == DEMAND_TITLE
    assert_title_is_text(r, "tracking page (looked up)")
    assert state_badge(r) == "已办结待评价"
    assert text_of(r, "#result") == RESULT
    assert f"承办：{UNIT}" in body_text(r)
    assert MEMBER not in body_text(r), "the member's name is not shown to the public"
    public_steps = [li.text for li in r.find_elements(By.CSS_SELECTOR, "ol.timeline li")]
    assert len(public_steps) == 5, public_steps
    assert r.find_element(By.ID, "rate").is_displayed()
    assert_no_horizontal_overflow(r, "tracking page (done, with the rating form)")
    # the same page left open in a second tab (used after the rating below)
    first_tab = r.current_window_handle
    r.switch_to.new_window("tab")
    stale_tab = r.current_window_handle
    r.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {   # a new tab is not emulated yet: 375 px too
        "width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": True})
    r.get(f"{base}/public/demands/{code}")
    wait(r).until(EC.presence_of_element_located((By.ID, "rate")))
    r.switch_to.window(first_tab)
    rate = r.find_element(By.ID, "rate")
    # no stars: refused, the comment kept
    rate.find_element(By.NAME, "comment").send_keys(RATING_COMMENT)
    click_and_load(r, rate.find_element(By.XPATH, ".//button[normalize-space()='提交评价']"))
    pick = wait(r).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#rate fieldset.star-pick.has-error")))
    assert http_status(r) == 422
    assert pick.find_element(By.CSS_SELECTOR, ".error").text.strip() == "请选择1到5星的评价"
    assert r.find_element(By.NAME, "comment").get_attribute("value") == RATING_COMMENT, "the comment is kept"
    assert state_badge(r) == "已办结待评价"
    assert not r.find_elements(By.XPATH, "//*[contains(text(), '感谢您的评价')]")
    snap(r, "public-rating-without-stars-375")
    assert_no_horizontal_overflow(r, "tracking page with the rating error")
    r.find_element(By.CSS_SELECTOR, "#rate input[name=stars][value='5']").click()
    click_and_load(r, r.find_element(By.XPATH, "//section[@id='rate']//button[normalize-space()='提交评价']"))
    assert r.current_url.endswith(f"/public/demands/{code}?rated=1"), r.current_url
    assert flash(r) == "感谢您的评价！"
    assert state_badge(r) == "已评价"
    mine = r.find_element(By.XPATH, "//h2[normalize-space()='我的评价']/following-sibling::p[1]").text.strip()
    assert mine == "★★★★★ 5星", mine
    assert RATING_COMMENT in body_text(r)
    assert not r.find_elements(By.ID, "rate"), "a rated need has no rating form"
    assert not r.find_elements(By.NAME, "stars")
    snap(r, "public-rated-375")
    assert_no_horizontal_overflow(r, "tracking page (rated)")

    # a second rating from the tab left open before: refused, the 5 stars stay
    r.switch_to.window(stale_tab)
    r.find_element(By.CSS_SELECTOR, "#rate input[name=stars][value='1']").click()
    r.find_element(By.CSS_SELECTOR, "#rate textarea[name=comment]").send_keys("再评一次")
    click_and_load(r, r.find_element(By.XPATH, "//section[@id='rate']//button[normalize-space()='提交评价']"))
    assert http_status(r) == 409
    assert state_badge(r) == "已评价"
    assert not r.find_elements(By.ID, "rate"), "still no rating form"
    mine = r.find_element(By.XPATH, "//h2[normalize-space()='我的评价']/following-sibling::p[1]").text.strip()
    assert mine == "★★★★★ 5星", mine
    public = srv.api("GET", f"/public/demands/{code}")
    assert public["state"] == "rated" and public["stars"] == 5 and public.get("ratingComment") == RATING_COMMENT, public
    snap(r, "public-second-rating-refused-375")
    assert_no_horizontal_overflow(r, "tracking page after a second rating")
    # the resident is told the second rating was not recorded (regression: the message once went into the hidden form)
    notice = r.find_element(By.ID, "notice").text
    assert "该需求当前为“已评价”" in notice and "未被记录" in notice, notice
    r.close()
    r.switch_to.window(first_tab)

    # ---- 5. the staff list: 已评价, and one more 为民办实事 for the community -------------------
    as_user(s, base, "jiguan")
    done_after = deeds_done(s, base, COMMUNITY)
    assert done_after == done_before + 1, (done_before, done_after)
    rows = [x for x in table_rows(s, "#demand-table") if x["需求"].startswith(DEMAND_TITLE)]
    assert len(rows) == 1, rows
    assert rows[0]["状态"] == "已评价" and rows[0]["承办"] == f"{UNIT} · {MEMBER}", rows
    assert rows[0]["办理时限"] == "—", rows
    assert_title_is_text(s, "/demands (rated)")
    snap(s, "staff-list-rated")
    open_demand(s, base, demand_id)
    assert state_badge(s) == "已评价"
    assert f"5星 {RATING_COMMENT}" in body_text(s)

    # ---- product bugs found above (kept to the end so the whole journey runs) --------------------
    assert not bugs, "\n".join(bugs)
