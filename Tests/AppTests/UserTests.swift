import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

@Suite struct UserTests {
    @Test func officerCreatesASecretaryInScopeWhoCanLogIn() async throws {
        try await withTestApp { t in
            let token = try await t.token("jiguan")
            let b05 = try await t.org("ZR-B05")
            let res = try await t.api(.POST, "/api/v1/users", token: token, json: [
                "username": "wumin", "displayName": "吴敏", "password": "Secret2026", "role": "branchSecretary", "orgId": b05.idString])
            #expect(res.status == .created)
            let u = try res.content.decode(UserDTO.self)
            #expect(u.grants.map(\.roleLabel) == ["支部书记"])
            #expect(u.grants.first?.orgName == "国土空间生态修复科党支部")
            let login = try await t.api(.POST, "/api/v1/auth/login", json: ["username": "wumin", "password": "Secret2026"])
            #expect(login.status == .ok)
            let stored = try #require(try await UserModel.query(on: t.db).filter(\.$username == "wumin").first())
            #expect(stored.passwordHash.hasPrefix("$2"), "bcrypt")
            #expect(!stored.passwordHash.contains("Secret2026"))
        }
    }

    @Test func officerCannotGrantOutsideScopeOrAtOwnLevel() async throws {
        try await withTestApp { t in
            let token = try await t.token("jiguan")
            let bdc = try await t.org("BDC-B01")
            let unit = try await t.org("ZR-JGDW")
            let out = try await t.api(.POST, "/api/v1/users", token: token, json: [
                "username": "x1", "displayName": "某人", "password": "Secret2026", "role": "branchSecretary", "orgId": bdc.idString])
            #expect(out.status == .forbidden)
            let same = try await t.api(.POST, "/api/v1/users", token: token, json: [
                "username": "x2", "displayName": "某人", "password": "Secret2026", "role": "unitOfficer", "orgId": unit.idString])
            #expect(same.status == .forbidden)
            let wrongNode = try await t.api(.POST, "/api/v1/users", token: token, json: [
                "username": "x3", "displayName": "某人", "password": "Secret2026", "role": "groupLeader", "orgId": unit.idString])
            #expect(wrongNode.status == .unprocessableEntity)
            #expect(wrongNode.errorFields["org"] == "党小组组长角色不能授予在机关党委上")
        }
    }

