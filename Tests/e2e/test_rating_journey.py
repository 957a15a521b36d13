"""五星支部: one branch's 2026 application from 支部报星 to a final 5★, in a real (headless) Chromium.

支部报星 (zhibu, with R-3 and file-type errors, evidence upload) → 机关党委 returns it with a
reason → the secretary resubmits → 机关党委 proposes → 党组 recommends → 县级 (gongwei)
recommends → 市级 (shiwei) verifies → 公示亮星 (gongwei, with a second, 4★ candidate made
through the API) → public complaints at 375 px (errors, then a valid one about each) → one
verified as not upheld, the other as upheld (that candidate is disqualified) → the notice cannot be closed early → the clock
moves past the end (R-5) → closed → final 5★ on the results page, the printable notice and
the secretary's application at 375 px.

This journey moves the server's date, so it runs its own server (not the shared ``server``
fixture). Screenshots: ``Tests/e2e/screenshots/rating-NN-*.png``; server log:
``Tests/e2e/screenshots/rating-server.log``.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import conftest
from conftest import REPO_ROOT, SCREENSHOT_DIR, click_and_load, login
from test_journey import assert_no_horizontal_overflow

BRANCH = "办公室党支部"
YEAR = 2026
STAR_KEYS = ["political", "business", "service", "integrity", "strong"]
STAR_LABELS = ["政治坚定星", "业务出彩星", "服务有力星", "清廉高效星", "支部过硬星"]
EVIDENCE_CRITERION = "business.rank"   # answered by the uploaded PDF instead of a text
RETURN_REASON = "“第一议题”制度落实情况说明过于简单，请补充2026年度学习记录后重新提交"
COMPLAINT_BODY = "该支部2026年9月组织生活会记录与实际开会时间不一致，请核实。"
COMPLAINT_CONTACT = "13800001234"
VERDICT_NOTE = "经调阅会议记录和签到表，组织生活会按时召开，反映问题不属实。"
UPHELD_BRANCH = "耕地保护监督科党支部"   # ZR-B03: a 4★ candidate made through the API; its complaint is upheld
UPHELD_BODY = "该支部窗口2026年10月多次推诿群众办件，已向12345热线投诉，请核实。"
UPHELD_NOTE = "经调取12345工单和窗口录像，反映问题属实。"
TINY_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --------------------------------------------------------------------------- fixtures & helpers

@pytest.fixture(scope="module")
def rating_server():
    """A server of our own: this journey moves its clock (DANGJIAN_TEST_CLOCK=1)."""
    srv = conftest.start_own_server("rating-server.log")
    yield srv
    srv.stop()


@pytest.fixture
def files():
    """A valid tiny PDF and a text file that only claims to be a PDF."""
    d = Path(tempfile.mkdtemp(prefix="dangjian-rating-e2e-"))
    pdf = d / "业务排名佐证.pdf"
    pdf.write_bytes(TINY_PDF)
    fake = d / "伪装成PDF的文本.pdf"
    fake.write_text("这只是一个文本文件，扩展名被改成了 .pdf\n", encoding="utf-8")
    yield pdf, fake
    for f in d.iterdir():
        f.unlink()
    d.rmdir()


def wait(driver, timeout: float = 20) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def text_of(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text.strip()


def body_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def flash(driver, kind: str = "success") -> str:
    return wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, f".flash.flash-{kind}"))).text.strip()


def as_user(driver, base: str, username: str) -> None:
    """Log out whoever is logged in (drop the session cookie) and log in as ``username``."""
    driver.get(base + "/login")
    driver.delete_all_cookies()
    login(driver, base, username)


def answer_confirms(driver, answer: bool = True) -> None:
    """Forms with data-confirm ask window.confirm(): answer it, and remember the question
    (in sessionStorage, so it survives the navigation the answer leads to)."""
    driver.execute_script(
        "sessionStorage.removeItem('e2eLastConfirm');"
        "var answer = arguments[0];"
        "window.confirm = function (m) { sessionStorage.setItem('e2eLastConfirm', m); return answer; };", answer)


def accept_confirms(driver) -> None:
    answer_confirms(driver, True)


def last_confirm(driver) -> str:
    """The last question asked with window.confirm() in this tab (since answer_confirms)."""
    return driver.execute_script("return sessionStorage.getItem('e2eLastConfirm') || '';")


def stage_label(driver) -> str:
    """The 当前状态 badge on /ratings/{id}."""
    return text_of(driver, "dl.facts dd .badge")


def level_text(driver) -> str:
    """The 星级 line on /ratings/{id}, e.g. '★★★★★ 5星'."""
    dts = driver.find_elements(By.CSS_SELECTOR, "dl.facts dt")
    dds = driver.find_elements(By.CSS_SELECTOR, "dl.facts dd")
    return next(dd.text.strip() for dt_, dd in zip(dts, dds) if dt_.text.strip() == "星级")


def steps_rows(driver) -> list[dict[str, str]]:
    """The 办理过程 table as dicts keyed by data-label."""
    rows = []
    for tr in driver.find_elements(By.XPATH, "//section[h2[normalize-space()='办理过程']]//table/tbody/tr"):
        rows.append({td.get_attribute("data-label"): td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")})
    return rows


def worklist_rows(driver) -> dict[str, dict[str, str]]:
    """/ratings table rows by branch name."""
    out = {}
    for tr in driver.find_elements(By.CSS_SELECTOR, "#rating-table tbody tr"):
        cells = {td.get_attribute("data-label"): td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")}
        out[cells["党支部"]] = cells
    return out


def open_worklist(driver, base: str) -> dict[str, dict[str, str]]:
    driver.get(f"{base}/ratings")
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.filters select[name=waiting]")))
    assert Select(driver.find_element(By.NAME, "waiting")).first_selected_option.text == "待我办理"
    return worklist_rows(driver)


def open_rating(driver, base: str, rating_id: str) -> None:
    driver.get(f"{base}/ratings/{rating_id}")
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "dl.facts")))


def open_notice(driver, base: str, notice_id: str, username: str) -> None:
    """/notices/{id}; logs in again when the session ended (moving the clock may end it)."""
    driver.get(f"{base}/notices/{notice_id}")
    wait(driver).until(lambda x: "/login" in x.current_url or x.find_elements(By.CSS_SELECTOR, "dl.facts"))
    if "/login" in driver.current_url:
        login(driver, base, username)
        driver.get(f"{base}/notices/{notice_id}")
        wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "dl.facts")))


def crit(key: str) -> str:
    """CSS selector of a criterion's box (#c-<key>, the dot escaped)."""
    return "#c-" + key.replace(".", "\\.")


