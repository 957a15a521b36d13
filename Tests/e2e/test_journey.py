"""The branch secretary's journey, in a real (headless) Chromium.

Screenshots of every step go to Tests/e2e/screenshots/ (git-ignored).
"""
from __future__ import annotations

import random
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import click_and_load, horizontal_overflow, login

CJK = re.compile(r"[\u4e00-\u9fff]")
OWN_BRANCH = "办公室党支部"
OTHER_BRANCH = "国土空间规划科党支部"
OTHER_SECRETARY = "刘海燕"  # a member of 国土空间规划科党支部


def unique_name() -> str:
    # 欧阳 never occurs in the seeded demo names (single-character surnames only)
    given = "明华子文思远嘉宁志诚若溪一帆晓雯"
    return "欧阳" + "".join(random.sample(given, 2))


def wait(driver, timeout: float = 20) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def visible_tree_names(driver) -> list[str]:
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#tree li.tree-row:not(.hidden) a.tree-name")
            if a.is_displayed()]


def all_tree_names(driver) -> list[str]:
    return [a.get_attribute("textContent").strip() for a in driver.find_elements(By.CSS_SELECTOR, "#tree li.tree-row a.tree-name")]


def set_date(driver, name: str, iso: str) -> None:
    """Type a date into <input type=date> independent of the browser's locale format."""
    el = driver.find_element(By.NAME, name)
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", el, iso)
    assert el.get_attribute("value") == iso


def fill(driver, name: str, text: str) -> None:
    el = driver.find_element(By.NAME, name)
    el.clear()
    if text:
        el.send_keys(text)


def submit_member_form(driver) -> None:
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "form.grid-form button[type=submit]"))


def field_error(driver, name: str) -> str:
    """The error text shown beside field ``name`` (its label is .field.has-error)."""
    label = driver.find_element(By.XPATH, f"//label[contains(concat(' ', normalize-space(@class), ' '), ' field ')][.//*[@name='{name}']]")
    assert "has-error" in label.get_attribute("class").split(), f"field {name} is not marked has-error"
    return label.find_element(By.CSS_SELECTOR, "em.error").text.strip()


def show_validation_errors(driver, base_url: str) -> None:
    """Open /members/new and submit an empty name with phone 12345 (other fields filled)."""
    driver.get(base_url + "/members/new")
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.grid-form")))
    fill(driver, "name", "")
    Select(driver.find_element(By.NAME, "gender")).select_by_visible_text("男")
    set_date(driver, "birthDate", "1988-05-04")
    Select(driver.find_element(By.NAME, "status")).select_by_visible_text("正式党员")
    set_date(driver, "joinDate", "2015-07-01")
    fill(driver, "post", "宣传委员")
    fill(driver, "phone", "12345")
    submit_member_form(driver)
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".field.has-error em.error")))


def assert_no_horizontal_overflow(driver, page: str) -> None:
    scroll_width, inner_width = horizontal_overflow(driver)
    assert inner_width == driver.viewport_width, f"{page}: viewport is {inner_width}px, expected {driver.viewport_width}px"
    if scroll_width > inner_width + 1:
        wide = driver.execute_script(
            "var w=window.innerWidth, out=[];"
            "document.querySelectorAll('body *').forEach(function(e){var r=e.getBoundingClientRect();"
            " if(r.right>w+1 && r.width>0) out.push(e.tagName.toLowerCase()+(e.id?'#'+e.id:'')+"
            " (e.className&&typeof e.className==='string'?'.'+e.className.trim().split(/\\s+/).join('.'):'')+' right='+Math.round(r.right));});"
            "return out.slice(0,8);")
        pytest.fail(f"{page}: horizontal overflow at {inner_width}px — scrollWidth {scroll_width}; widest elements: {wide}")


# --------------------------------------------------------------------------- tests

