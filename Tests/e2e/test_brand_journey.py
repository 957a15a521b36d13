"""党建品牌 (R-9…R-12) in a real (headless) Chromium: a new brand of 办公室党支部 from 定名 to 命名
through every role, with one return and re-submission, a public visitor commenting at 375 px,
moderation, and the printed 创建档案.

1. zhibu (办公室党支部书记) opens 新建品牌: the empty form is refused with Chinese errors beside
   the fields (422); a valid one creates the brand in 定名 (draft).
2. zhibu may 进入培育 and 申报, and sees no committee step (accept / forward / return).
3. jiguan (机关党委) returns the application with two reasons; the brand page shows them to zhibu.
4. zhibu revises the connotation and re-submits; jiguan forwards it with the organ committee's
   opinion; zhibu can no longer step it.
5. gongwei (工委) accepts it into 初选 and assigns the expert 赵文博 (zhuanjia).
6. zhuanjia scores it on the five criteria of seed 000 §7 (an out-of-range score is refused
   beside its field first); the weighted total is shown.
7. gongwei's selection page ranks the year's applications; the threshold rule shortlists it
   (考察/公开评议).
8. A public visitor at 375 px opens the candidate's 微信点评 page (no login, no horizontal
   overflow), submits a comment containing ``<img src=x onerror=alert(1)>``: it is thanked,
   and the comment is not shown.
9. zhongxin (another unit) leaves a 机关互评 comment on the brand page.
10. gongwei approves both in 评议审核; the visitor reloads: the comment is visible, as text
    (no <img> element is created, no alert ran).
11. gongwei records an optimisation suggestion and issues the naming decision (文号 checked);
    the brand is 命名 and appears on the public 品牌展示.
12. The 申报表 and 创建档案 print on A4: Chromium prints the dossier to PDF, pdftoppm turns its
    pages into PNGs, and pdftotext finds the brand, the decision's 文号 and the return in it.

Screenshots: ``Tests/e2e/screenshots/brand-NN-*.png``; server log: ``brand-server.log``.
"""
from __future__ import annotations

import base64
import re
import shutil
import subprocess
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

import conftest
from conftest import SCREENSHOT_DIR, click_and_load, login
from test_journey import assert_no_horizontal_overflow
from test_rating_journey import accept_confirms, as_user, body_text, flash, wait
from test_supervision_journey import field_error, http_status, select_org, set_value

NAME = "规划服务零距离"
THEME = "规划服务进社区·党员先锋在身边"
CONNOTATION_V1 = "党员带头服务群众"
CONNOTATION_V2 = "以“规划服务零距离”为主线，党员先锋岗把规划公示讲解、用地咨询送进社区，让群众看得懂、办得快"
FIELDS = {
    "philosophy": "党建引领规划、规划服务民生",
    "carriers": "规划先锋岗、社区规划服务站、主题党日",
    "longPlan": "三年内形成“规划进社区”常态机制，培育3名业务骨干讲解员",
    "yearPlan": "每月一次规划进社区，每季度一次品牌主题党日，年底总结工作法",
    "achievements": "全年开展规划进社区12次，解答群众咨询300余人次，满意度98%",
}
OPINION = "品牌定位准确、特色鲜明，同意报送市直机关工委"
SCORES = {"name": "92", "philosophy": "88", "mechanism": "86", "carriers": "90", "effect": "89"}
XSS = "<img src=x onerror=alert(1)>规划讲解很耐心"
MUTUAL = "规划进社区的做法值得学习借鉴"
SUGGESTION = "建议把社区规划服务站的做法总结成工作法"
YEAR = "2026"
DOCUMENT = f"江自然资党〔{YEAR}〕30号"
DECIDED_ON = "2026-11-21"
TITLE = "关于命名第三批市直机关党建品牌的决定"


# --------------------------------------------------------------------------- fixtures & helpers

@pytest.fixture(scope="module")
def brand_server():
    """A server of our own: the journey adds a brand, comments from one IP and a decision."""
    srv = conftest.start_own_server("brand-server.log")
    yield srv
    srv.stop()


def step_actions(driver) -> set[str]:
    """The R-9 steps this user is offered on the brand page (buttons and the forward/return forms)."""
    acts = {b.get_attribute("data-step") for b in driver.find_elements(By.CSS_SELECTOR, "#steps button[data-step]")}
    if driver.find_elements(By.ID, "forward-form"):
        acts.add("forward")
    if driver.find_elements(By.ID, "return-form"):
        acts.add("return")
    return acts


def state_badge(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, ".brand-head .badge").text.strip()