    @Test func badUserInputIsNamedByField() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            let b01 = try await t.org("ZR-B01")
            let res = try await t.api(.POST, "/api/v1/users", token: token, json: [
                "username": "中文名", "displayName": "", "password": "short", "role": "nope", "orgId": b01.idString])
            #expect(res.status == .unprocessableEntity)
            #expect(res.errorFields["username"] == "用户名只能包含字母、数字和 . _ -")
            #expect(res.errorFields["displayName"] == "姓名不能为空")
            #expect(res.errorFields["password"] == "密码至少8位")
            #expect(res.errorFields["role"] == "请选择角色")
            let dup = try await t.api(.POST, "/api/v1/users", token: token, json: [
                "username": "zhibu", "displayName": "重名", "password": "Secret2026", "role": "member", "orgId": b01.idString])
            #expect(dup.status == .conflict)
            #expect(dup.errorFields["username"] == "用户名“zhibu”已被使用")
        }
    }

    @Test func grantsAreAddedAndRevokedButNeverTheLastOne() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            let u = try #require(try await UserModel.query(on: t.db).filter(\.$username == "zhibu2").first())
            let g1 = try await t.org("ZR-B02-G1")
            let added = try await t.api(.POST, "/api/v1/users/\(u.idString)/grants", token: token, json: ["role": "groupLeader", "orgId": g1.idString])
            #expect(added.status == .ok)
            let dto = try added.content.decode(UserDTO.self)
            #expect(dto.grants.count == 2)
            let twice = try await t.api(.POST, "/api/v1/users/\(u.idString)/grants", token: token, json: ["role": "groupLeader", "orgId": g1.idString])
            #expect(twice.status == .conflict)
            let gid = try #require(dto.grants.first { $0.role == "groupLeader" }?.id)
            let removed = try await t.api(.DELETE, "/api/v1/users/\(u.idString)/grants/\(gid)", token: token)
            #expect(try removed.content.decode(UserDTO.self).grants.count == 1)
            let last = try #require(try removed.content.decode(UserDTO.self).grants.first?.id)
            #expect(try await t.api(.DELETE, "/api/v1/users/\(u.idString)/grants/\(last)", token: token).status == .conflict)
            #expect(try await t.api(.DELETE, "/api/v1/users/\(u.idString)/grants/nope", token: token).status == .notFound)
            #expect(try await t.auditCount(action: "grant") == 1)
            #expect(try await t.auditCount(action: "revoke") == 1)
        }
    }

    @Test func officerSeesOnlyUsersOfTheirSubtree() async throws {
        try await withTestApp { t in
            let token = try await t.token("jiguan")
            let list = try await t.api(.GET, "/api/v1/users?per=200", token: token).content.decode(ListResponse<UserDTO>.self)
            let names = Set(list.items.map(\.username))
            #expect(names.isSuperset(of: ["zhibu", "zhibu2", "xiaozu", "dangyuan"]))
            #expect(!names.contains("zhongxin"), "another unit's officer")
            #expect(!names.contains("admin"))
            let other = try #require(try await UserModel.query(on: t.db).filter(\.$username == "zhongxin").first())
            #expect(try await t.api(.GET, "/api/v1/users/\(other.idString)", token: token).status == .forbidden)
        }
    }

    @Test func userPagesCreateAndLinkAMember() async throws {
        try await withTestApp { t in
            let b = try await t.login("jiguan")
            let b01 = try await t.org("ZR-B01")
            try await b.get("/users/new")
            let bad = try await b.post("/users/new", ["username": "m1", "displayName": "某党员", "password": "Secret2026", "role": "member",
                                                      "org": b01.idString, "memberName": "不存在的人"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("找不到名为“不存在的人”的党员"))
            let m = try await t.ordinaryMemberOfB01()
            let ok = try await b.post("/users/new", ["username": "m1", "displayName": m.name, "password": "Secret2026", "role": "member",
                                                     "org": b01.idString, "memberName": m.name])
            #expect(ok.status == .seeOther)
            let u = try #require(try await UserModel.query(on: t.db).filter(\.$username == "m1").first())
            #expect(u.memberID == m.id)
            // the new member user reads their own record
            let mb = t.browser()
            try await mb.login("m1", password: "Secret2026")
            #expect(try await mb.get("/members/\(m.idString)").status == .ok)
        }
    }
}

@Suite struct PageFlowTests {
    @Test func orgPagesCreateEditMoveCloseReopen() async throws {
        try await withTestApp { t in
            let b = try await t.login("gongwei")
            let oc = try await t.org("BDC-DW")
            try await b.get("/orgs/new?parent=\(oc.idString)")
            let created = try await b.post("/orgs/new", ["name": "新设党支部", "code": "BDC-B09", "type": "branch", "parent": oc.idString])
            #expect(created.status == .seeOther)
            let org = try await t.org("BDC-B09")
            let shown = try await b.get("/orgs/\(org.idString)")
            #expect(shown.body.string.contains("已新建组织“新设党支部”"), "flash shown once")
            #expect(!(try await b.get("/orgs/\(org.idString)").body.string.contains("已新建组织")))
            try await b.get("/orgs/\(org.idString)/edit")
            #expect(try await b.post("/orgs/\(org.idString)/edit", ["name": "新设党支部", "code": "BDC-B09", "type": "branch", "secretary": "林一"]).status == .seeOther)
            #expect(try await t.org("BDC-B09").secretary == "林一")
            let zz = try await t.org("BDC-ZZ")
            try await b.get("/orgs/\(org.idString)/move")
            #expect(try await b.post("/orgs/\(org.idString)/move", ["parent": zz.idString]).status == .seeOther)
            #expect(try await t.org("BDC-B09").parentID == zz.id)
            try await b.get("/orgs/\(org.idString)")
            #expect(try await b.post("/orgs/\(org.idString)/close").status == .seeOther)
            #expect(try await t.org("BDC-B09").status == "closed")
            try await b.get("/orgs/\(org.idString)")
            #expect(try await b.post("/orgs/\(org.idString)/reopen").status == .seeOther)
            #expect(try await t.org("BDC-B09").status == "active")
            #expect(try await b.get("/orgs/00000000-0000-0000-0000-000000000000").status == .notFound)
        }
    }