def test_branch_secretary_journey(server, browser, shot):
    base = server.base_url
    d = browser(1280)
    step = iter(range(1, 100))

    def snap(name: str) -> None:
        shot(d, f"journey-1280-{next(step):02d}-{name}")

    # 1. log in as the branch secretary
    d.get(base + "/login")
    assert "党建工作平台" in d.find_element(By.CSS_SELECTOR, ".login-card h1").text
    d.find_element(By.NAME, "username").send_keys("zhibu")
    d.find_element(By.NAME, "password").send_keys("Dangjian2026")
    snap("login")
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
    who = wait(d).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".userbox .who")))
    assert "王建国" in who.text and "支部书记" in who.text
    snap("dashboard")

    # 2. the tree shows only the secretary's own branch
    d.get(base + "/orgs")
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ul#tree li.tree-row")))
    names = all_tree_names(d)
    assert OWN_BRANCH in names
    assert OTHER_BRANCH not in names, f"another branch leaked into the secretary's tree: {names}"
    assert OTHER_BRANCH not in d.find_element(By.TAG_NAME, "body").text
    assert OWN_BRANCH in visible_tree_names(d)
    snap("tree")

    # 3. filter with the search box
    search = d.find_element(By.ID, "tree-search")
    search.send_keys("第一")
    wait(d).until(lambda _: "第二党小组" not in visible_tree_names(d))
    shown = visible_tree_names(d)
    assert "第一党小组" in shown and OWN_BRANCH in shown, shown  # the match and its ancestor
    assert d.find_elements(By.CSS_SELECTOR, "#tree li.tree-row.match")
    snap("tree-search")
    search.clear()
    search.send_keys("不存在的组织")
    wait(d).until(lambda _: d.find_element(By.ID, "tree-empty").is_displayed())
    assert visible_tree_names(d) == []
    search.clear()
    search.send_keys(" ")  # clearing via keys fires 'input'; a blank query shows everything again
    wait(d).until(lambda _: "第二党小组" in visible_tree_names(d))

    # 4. a bad submission shows Chinese errors beside the fields and keeps what was typed
    show_validation_errors(d, base)
    name_err, phone_err = field_error(d, "name"), field_error(d, "phone")
    assert CJK.search(name_err), name_err
    assert CJK.search(phone_err) and "手机号" in phone_err, phone_err
    assert d.find_element(By.NAME, "phone").get_attribute("value") == "12345"
    assert d.find_element(By.NAME, "post").get_attribute("value") == "宣传委员"
    assert d.find_element(By.NAME, "birthDate").get_attribute("value") == "1988-05-04"
    assert d.find_element(By.NAME, "joinDate").get_attribute("value") == "2015-07-01"
    assert Select(d.find_element(By.NAME, "gender")).first_selected_option.text == "男"
    assert OWN_BRANCH in Select(d.find_element(By.NAME, "org")).first_selected_option.text
    ok_fields = [e.get_attribute("name") for e in d.find_elements(By.CSS_SELECTOR, ".field.has-error [name]")]
    assert set(ok_fields) == {"name", "phone"}, f"unexpected fields in error: {ok_fields}"
    snap("member-form-errors")

    # 5. fix it and save
    name = unique_name()
    fill(d, "name", name)
    Select(d.find_element(By.NAME, "gender")).select_by_visible_text("男")
    Select(d.find_element(By.NAME, "status")).select_by_visible_text("正式党员")
    set_date(d, "joinDate", "2015-07-01")
    set_date(d, "birthDate", "1988-05-04")
    org = Select(d.find_element(By.NAME, "org"))
    if OWN_BRANCH not in org.first_selected_option.text:
        org.select_by_visible_text(f"{OWN_BRANCH}（党支部）")
    fill(d, "phone", "13900001111")
    snap("member-form-filled")
    submit_member_form(d)
    flash = wait(d).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".flash-success")))
    assert name in flash.text
    assert re.search(r"/members/[0-9a-f-]{36}$", d.current_url), d.current_url
    assert name in d.find_element(By.CSS_SELECTOR, ".page-head h1").text
    body = d.find_element(By.TAG_NAME, "body").text
    assert "2015-07-01" in body and OWN_BRANCH in body
    snap("member-saved")

    # 6. find the new member in the list, phone masked
    d.get(base + "/members")
    q = d.find_element(By.CSS_SELECTOR, "form.filters input[name=q]")
    q.send_keys(name)
    click_and_load(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    assert "q=" in d.current_url
    wait(d).until(EC.presence_of_element_located((By.ID, "member-table")))
    rows = d.find_elements(By.CSS_SELECTOR, "#member-table tbody tr")
    assert len(rows) == 1, [r.text for r in rows]
    cells = {td.get_attribute("data-label"): td.text.strip() for td in rows[0].find_elements(By.TAG_NAME, "td")}
    assert cells["姓名"] == name
    assert cells["手机号"] == "139****1111"
    assert "13900001111" not in d.page_source
    assert cells["所在支部"] == OWN_BRANCH and cells["入党日期"] == "2015-07-01" and cells["性别"] == "男"
    snap("member-list-search")


def test_phone_width_has_no_horizontal_overflow(server, browser, shot):
    base = server.base_url
    d = browser(375, 812)

    d.get(base + "/login")
    wait(d).until(EC.presence_of_element_located((By.NAME, "username")))
    shot(d, "phone-375-01-login")
    assert_no_horizontal_overflow(d, "login")

    login(d, base, "zhibu")
    d.get(base + "/orgs")
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ul#tree li.tree-row")))
    assert OWN_BRANCH in all_tree_names(d)
    shot(d, "phone-375-02-tree")
    assert_no_horizontal_overflow(d, "tree (/orgs)")

    # the main navigation folds behind the 菜单 button on a phone
    nav = d.find_element(By.CSS_SELECTOR, "nav.mainnav")
    assert not nav.is_displayed()
    d.find_element(By.CSS_SELECTOR, "label.menu-btn").click()
    wait(d).until(lambda _: nav.is_displayed())
    assert "党员管理" in nav.text
    shot(d, "phone-375-02b-menu-open")
    assert_no_horizontal_overflow(d, "tree with the menu open")

    d.get(base + "/members")
    wait(d).until(EC.presence_of_element_located((By.ID, "member-table")))
    assert d.find_elements(By.CSS_SELECTOR, "#member-table tbody tr")
    shot(d, "phone-375-03-member-list")
    assert_no_horizontal_overflow(d, "member list (/members)")

    show_validation_errors(d, base)
    assert CJK.search(field_error(d, "phone"))
    shot(d, "phone-375-04-member-form-errors")
    assert_no_horizontal_overflow(d, "member form with errors (/members/new)")


def test_secretary_cannot_open_another_branchs_member(server, browser, shot):
    other = server.find_member(OTHER_SECRETARY)
    assert other["orgName"] == OTHER_BRANCH
    d = browser(1280)
    login(d, server.base_url, "zhibu")
    d.get(f"{server.base_url}/members/{other['id']}")
    title = wait(d).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "h1.err-title")))
    body = d.find_element(By.TAG_NAME, "body").text
    shot(d, "forbidden-1280-other-branch-member")
    assert "无权" in title.text, title.text
    assert "403" in body
    assert OTHER_SECRETARY not in d.find_element(By.TAG_NAME, "main").text  # nothing of the member leaks
    # and the API answers 403 too, for the same user
    import urllib.error
    with pytest.raises(urllib.error.HTTPError) as e:
        server.api("GET", f"/members/{other['id']}", token=server.token("zhibu"))
    assert e.value.code == 403