def criterion_error(driver, key: str) -> str:
    box = driver.find_element(By.ID, f"c-{key}")
    assert "has-error" in box.get_attribute("class").split(), f"criterion {key} is not marked has-error"
    return box.find_element(By.CSS_SELECTOR, ".error").text.strip()


def field_error(driver, name: str) -> str:
    """Error text beside a form field (label.field.has-error … span.error)."""
    label = driver.find_element(By.XPATH, f"//label[contains(concat(' ', normalize-space(@class), ' '), ' field ')][.//*[@name='{name}']]")
    assert "has-error" in label.get_attribute("class").split(), f"field {name} is not marked has-error"
    return label.find_element(By.CSS_SELECTOR, ".error").text.strip()


def submit_assessment(driver, action: str) -> None:
    """Press 保存草稿 (save) or 提交申报 (submit) on the self-assessment form."""
    accept_confirms(driver)
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, f"#assess-form button[name=do][value={action}]"))


def review(driver, *, keep: list[str] | None = None, comment: str = "", return_reason: str | None = None) -> None:
    """Use the review card: return with a reason, or decide keeping the given stars."""
    card = wait(driver).until(EC.presence_of_element_located((By.ID, "review")))
    if return_reason is not None:
        form = card.find_element(By.XPATH, ".//form[.//input[@name='do' and @value='return']]")
        form.find_element(By.NAME, "reason").send_keys(return_reason)
        click_and_load(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        return
    form = card.find_element(By.XPATH, ".//form[.//button[@name='do' and @value='decide']]")
    boxes = {b.get_attribute("name").removeprefix("keep_"): b for b in form.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")}
    assert set(boxes) == set(STAR_KEYS), f"the reviewer should see all five requested stars, saw {sorted(boxes)}"
    for k, b in boxes.items():
        if (k in (keep or STAR_KEYS)) != b.is_selected():
            b.click()
    if comment:
        form.find_element(By.NAME, "comment").send_keys(comment)
    click_and_load(driver, form.find_element(By.CSS_SELECTOR, "button[name=do][value=decide]"))


def review_from_worklist(d, base: str, snap, user: str, *, waiting: str, heading: str, shot: str | None, comment: str, done: str) -> None:
    """As ``user``: the branch waits in 待我办理 at ``waiting``; open it, the review form is ``heading``; keep the stars."""
    as_user(d, base, user)
    rows = open_worklist(d, base)
    assert rows.get(BRANCH, {}).get("状态") == waiting, rows
    click_and_load(d, d.find_element(By.LINK_TEXT, BRANCH))
    assert text_of(d, "#review h2") == heading
    if shot:
        snap(d, shot)
    review(d, comment=comment)
    assert flash(d) == f"已办理：{done}"


def make_four_star_candidate(srv) -> str:
    """Set-up through the API (not the journey's own branch): 耕地保护监督科党支部 gets a secretary,
    applies for four stars and is taken through 机关党委, 党组 and 县级 to a 4★ candidate."""
    admin = srv.token("admin")
    srv.api("POST", "/users", {"username": "zhibu3", "displayName": "杨帆", "password": conftest.PASSWORD,
                               "role": "branchSecretary", "orgId": "ZR-B03"}, token=admin)
    sec = srv.token("zhibu3")
    r = srv.api("POST", "/ratings", {"branchId": "ZR-B03", "year": YEAR}, token=sec)
    four = STAR_KEYS[:4]
    answers = {k: {"met": True, "text": "已落实，详见台账"} for k in r["answers"] if k.split(".")[0] in four}
    srv.api("PUT", f"/ratings/{r['id']}/assessment", {"requestedStars": four, "answers": answers}, token=sec)
    srv.api("POST", f"/ratings/{r['id']}/submit", {}, token=sec)
    out = None
    for who in ("jiguan", "dangzu", "gongwei"):
        out = srv.api("POST", f"/ratings/{r['id']}/decide", {"stars": four, "comment": "同意"}, token=srv.token(who))
    assert out and out["stage"] == "candidate", out
    return r["id"]


def expected_notice_end(start: dt.date, working_days: int) -> dt.date:
    """R-5 working days from the shipped calendar: weekends off unless a make-up day, holidays off."""
    special: dict[dt.date, str] = {}
    with open(REPO_ROOT / "Resources/calendar/cn-holidays.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            special[dt.date.fromisoformat(row["date"])] = row["kind"]
    day, left = start, working_days
    while True:
        kind = special.get(day)
        working = kind == "workday" or (kind != "holiday" and day.weekday() < 5)
        if working:
            left -= 1
            if left == 0:
                return day
        day += dt.timedelta(days=1)


# --------------------------------------------------------------------------- the journey

def test_five_star_rating_journey(rating_server, browser, shot, files):
    srv = rating_server
    base = srv.base_url
    pdf, fake_pdf = files
    d = browser(1280)
    counter = iter(range(1, 100))

    def snap(driver, name: str) -> None:
        shot(driver, f"rating-{next(counter):02d}-{name}")

    try:
        _journey(srv, base, d, browser, snap, pdf, fake_pdf)
    except BaseException:
        print("----- rating server log (tail) -----")
        print(srv.log_tail(80))
        raise


def _journey(srv, base, d, browser, snap, pdf, fake_pdf):
    # ---- 1. 支部报星: the secretary opens the 2026 application ------------------------------
    as_user(d, base, "zhibu")
    rows = open_worklist(d, base)
    assert BRANCH not in rows, f"no 2026 application should exist yet: {rows}"
    open_card = d.find_element(By.XPATH, "//section[h2[normalize-space()='支部报星']]")
    assert Select(open_card.find_element(By.NAME, "branchId")).first_selected_option.text == BRANCH
    open_btn = open_card.find_element(By.CSS_SELECTOR, "button[type=submit]")
    assert open_btn.text.strip() == f"开始{YEAR}年度报星"
    snap(d, "secretary-worklist")
    click_and_load(d, open_btn)
    m = re.search(r"/ratings/([0-9a-f-]{36})$", d.current_url)
    assert m, d.current_url
    rating_id = m.group(1)
    assert f"已开始{YEAR}年度支部报星" in flash(d)
    assert BRANCH in text_of(d, ".page-head h1") and f"{YEAR}年度" in text_of(d, ".page-head h1")
    assert stage_label(d) == "支部填报中"
    assert d.find_element(By.ID, "assess-form")
    # the computed criteria are pre-filled from the platform's records (no checkbox to tick)
    term = text_of(d, crit("strong.term") + " .computed")
    assert "✔ 符合" in term and "2026-12-05" in term, term
    sec = text_of(d, crit("strong.secretary") + " .computed")
    assert "✔ 符合" in sec and "书记：王建国" in sec, sec
    # organizational life is recorded on the platform (demo go-live 2026-01-01): every finished month compliant
    life = text_of(d, crit("strong.system") + " .computed")
    assert "✔ 符合" in life and "组织生活合规月份占比100%" in life, life
    for key in ("strong.term", "strong.secretary", "strong.system"):
        assert not d.find_elements(By.CSS_SELECTOR, crit(key) + " input[type=checkbox]"), key
    snap(d, "application-draft")

    # 支部过硬星 alone is refused, with the reason
    for k in STAR_KEYS:
        box = d.find_element(By.NAME, f"star_{k}")
        if box.is_selected() != (k == "strong"):
            box.click()
    submit_assessment(d, "submit")
    # (the 提交申报 button's data-confirm is never asked: see test_submit_button_asks_for_confirmation)
    stars_err = wait(d).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#assess-form .field.checks.has-error .error"))).text
    assert "支部过硬星须在已获其它四颗星的基础上评定" in stars_err, stars_err
    assert all(lbl in stars_err for lbl in STAR_LABELS[:4]), f"the message should name the missing stars: {stars_err}"
    summary = text_of(d, "p.flash.flash-error")
    assert summary.startswith("请修改标出的") and "支部过硬星须在已获其它四颗星的基础上评定" in summary, summary
    assert "已经获评其它4颗星" in criterion_error(d, "strong.otherFour")
    assert d.find_element(By.NAME, "star_strong").is_selected(), "what was typed is kept"
    assert stage_label(d) == "支部填报中"
    snap(d, "r3-error")

    # select all five stars and answer every evidence criterion; the one for the PDF gets no text
    for k in STAR_KEYS:
        box = d.find_element(By.NAME, f"star_{k}")
        if not box.is_selected():
            box.click()
    answered = []
    for box in d.find_elements(By.CSS_SELECTOR, "#assess-form input[type=checkbox][name^='met_']"):
        key = box.get_attribute("name").removeprefix("met_")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
        if not box.is_selected():
            box.click()
        area = d.find_element(By.NAME, f"text_{key}")
        area.clear()
        if key != EVIDENCE_CRITERION:
            area.send_keys(f"已落实，有会议记录和工作台账为证（第{len(answered) + 1}项）。")
        answered.append(key)
    assert EVIDENCE_CRITERION in answered and "strong.system" not in answered and len(answered) >= 13, answered
    submit_assessment(d, "save")
    assert flash(d) == "已保存"
    assert all(d.find_element(By.NAME, f"star_{k}").is_selected() for k in STAR_KEYS)
    other_four = text_of(d, crit("strong.otherFour") + " .computed")
    assert "✔ 符合" in other_four and "已申报其它四颗星" in other_four, other_four
    # submitting now names the criterion that still lacks an explanation or evidence
    submit_assessment(d, "submit")
    assert "请填写说明或上传佐证材料" in criterion_error(d, EVIDENCE_CRITERION)
    assert stage_label(d) == "支部填报中"

    # evidence: a text file renamed .pdf is refused (checked by content), a real PDF is taken
    def upload(path: Path) -> None:
        d.get(f"{base}/ratings/{rating_id}#evidence")
        form = wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#evidence form")))
        Select(form.find_element(By.NAME, "criterion")).select_by_value(EVIDENCE_CRITERION)
        form.find_element(By.NAME, "file").send_keys(str(path))
        click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    upload(fake_pdf)
    err = flash(d, "error")
    assert "只能上传 PDF、JPG 或 PNG 文件（按文件内容识别）" in err, err
    assert not d.find_elements(By.CSS_SELECTOR, crit(EVIDENCE_CRITERION) + " ul.files li")
    snap(d, "upload-fake-pdf-refused")
    upload(pdf)
    assert flash(d) == f"已上传“{pdf.name}”"
    files_li = d.find_elements(By.CSS_SELECTOR, crit(EVIDENCE_CRITERION) + " ul.files li")
    assert len(files_li) == 1 and pdf.name in files_li[0].text, [f.text for f in files_li]
    snap(d, "upload-pdf-ok")

    # submit
    submit_assessment(d, "submit")
    assert flash(d) == "已提交申报，等待机关党委审核"
    assert stage_label(d) == "待单位审星（机关党委提出建议）"
    assert not d.find_elements(By.ID, "assess-form"), "a submitted application is read-only"
    steps = steps_rows(d)
    assert steps and steps[-1]["环节"] == "支部报星" and steps[-1]["星级"] == "0星 → 5星", steps
    snap(d, "submitted")

    # ---- 2. 单位审星: 机关党委 returns it, the secretary resubmits, 机关党委 proposes, 党组 recommends
    as_user(d, base, "jiguan")
    rows = open_worklist(d, base)
    assert BRANCH in rows, f"机关党委's worklist should show the submitted application: {list(rows)}"
    assert rows[BRANCH]["状态"] == "待单位审星（机关党委提出建议）" and rows[BRANCH]["待办理方"] == "机关党委"
    assert rows[BRANCH]["星级"] == "☆☆☆☆☆", "nothing is decided yet"
    snap(d, "organ-committee-worklist")
    click_and_load(d, d.find_element(By.LINK_TEXT, BRANCH))
    assert text_of(d, "#review h2") == "机关党委提出建议"
    crit_list = body_text(d)
    assert pdf.name in crit_list and "✔ 支部确认符合" in crit_list
    review(d, return_reason=RETURN_REASON)
    assert flash(d) == "已退回"
    assert stage_label(d) == "支部填报中"
    assert not d.find_elements(By.ID, "review")
    assert BRANCH not in open_worklist(d, base), "a returned application leaves 机关党委's worklist"

    as_user(d, base, "zhibu")
    rows = open_worklist(d, base)
    assert rows.get(BRANCH, {}).get("状态") == "支部填报中", rows
    click_and_load(d, d.find_element(By.LINK_TEXT, BRANCH))
    assert stage_label(d) == "支部填报中"
    ret = [s for s in steps_rows(d) if s["环节"] == "退回"]
    assert ret and ret[-1]["意见"] == RETURN_REASON and "陈丽华" in ret[-1]["办理人"], steps_rows(d)
    assert RETURN_REASON in body_text(d)
    snap(d, "secretary-sees-return-reason")
    area = d.find_element(By.NAME, "text_political.firstTopic")
    area.clear()
    area.send_keys("每次支部委员会会议第一议题学习习近平总书记最新重要讲话精神，2026年共23次，附学习记录。")
    # everything saved before the return is still there
    assert d.find_element(By.NAME, "met_political.study").is_selected()
    assert len(d.find_elements(By.CSS_SELECTOR, crit(EVIDENCE_CRITERION) + " ul.files li")) == 1
    submit_assessment(d, "submit")
    assert flash(d) == "已提交申报，等待机关党委审核"
    assert stage_label(d) == "待单位审星（机关党委提出建议）"

    as_user(d, base, "jiguan")
    assert BRANCH in open_worklist(d, base)
    open_rating(d, base, rating_id)
    assert "每次支部委员会会议第一议题" in body_text(d)
    review(d, comment="材料齐全，建议评定五星")
    assert flash(d) == "已办理：待单位审星（党组审定）"
    assert stage_label(d) == "待单位审星（党组审定）"

    review_from_worklist(d, base, snap, "dangzu", waiting="待单位审星（党组审定）", heading="党组审定", shot="party-group-review",
                         comment="五星超出单位审定权限，推荐县级核星", done="待县级核星")
    assert stage_label(d) == "待县级核星"
    assert BRANCH not in open_worklist(d, base)

    # ---- 3. 县级核星 (gongwei) then 市级验星 (shiwei) -------------------------------------------
    review_from_worklist(d, base, snap, "gongwei", waiting="待县级核星", heading="县级核星", shot="county-review",
                         comment="五星超出县级认定权限，推荐市级验星", done="待市级验星")
    assert stage_label(d) == "待市级验星"

    review_from_worklist(d, base, snap, "shiwei", waiting="待市级验星", heading="市级验星", shot=None,
                         comment="同意评定五星，进入公示", done="候选，待公示")
    assert stage_label(d) == "候选，待公示"
    steps = steps_rows(d)
    assert [s["环节"] for s in steps] == ["支部报星", "退回", "支部报星", "机关党委提出建议", "党组审定", "县级核星", "市级验星"], steps
    assert all(s["星级"] == "5星 → 5星" for s in steps[3:]), steps
    snap(d, "city-verified-candidate")

    # ---- 4. 公示亮星: gongwei publishes the notice of both candidates ------------------------------
    other_id = make_four_star_candidate(srv)
    as_user(d, base, "gongwei")
    d.get(base + "/notices")
    card = wait(d).until(EC.presence_of_element_located((By.XPATH, "//section[h2[normalize-space()='发布公示']]")))
    cand = [t.text for t in card.find_elements(By.CSS_SELECTOR, "p .tag")]
    assert any(BRANCH in t and "★★★★★" in t for t in cand), cand
    form = card.find_element(By.CSS_SELECTOR, "form[action='/notices']")
    org_choice = Select(form.find_element(By.NAME, "orgId")).first_selected_option.text
    assert "中共江州市直属机关工作委员会" in org_choice, org_choice
    start = form.find_element(By.NAME, "startDate").get_attribute("value")
    assert start == conftest.TODAY, start
    assert form.find_element(By.NAME, "workingDays").get_attribute("value") == "5"
    title = form.find_element(By.NAME, "title").get_attribute("value")
    assert title == f"{YEAR}年度“四星”“五星”党支部候选对象公示", title
    snap(d, "notice-form")
    click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    m = re.search(r"/notices/([0-9a-f-]{36})$", d.current_url)
    assert m, d.current_url
    notice_id = m.group(1)
    end = expected_notice_end(dt.date.fromisoformat(start), 5)
    assert flash(d) == f"已发布公示，公示期至{end.isoformat()}"
    facts = text_of(d, "dl.facts")
    assert f"{start} 至 {end.isoformat()}（5个工作日）" in facts, facts
    assert text_of(d, "dl.facts .badge") == "公示中"
    assert f"/public/notices/{notice_id}" in facts
    cand_rows = d.find_elements(By.CSS_SELECTOR, "section.card table tbody tr")
    cells = [{td.get_attribute("data-label"): td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")} for tr in cand_rows]
    assert {"党支部": BRANCH, "拟评星级": "5星", "状态": "公示中"} in cells, cells
    assert {"党支部": UPHELD_BRANCH, "拟评星级": "4星", "状态": "公示中"} in cells, cells
    assert not d.find_elements(By.CSS_SELECTOR, "form[action$='/close']"), "no close button while the notice runs"
    assert f"公示期满（{end.isoformat()}之后）才能结束公示" in body_text(d)
    assert "暂未收到问题反映" in body_text(d)
    snap(d, "notice-page")

    # ---- 5. the public page at 375 px, no login ----------------------------------------------
    p = browser(375, 812)
    public_url = f"{base}/public/notices/{notice_id}"
    p.get(public_url)
    wait(p).until(EC.presence_of_element_located((By.ID, "complaint-form")))
    assert not p.find_elements(By.CSS_SELECTOR, ".userbox .who"), "the public page needs no login"
    assert text_of(p, ".public-wrap h1") == title
    assert f"公示期：{start} 至 {end.isoformat()}（5个工作日）" in body_text(p)
    pub_rows = [tr.text for tr in p.find_elements(By.CSS_SELECTOR, ".public-wrap table tbody tr")]
    assert any(BRANCH in r and "★★★★★" in r and "5星" in r for r in pub_rows), pub_rows
    assert any(UPHELD_BRANCH in r and "4星" in r for r in pub_rows), pub_rows
    snap(p, "public-notice-375")
    assert_no_horizontal_overflow(p, "public notice page")

    # an empty complaint: the browser blocks it; sent anyway, the server explains in Chinese
    cform = p.find_element(By.ID, "complaint-form")
    assert p.execute_script("return arguments[0].checkValidity();", cform) is False
    p.execute_script("arguments[0].noValidate = true;", cform)
    click_and_load(p, cform.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    wait(p).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#complaint-form .field.has-error")))
    assert field_error(p, "ratingId") == "请选择被反映的公示对象"
    assert field_error(p, "contact") == "联系方式不能为空"
    assert field_error(p, "body") == "反映内容不能为空"
    assert "has-error" not in p.find_element(By.XPATH, "//label[.//*[@name='name']]").get_attribute("class")
    assert p.find_element(By.CSS_SELECTOR, "#complaint p.flash-error").is_displayed()
    assert not p.find_elements(By.CSS_SELECTOR, "#complaint .flash-success")
    snap(p, "public-complaint-errors-375")
    assert_no_horizontal_overflow(p, "public notice page with errors")

    # a valid one: no name, a contact and the text
    Select(p.find_element(By.NAME, "ratingId")).select_by_visible_text(BRANCH)
    assert p.find_element(By.NAME, "name").get_attribute("value") == ""
    p.find_element(By.NAME, "contact").send_keys(COMPLAINT_CONTACT)
    p.find_element(By.NAME, "body").send_keys(COMPLAINT_BODY)
    click_and_load(p, p.find_element(By.CSS_SELECTOR, "#complaint-form button[type=submit]"))
    ok = wait(p).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#complaint .flash-success"))).text
    assert "已收到您的问题反映" in ok, ok
    assert not p.find_elements(By.CSS_SELECTOR, "#complaint-form .has-error")
    assert p.find_element(By.NAME, "body").get_attribute("value") == "", "the form is cleared after a complaint"
    snap(p, "public-complaint-received-375")
    assert_no_horizontal_overflow(p, "public notice page after a complaint")
    # a second visitor's complaint, about the other candidate, with a name
    Select(p.find_element(By.NAME, "ratingId")).select_by_visible_text(UPHELD_BRANCH)
    p.find_element(By.NAME, "name").send_keys("李群众")
    p.find_element(By.NAME, "contact").send_keys("13900005678")
    p.find_element(By.NAME, "body").send_keys(UPHELD_BODY)
    click_and_load(p, p.find_element(By.CSS_SELECTOR, "#complaint-form button[type=submit]"))
    assert "已收到您的问题反映" in wait(p).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#complaint .flash-success"))).text

    # ---- 6. gongwei verifies the complaint: not upheld; the notice can't be closed early -------
    d.get(f"{base}/notices/{notice_id}")
    sec = wait(d).until(EC.presence_of_element_located((By.XPATH, "//section[h2[starts-with(normalize-space(), '问题反映')]]")))
    assert "2件" in sec.find_element(By.TAG_NAME, "h2").text

    def complaint_about(branch: str):
        items = d.find_elements(By.XPATH, "//section[h2[starts-with(normalize-space(), '问题反映')]]//div[contains(@class,'criterion')]")
        found = [i for i in items if f"反映对象：{branch}" in i.text]
        assert len(found) == 1, [i.text for i in items]
        return found[0]

    item = complaint_about(BRANCH)
    assert f"反映对象：{BRANCH}" in item.text and "待核查" in item.text
    assert COMPLAINT_BODY in item.text and "（未署名）" in item.text and COMPLAINT_CONTACT in item.text, item.text
    item.find_element(By.NAME, "note").send_keys(VERDICT_NOTE)
    accept_confirms(d)
    click_and_load(d, item.find_element(By.CSS_SELECTOR, "button[name=upheld][value='0']"))
    assert flash(d) == "已认定不属实"
    item = complaint_about(BRANCH)
    assert "不属实" in item.find_element(By.CSS_SELECTOR, ".badge").text
    assert f"核查结论：{VERDICT_NOTE}" in item.text
    assert not item.find_elements(By.NAME, "note"), "a verified complaint has no verify form any more"
    cells = [{td.get_attribute("data-label"): td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")}
             for tr in d.find_elements(By.CSS_SELECTOR, "dl.facts ~ table tbody tr")]
    assert {"党支部": BRANCH, "拟评星级": "5星", "状态": "公示中"} in cells, "a rejected complaint keeps the candidate"
    assert not d.find_elements(By.CSS_SELECTOR, "form[action$='/close']")
    snap(d, "complaint-rejected")
    # the complaint about the other candidate is upheld (after a confirmation): it loses its candidacy
    item = complaint_about(UPHELD_BRANCH)
    assert "李群众" in item.text and UPHELD_BODY in item.text, item.text
    item.find_element(By.NAME, "note").send_keys(UPHELD_NOTE)
    accept_confirms(d)
    click_and_load(d, item.find_element(By.CSS_SELECTOR, "button[name=upheld][value='1']"))
    assert "属实" in last_confirm(d), "属实 asks before it disqualifies"
    assert flash(d) == "已认定属实：该候选对象取消评选资格，已建立责任追究记录"
    assert "属实" in complaint_about(UPHELD_BRANCH).find_element(By.CSS_SELECTOR, ".badge").text
    cells = [{td.get_attribute("data-label"): td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")}
             for tr in d.find_elements(By.CSS_SELECTOR, "dl.facts ~ table tbody tr")]
    assert {"党支部": UPHELD_BRANCH, "拟评星级": "0星", "状态": "已取消评选资格"} in cells, cells
    snap(d, "complaint-upheld")
    gone = srv.api("GET", f"/ratings/{other_id}", token=srv.token("gongwei"))
    assert gone["stage"] == "disqualified" and gone["level"] == 0, gone
    # a hand-made close request (as if the button were there) is refused too
    d.execute_script(
        "var f=document.createElement('form');f.method='post';f.action=arguments[0];"
        "var i=document.createElement('input');i.type='hidden';i.name='_csrf';i.value=document.querySelector('input[name=_csrf]').value;"
        "f.appendChild(i);document.body.appendChild(f);f.setAttribute('id','e2e-close');", f"/notices/{notice_id}/close")
    d.execute_script("document.documentElement.setAttribute('data-e2e-old-page','1'); document.getElementById('e2e-close').submit();")
    wait(d).until(lambda x: x.execute_script("return !document.documentElement.hasAttribute('data-e2e-old-page') && document.readyState==='complete';"))
    refused = flash(d, "error")
    assert refused == f"公示期至{end.isoformat()}（5个工作日），期满前不能结束公示", refused
    assert text_of(d, "dl.facts .badge") == "公示中"
    snap(d, "close-early-refused")

    # on the last day it still runs
    srv.set_today(end.isoformat())
    open_notice(d, base, notice_id, "gongwei")
    assert text_of(d, "dl.facts .badge") == "公示中"
    assert not d.find_elements(By.CSS_SELECTOR, "form[action$='/close']")

    # ---- 7. after the end: close; the rating becomes final 5★ --------------------------------
    after = end + dt.timedelta(days=1)
    srv.set_today(after.isoformat())
    open_notice(d, base, notice_id, "gongwei")
    assert text_of(d, "dl.facts .badge") == "已期满待确认"
    close_btn = d.find_element(By.CSS_SELECTOR, "form[action$='/close'] button[type=submit]")
    assert close_btn.text.strip() == "结束公示并确认星级"
    snap(d, "notice-ended")
    accept_confirms(d)
    click_and_load(d, close_btn)
    assert "公示期已满" in last_confirm(d)
    assert flash(d) == "公示已结束，候选对象星级已确认"
    assert text_of(d, "dl.facts .badge") == "已结束"
    cells = [{td.get_attribute("data-label"): td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")}
             for tr in d.find_elements(By.CSS_SELECTOR, "dl.facts ~ table tbody tr")]
    assert {"党支部": BRANCH, "拟评星级": "5星", "状态": "已评定"} in cells, cells
    assert not d.find_elements(By.CSS_SELECTOR, "form[action$='/close']")
    snap(d, "notice-closed")

    # the public page no longer takes complaints
    p.get(public_url)
    wait(p).until(EC.presence_of_element_located((By.ID, "complaint")))
    assert not p.find_elements(By.ID, "complaint-form")
    assert "本公示已结束，公示期内才能提交问题反映" in body_text(p)
    assert_no_horizontal_overflow(p, "closed public notice page")

    open_rating(d, base, rating_id)
    assert stage_label(d) == "已评定"
    assert level_text(d) == "★★★★★ 5星"
    assert [s["环节"] for s in steps_rows(d)][-2:] == ["列入公示", "公示期满确认"]

    # results page and the printable notice
    d.get(f"{base}/ratings/results?year={YEAR}")
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, "main .card")))
    unit = d.find_element(By.XPATH, "//section[contains(@class,'card')][h2[contains(., '自然资源和规划局')]]")
    res = {}
    for tr in unit.find_elements(By.CSS_SELECTOR, "table tbody tr"):
        c = {td.get_attribute("data-label"): td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")}
        res[c["党支部"]] = c
    assert res[BRANCH]["星级"] == "★★★★★" and res[BRANCH]["状态"] == "已评定", res.get(BRANCH)
    assert "由市委组织部通报表扬" in res[BRANCH]["奖惩"], res[BRANCH]
    assert d.find_elements(By.CSS_SELECTOR, "svg.chart")
    snap(d, "results")
    click_and_load(d, d.find_element(By.PARTIAL_LINK_TEXT, "结果通报"))
    assert "print=1" in d.current_url
    art = wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, "article.official")))
    assert art.find_element(By.TAG_NAME, "h1").text.strip() == f"关于{YEAR}年度五星支部评定结果的通报"
    printed = {}
    for tr in art.find_elements(By.CSS_SELECTOR, "table tbody tr"):
        tds = [td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")]
        printed.setdefault(tds[0], tds[1])
    assert printed.get(BRANCH) == "5星", printed
    signature = art.find_element(By.CSS_SELECTOR, "p.right").text
    assert "中共江州市" in signature and "年" in signature, signature
    snap(d, "results-print")

    # ---- 8. the secretary's application at 375 px ---------------------------------------------
    ph = browser(375, 812)
    login(ph, base, "zhibu")
    open_rating(ph, base, rating_id)
    assert stage_label(ph) == "已评定"
    assert level_text(ph) == "★★★★★ 5星"
    assert "由市委组织部通报表扬" in body_text(ph)
    assert not ph.find_elements(By.ID, "assess-form") and not ph.find_elements(By.ID, "review")
    snap(ph, "secretary-final-375")
    assert_no_horizontal_overflow(ph, "application page (final)")


# --------------------------------------------------------------------------- regressions
# (found by this journey: a button's own data-confirm was never asked; the star checkboxes overflowed a phone)

OTHER_BRANCH = "国土空间规划科党支部"  # zhibu2's branch, untouched by the journey


def open_other_draft(driver, base: str) -> None:
    """As zhibu2, open (or first create) the 2026 application of 国土空间规划科党支部, still a draft."""
    login(driver, base, "zhibu2")
    driver.get(base + "/ratings")
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.filters")))
    cards = driver.find_elements(By.XPATH, "//section[h2[normalize-space()='支部报星']]")
    if cards:
        assert Select(cards[0].find_element(By.NAME, "branchId")).first_selected_option.text == OTHER_BRANCH
        click_and_load(driver, cards[0].find_element(By.CSS_SELECTOR, "button[type=submit]"))
    else:
        click_and_load(driver, driver.find_element(By.LINK_TEXT, OTHER_BRANCH))
    assert re.search(r"/ratings/[0-9a-f-]{36}$", driver.current_url), driver.current_url
    wait(driver).until(EC.presence_of_element_located((By.ID, "assess-form")))


def test_submit_button_asks_for_confirmation(rating_server, browser, shot):
    """提交申报 says '提交后将进入单位审星，不能再修改。确定提交吗？' — answering 'no' must not submit."""
    srv = rating_server
    base = srv.base_url
    srv.set_today(conftest.TODAY)
    d = browser(1280)
    open_other_draft(d, base)
    url = d.current_url
    answer_confirms(d, False)
    d.find_element(By.CSS_SELECTOR, "#assess-form button[name=do][value=submit]").click()
    time.sleep(1.5)  # long enough for a (wrong) submission to come back
    shot(d, "rating-24-submit-asks-first")
    assert "不能再修改" in last_confirm(d), "提交申报 went to the server without asking for confirmation"
    assert d.current_url == url and not d.find_elements(By.CSS_SELECTOR, "p.flash.flash-error")


def test_draft_application_fits_a_phone(rating_server, browser, shot):
    rating_server.set_today(conftest.TODAY)
    d = browser(375, 812)
    open_other_draft(d, rating_server.base_url)
    shot(d, "rating-25-draft-375")
    assert_no_horizontal_overflow(d, "draft application form (/ratings/{id})")