    @Test func memberPagesEditTransferDelete() async throws {
        try await withTestApp { t in
            let b = try await t.login("jiguan")
            let m = try await t.ordinaryMemberOfB01()
            try await b.get("/members/\(m.idString)/edit")
            let bad = try await b.post("/members/\(m.idString)/edit", ["name": m.name, "gender": "male", "status": "full", "joinDate": "", "phone": "abc"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("value=\"abc\""), "typed value kept")
            #expect(bad.body.string.contains("正式党员须填写入党日期"))
            let ok = try await b.post("/members/\(m.idString)/edit", ["name": m.name, "gender": "female", "status": "full", "joinDate": "2012-07-01", "post": "宣传委员"])
            #expect(ok.status == .seeOther)
            #expect(try await t.member(m.name).post == "宣传委员")
            let b02 = try await t.org("ZR-B02")
            try await b.get("/members/\(m.idString)/transfer")
            let noDate = try await b.post("/members/\(m.idString)/transfer", ["toOrg": b02.idString, "date": ""])
            #expect(noDate.status == .unprocessableEntity)
            #expect(noDate.body.string.contains("转接日期不能为空"))
            #expect(try await b.post("/members/\(m.idString)/transfer", ["toOrg": b02.idString, "date": "2026-11-20", "reason": "调动"]).status == .seeOther)
            let detail = try await b.get("/members/\(m.idString)").body.string
            #expect(detail.contains("国土空间规划科党支部"))
            #expect(detail.contains("调动"))
            #expect(try await b.post("/members/\(m.idString)/delete").location == "/members")
            #expect(try await b.get("/members/\(m.idString)").status == .notFound)
        }
    }

    @Test func dashboardCountsTheScopeOfEachRole() async throws {
        try await withTestApp { t in
            let sec = try await t.login("zhibu").get("/").body.string
            #expect(sec.contains("<span class=\"stat-value\">12</span><span class=\"stat-label\">党员及发展对象</span>"))
            let all = try await t.login("gongwei").get("/").body.string
            #expect(all.contains("<span class=\"stat-value\">208</span><span class=\"stat-label\">党员及发展对象</span>"))
            #expect(all.contains("换届超期"))
            #expect(all.contains("执法监察支队党支部"), "an overdue term is listed")
            let expert = try await t.login("zhuanjia").get("/").body.string
            #expect(expert.contains("评审任务"))
            let member = try await t.login("dangyuan").get("/").body.string
            #expect(member.contains("查看我的党员信息"))
        }
    }

    @Test func calendarPageAddsAndRemovesDays() async throws {
        try await withTestApp { t in
            let b = try await t.login("admin")
            try await b.get("/calendar")
            let bad = try await b.post("/calendar", ["date": "2027-02-30", "kind": "holiday", "name": ""])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("日期不是有效日期"))
            #expect(bad.body.string.contains("节日名称不能为空"))
            #expect(try await b.post("/calendar", ["date": "2027-01-01", "kind": "holiday", "name": "元旦"]).location == "/calendar?year=2027")
            #expect(try await b.get("/calendar?year=2027").body.string.contains("元旦"))
            try await b.get("/calendar?year=2027")
            #expect(try await b.post("/calendar/2027-01-01/delete").status == .seeOther)
            try await b.get("/calendar?year=2027")
            #expect(try await b.post("/calendar/2027-01-02/delete").status == .notFound)
        }
    }
}