def open_brand(driver, base: str, bid: str) -> None:
    driver.get(f"{base}/brands/{bid}")
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".brand-head h1")))


def take_step(driver, action: str) -> None:
    accept_confirms(driver)
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, f"#steps button[data-step='{action}']"))


def public_comments(driver) -> list[str]:
    return [p.text.strip() for p in driver.find_elements(By.CSS_SELECTOR, "#comments li.comment p.pre")]


# --------------------------------------------------------------------------- the journey

def test_brand_journey_r9_to_r12_through_every_role(brand_server, browser, shot):
    base = brand_server.base_url
    d = browser(1280)
    n = iter(range(1, 100))

    def snap(name: str, drv=None) -> None:
        shot(drv or d, f"brand-{next(n):02d}-{name}")

    # 1. 定名: the empty form is refused beside its fields; a valid one creates the draft
    login(d, base, "zhibu")
    d.get(base + "/brands/new")
    wait(d).until(EC.presence_of_element_located((By.ID, "brand-form")))
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "#brand-form button[type=submit]"))
    assert http_status(d) == 422
    assert "不能为空" in field_error(d, "name") or "填写" in field_error(d, "name"), field_error(d, "name")
    assert field_error(d, "theme") and field_error(d, "connotation")
    snap("new-refused")
    select_org(d, "办公室党支部")
    d.find_element(By.NAME, "name").send_keys(NAME)
    d.find_element(By.NAME, "theme").send_keys(THEME)
    d.find_element(By.NAME, "connotation").send_keys(CONNOTATION_V1)
    for k, v in FIELDS.items():
        d.find_element(By.NAME, k).send_keys(v)
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "#brand-form button[type=submit]"))
    assert "已定名" in flash(d)
    bid = re.search(r"/brands/([0-9a-f-]{36})", d.current_url).group(1)
    assert state_badge(d) == "定名"
    snap("draft")

    # 2. the owner cultivates and submits; committee steps are not offered to it
    assert step_actions(d) == {"cultivate"}
    take_step(d, "cultivate")
    assert state_badge(d) == "培育"
    assert step_actions(d) == {"submit"}
    take_step(d, "submit")
    assert state_badge(d) == "申报（待机关党委审核）"
    assert step_actions(d) == set(), "the owner must not forward, return or accept its own application"
    snap("submitted")

    # 3. 机关党委 returns it with reasons
    as_user(d, base, "jiguan")
    open_brand(d, base, bid)
    assert step_actions(d) == {"forward", "return"}
    form = d.find_element(By.ID, "return-form")
    click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))   # no reason ticked
    assert http_status(d) == 422
    assert d.find_element(By.CSS_SELECTOR, "#return-form fieldset em.error").text.strip(), "no reason ticked: an error beside 退回原因"
    form = d.find_element(By.ID, "return-form")
    form.find_element(By.NAME, "reason.vague").click()
    form.find_element(By.NAME, "reason.indistinct").click()
    form.find_element(By.NAME, "note").send_keys("请提炼社区规划服务的具体做法")
    click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert state_badge(d) == "退回待重新申报"
    snap("returned-by-organ-committee")

    # 4. the owner sees the reasons, revises, re-submits; the organ committee forwards it
    as_user(d, base, "zhibu")
    open_brand(d, base, bid)
    returned = d.find_element(By.ID, "returned").text
    assert all(x in returned for x in ("品牌概念模糊", "缺乏特色", "请提炼社区规划服务的具体做法")), returned
    snap("owner-sees-reasons")
    click_and_load(d, d.find_element(By.LINK_TEXT, "修改"))
    c = d.find_element(By.NAME, "connotation")
    c.clear()
    c.send_keys(CONNOTATION_V2)
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "#brand-form button[type=submit]"))
    assert "已保存" in flash(d)
    assert step_actions(d) == {"submit"}
    take_step(d, "submit")
    assert state_badge(d) == "申报（待机关党委审核）"

    as_user(d, base, "jiguan")
    open_brand(d, base, bid)
    form = d.find_element(By.ID, "forward-form")
    form.find_element(By.NAME, "opinion").send_keys(OPINION)
    click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert state_badge(d) == "申报（待工委受理）", state_badge(d)
    assert step_actions(d) == set(), "机关党委 must not accept into preliminary selection"
    snap("forwarded")

    # 5. 工委 accepts and assigns the expert
    as_user(d, base, "gongwei")
    open_brand(d, base, bid)
    assert step_actions(d) == {"accept", "return"}
    take_step(d, "accept")
    assert state_badge(d) == "初选"
    sel = Select(d.find_element(By.CSS_SELECTOR, "#expert-form select[name=user]"))
    expert = [o for o in sel.options if "赵文博" in o.text]
    assert expert, [o.text for o in sel.options]
    sel.select_by_value(expert[0].get_attribute("value"))
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "#expert-form button[type=submit]"))
    assert "赵文博" in d.find_element(By.ID, "experts").text and "待评分" in d.find_element(By.ID, "experts").text
    snap("preliminary-expert-assigned")

    # 6. the expert scores it (an out-of-range score first)
    as_user(d, base, "zhuanjia")
    open_brand(d, base, bid)
    form = d.find_element(By.ID, "score-form")
    for k, v in SCORES.items():
        form.find_element(By.NAME, k).send_keys("120" if k == "effect" else v)
    form.find_element(By.NAME, "comment").send_keys("载体实在、成效可量化，建议总结工作法")
    click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert http_status(d) == 422
    assert field_error(d, "effect"), "the 120 must be refused beside 创建成效"
    inp = d.find_element(By.CSS_SELECTOR, "#score-form input[name=effect]")
    inp.clear()
    inp.send_keys(SCORES["effect"])
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "#score-form button[type=submit]"))
    head = d.find_element(By.CSS_SELECTOR, "#score h2").text
    # 92×15% + 88×20% + 86×20% + 90×20% + 89×25% = 88.85 → 88.9 (tenths, half up)
    assert "88.9分" in head, head
    assert step_actions(d) == set()
    snap("expert-scored")

    # 7. the committee ranks and shortlists by threshold
    as_user(d, base, "gongwei")
    d.get(f"{base}/brands/selection?year={YEAR}")
    ranking = d.find_element(By.ID, "ranking").text
    assert NAME in ranking, ranking
    snap("selection-ranking")
    form = d.find_element(By.CSS_SELECTOR, "#shortlist form")
    form.find_element(By.CSS_SELECTOR, "input[name=rule][value=threshold]").click()
    t = form.find_element(By.NAME, "threshold")
    t.clear()
    t.send_keys("85")
    accept_confirms(d)
    click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "初选完成" in flash(d)
    open_brand(d, base, bid)
    assert state_badge(d) == "考察（公开评议）"
    public_url = d.find_element(By.LINK_TEXT, "微信点评链接").get_attribute("href")
    assert "/public/brands/" + bid in public_url and "ch=m" in public_url

    # 8. a public visitor at 375 px comments; the comment waits for moderation
    phone = browser(375, 812)
    phone.get(public_url)
    wait(phone).until(EC.presence_of_element_located((By.ID, "comment-form")))
    assert NAME in phone.find_element(By.TAG_NAME, "h1").text
    assert_no_horizontal_overflow(phone, "public candidate page at 375 px")
    shot(phone, f"brand-{next(n):02d}-public-375")
    form = phone.find_element(By.ID, "comment-form")
    form.find_element(By.CSS_SELECTOR, "input[name=rating][value='5']").click()
    form.find_element(By.NAME, "author").send_keys("社区居民")
    form.find_element(By.NAME, "body").send_keys(XSS)
    click_and_load(phone, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "审核通过后将公开显示" in flash(phone)
    assert not any("规划讲解很耐心" in t for t in public_comments(phone)), "an unmoderated comment must not be shown"
    assert_no_horizontal_overflow(phone, "public candidate page after commenting")
    shot(phone, f"brand-{next(n):02d}-public-375-thanked")

    # 9. another unit's mutual review (机关互评)
    as_user(d, base, "zhongxin")
    open_brand(d, base, bid)
    form = d.find_element(By.CSS_SELECTOR, "#mutual form")
    form.find_element(By.CSS_SELECTOR, "input[name=rating][value='4']").click()
    form.find_element(By.NAME, "body").send_keys(MUTUAL)
    click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "审核通过后将公开显示" in flash(d)

    # 10. the committee approves both; the visitor sees the comment as text
    as_user(d, base, "gongwei")
    d.get(base + "/brands/comments")
    queue = d.find_element(By.ID, "queue")
    assert XSS in queue.text, "the moderator must see the raw text, escaped"
    assert not queue.find_elements(By.CSS_SELECTOR, "img[src=x]")
    snap("moderation-queue")
    for needle in (XSS, MUTUAL):
        item = d.find_element(By.XPATH, f"//ul[@id='queue']/li[.//p[@class='pre'][contains(., {xpath_literal(needle[-8:])})]]")
        click_and_load(d, item.find_element(By.XPATH, ".//button[normalize-space()='通过']"))
        assert "通过" in flash(d)

    phone.refresh()
    wait(phone).until(EC.presence_of_element_located((By.ID, "comments")))
    shown = public_comments(phone)
    assert XSS in shown, f"the approved comment must show as typed: {shown}"
    assert MUTUAL in shown
    assert DECIDED_ON in phone.find_element(By.ID, "comments").text, "comments are dated by the platform's clock"
    assert not phone.find_elements(By.CSS_SELECTOR, "#comments img"), "the payload must not become an element"
    assert phone.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert_no_horizontal_overflow(phone, "public candidate page with comments")
    shot(phone, f"brand-{next(n):02d}-public-375-approved")

    # 11. suggestion, then the naming decision (a wrong 文号 year first)
    open_brand(d, base, bid)
    form = d.find_element(By.CSS_SELECTOR, "#suggestions form")
    form.find_element(By.NAME, "text").send_keys(SUGGESTION)
    click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert SUGGESTION in d.find_element(By.ID, "suggestions").text
    d.get(base + "/brands/decisions")
    form = d.find_element(By.CSS_SELECTOR, "#decide form")
    form.find_element(By.NAME, "document").send_keys("江自然资党〔2025〕30号")
    set_value(d, "decidedOn", DECIDED_ON)
    title = form.find_element(By.NAME, "title")
    assert title.get_attribute("value"), "the title is prefilled with the year's usual wording"
    title.clear()
    title.send_keys(TITLE)
    box = form.find_element(By.XPATH, f".//label[contains(., '{NAME}')]/input[@type='checkbox']")
    box.click()
    accept_confirms(d)
    click_and_load(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert http_status(d) == 422
    assert "年" in field_error(d, "document"), field_error(d, "document")
    snap("decision-refused")
    doc = d.find_element(By.NAME, "document")
    doc.clear()
    doc.send_keys(DOCUMENT)
    box = d.find_element(By.XPATH, f"//section[@id='decide']//label[contains(., '{NAME}')]/input[@type='checkbox']")
    if not box.is_selected():
        box.click()
    accept_confirms(d)
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "#decide form button[type=submit]"))
    assert "已印发命名决定" in flash(d)
    assert DOCUMENT in body_text(d) and NAME in body_text(d)
    snap("decision")
    open_brand(d, base, bid)
    assert state_badge(d) == "已命名"
    assert step_actions(d) == set()
    snap("named")

    d.get(base + "/showcase")
    assert NAME in body_text(d)
    phone.get(f"{base}/showcase/{bid}")
    assert NAME in body_text(phone)
    assert_no_horizontal_overflow(phone, "showcase at 375 px")
    shot(phone, f"brand-{next(n):02d}-showcase-375")

    # 12. the 申报表 and the 创建档案, printed on A4
    d.get(f"{base}/brands/{bid}/application")
    text = body_text(d)
    assert NAME in text and OPINION in text, "the 申报表 carries the organ committee's opinion"
    snap("application")
    d.get(f"{base}/brands/{bid}/dossier")
    text = body_text(d)
    for needle in (NAME, DOCUMENT, "退回", OPINION, "赵文博"):
        assert needle in text, f"dossier lacks {needle}"
    snap("dossier-screen")
    print_dossier(d, f"brand-{next(n):02d}-dossier-printed", [NAME, DOCUMENT, OPINION])


def print_dossier(driver, stem: str, needles: list[str]) -> None:
    """Chromium prints the page to PDF (A4, print CSS); poppler turns each page into a PNG
    and its text must hold ``needles``."""
    opts = PrintOptions()
    opts.page_width, opts.page_height = 21.0, 29.7
    opts.background = True
    pdf = SCREENSHOT_DIR / f"{stem}.pdf"
    pdf.write_bytes(base64.b64decode(driver.print_page(opts)))
    assert pdf.read_bytes().startswith(b"%PDF")
    for old in SCREENSHOT_DIR.glob(f"{stem}-*.png"):
        old.unlink()
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed to turn the printed PDF into PNG"
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(SCREENSHOT_DIR / stem)], check=True)
    pages = sorted(SCREENSHOT_DIR.glob(f"{stem}-*.png"))
    assert pages and all(p.stat().st_size > 5000 for p in pages), pages
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    for needle in needles:
        assert needle.replace(" ", "") in re.sub(r"\s+", "", text), f"printed dossier lacks {needle}"
    # the screen chrome (menu, buttons) is not printed
    assert "退出" not in text and "修改" not in text.split(needles[0])[0]


def xpath_literal(s: str) -> str:
    if "'" not in s:
        return f"'{s}'"
    return "concat('" + s.replace("'", "',\"'\",'") + "')"
