import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// Findings of the code review, each pinned by a test.
@Suite struct SecurityTests {
    /// a manager changes only users whose every role they could have granted.
    @Test func r1_nobodyManagesAPeerOrSomeoneAbove() async throws {
        try await withTestApp { t in
            let gongwei = try #require(try await UserModel.query(on: t.db).filter(\.$username == "gongwei").first())
            let zhongxin = try #require(try await UserModel.query(on: t.db).filter(\.$username == "zhongxin").first())
            let jiguan = try await t.token("jiguan")
            // a unit officer cannot reset the committee officer's password, nor another unit's officer's
            let up = try await t.api(.PATCH, "/api/v1/users/\(gongwei.idString)", token: jiguan, json: ["password": "Hacked2026"])
            #expect(up.status == .forbidden)
            #expect(try await t.api(.PATCH, "/api/v1/users/\(zhongxin.idString)", token: jiguan, json: ["password": "Hacked2026"]).status == .forbidden)
            // a second unit officer on the same organ committee is a peer: also off limits
            let oc = try await t.org("ZR-JGDW")
            let peer = try await UserService.create(["username": "peer", "displayName": "同级", "password": "Secret2026", "role": "unitOfficer", "org": oc.idString], ctx: Commands.ctx(t.app))
            #expect(try await t.api(.PATCH, "/api/v1/users/\(peer.idString)", token: jiguan, json: ["password": "Hacked2026"]).status == .forbidden)
            // the unit officer role cannot be granted on the 工委 (it would cover everything)
            let gw = try await t.token("gongwei")
            let root = try await t.org("JZ-SZGW")
            let onRoot = try await t.api(.POST, "/api/v1/users", token: gw, json: ["username": "u1", "displayName": "某", "password": "Secret2026", "role": "unitOfficer", "orgId": root.idString])
            #expect(onRoot.status == .unprocessableEntity)
            // and the password of the committee officer still works
            #expect(try await t.api(.POST, "/api/v1/auth/login", json: ["username": "gongwei", "password": TestApp.password]).status == .ok)
        }
    }

    @Test func r1_aUserCanOnlyBeLinkedToAMemberOfTheGrantedOrg() async throws {
        try await withTestApp { t in
            let jiguan = try await t.token("jiguan")
            let b01 = try await t.org("ZR-B01")
            let outsider = try await t.memberOf("BDC-B01")
            let res = try await t.api(.POST, "/api/v1/users", token: jiguan, json: [
                "username": "spy", "displayName": "某", "password": "Secret2026", "role": "member", "orgId": b01.idString, "memberId": outsider.idString])
            #expect(res.status == .unprocessableEntity)
            #expect(res.errorFields["memberId"] == "关联的党员须属于“办公室党支部”")
            // the page's lookup by name does not look outside the manager's subtree
            let b = try await t.login("jiguan")
            try await b.get("/users/new")
            let bdc = try await t.org("BDC-B01")
            let probe = try await b.post("/users/new", ["username": "spy2", "displayName": "某", "password": "Secret2026", "role": "member",
                                                        "org": bdc.idString, "memberName": outsider.name])
            #expect(probe.status == .forbidden)
            #expect(!probe.body.string.contains(outsider.name), "nothing about the other unit's people")
        }
    }

    @Test func parallelGuessesCannotPassTheLockOut() async throws {
        try await withTestApp { t in
            // when 12 wrong passwords arrive at once
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for i in 0..<12 {
                    group.addTask { try await t.api(.POST, "/api/v1/auth/login", json: ["username": "zhibu", "password": "guess\(i)"]).status.code }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // then at most five of them were checked against the password; the rest were refused as locked
            #expect(statuses.filter { $0 == 401 }.count <= 4)
            #expect(statuses.filter { $0 == 429 }.count >= 8)
            #expect(try await t.api(.POST, "/api/v1/auth/login", json: ["username": "zhibu", "password": TestApp.password]).status == .tooManyRequests)
        }
    }

    @Test func oversizedUsernamesAreRejectedBeforeAnyWriteAndNeverBecomeActors() async throws {
        try await withTestApp { t in
            let before = try await t.auditCount()
            let res = try await t.api(.POST, "/api/v1/auth/login", json: ["username": String(repeating: "a", count: 10_000), "password": "x"])
            #expect(res.status == .unprocessableEntity)
            #expect(res.errorFields["username"] == "用户名不能超过32个字符")
            #expect(try await t.auditCount() == before)
            _ = try await t.api(.POST, "/api/v1/auth/login", json: ["username": "系统管理员（admin）", "password": "x"])
            let e = try #require(try await AuditEntryModel.query(on: t.db).filter(\.$action == "login_failed").first())
            #expect(e.actorName == "匿名访客")
            #expect(e.note?.contains("系统管理员（admin）") == true)
        }
    }

    @Test func aPasswordResetEndsOtherSessionsAndSessionsExpire() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            #expect(try await b.get("/members").status == .ok)
            // an admin resets the password: the old session is gone
            let admin = try await t.token("admin")
            let u = try #require(try await UserModel.query(on: t.db).filter(\.$username == "zhibu").first())
            #expect(try await t.api(.PATCH, "/api/v1/users/\(u.idString)", token: admin, json: ["password": "Renewed2026"]).status == .ok)
            #expect(try await b.get("/members").status == .seeOther)
            // a session older than 12 hours is gone too
            let c = t.browser()
            try await c.login("zhibu", password: "Renewed2026")
            #expect(try await c.get("/members").status == .ok)
            t.app.clock = AppClock(now: { AppClock.date(of: TestEnv.today, hour: 23) })
            #expect(try await c.get("/members").status == .seeOther)
        }
    }

    /// DOMAIN §1: full personal data only to the member's own branch leaders.
    @Test func officersSeeMaskedDetailsAndEditWithoutErasingThem() async throws {
        try await withTestApp { t in
            let m = try await t.ordinaryMemberOfB01()
            let phone = try #require(m.phone)
            let officer = try await t.token("jiguan")
            let dto = try await t.api(.GET, "/api/v1/members/\(m.idString)", token: officer).content.decode(MemberDTO.self)
            #expect(dto.phone == Privacy.maskPhone(phone))
            #expect(dto.birthDate == nil)
            let b = try await t.login("jiguan")
            let form = try await b.get("/members/\(m.idString)/edit").body.string
            #expect(!form.contains(phone))
            #expect(form.contains("留空则保持不变"))
            #expect(try await b.post("/members/\(m.idString)/edit", ["name": m.name, "gender": m.gender, "status": m.status, "joinDate": m.joinDate ?? "",
                                                                     "post": "纪检委员", "phone": "", "birthDate": ""]).status == .seeOther)
            let after = try await t.member(m.name)
            #expect(after.phone == phone, "blank means unchanged")
            #expect(after.birthDate == m.birthDate)
            #expect(after.post == "纪检委员")
            // the branch secretary sees it in full
            let sec = try await t.token("zhibu")
            #expect(try await t.api(.GET, "/api/v1/members/\(m.idString)", token: sec).content.decode(MemberDTO.self).phone == phone)
        }
    }

    @Test func r2_auditListIsScopedToTheOfficersSubtree() async throws {
        try await withTestApp { t in
            let bdc = try await t.org("BDC-B01")
            let officer = try await t.token("jiguan")
            let all = try await t.api(.GET, "/api/v1/audit?per=200&entity=member", token: officer).content.decode(ListResponse<AuditDTO>.self)
            #expect(all.total > 0)
            let bdcMembers = Set(try await MemberModel.query(on: t.db).filter(\.$orgPath, .contains(inverse: false, .prefix), bdc.path).all().map(\.idString))
            #expect(all.items.allSatisfy { !bdcMembers.contains($0.entityId ?? "") }, "no entry of the other unit")
        }
    }

    @Test func r1_refusalsInsideServicesAreLoggedToo() async throws {
        try await withTestApp { t in
            let officer = try await t.token("jiguan")
            let before = try await t.auditCount(action: "denied")
            #expect(try await t.api(.PUT, "/api/v1/calendar/days/2026-12-28", token: officer, json: ["kind": "holiday", "name": "x"]).status == .forbidden)
            #expect(try await t.api(.POST, "/api/v1/orgs", token: officer, json: ["name": "顶层", "code": "TOP", "type": "committee"]).status == .forbidden)
            #expect(try await t.auditCount(action: "denied") == before + 2)
        }
    }

    @Test func anOrgWithMembersCannotBecomeATypeThatHoldsNone() async throws {
        try await withTestApp { t in
            let admin = try await t.token("admin")
            let b = try await t.org("BDC-B03")
            let res = try await t.api(.PATCH, "/api/v1/orgs/\(b.idString)", token: admin, json: ["type": "organCommittee"])
            #expect(res.status == .conflict)
            #expect(res.errorFields["type"]?.contains("名党员") == true)
        }
    }

    @Test func aClosedGroupTakesNoNewMembersByFormOrImport() async throws {
        try await withTestApp { t in
            let admin = try await t.token("admin")
            // given an empty group that is closed
            let b01 = try await t.org("ZR-B01")
            let g = try await OrgService.create(["name": "第三党小组", "code": "ZR-B01-G3", "type": "group", "parent": b01.idString], ctx: Commands.ctx(t.app))
            _ = try await OrgService.setStatus(g, .closed, ctx: Commands.ctx(t.app))
            let res = try await t.api(.POST, "/api/v1/members", token: admin, json: ["name": "新人", "gender": "male", "status": "masses", "orgId": b01.idString, "groupId": g.idString])
            #expect(res.errorFields["group"] == "“第三党小组”已撤销")
            let table = SheetTable(rows: [["姓名", "性别", "政治面貌", "所在支部编码", "党小组编码"], ["新人", "男", "群众", "ZR-B01", "ZR-B01-G3"]])
            do {
                _ = try await ImportExport.importMembers(table, ctx: Commands.ctx(t.app))
                Issue.record("imported into a closed group")
            } catch AppError.importRejected(let rows) {
                #expect(rows == [RowError(row: 2, column: "党小组编码", message: "“第三党小组”已撤销")])
            }
        }
    }

    @Test func deletingAMemberKeepsTheirTransfersInTheAuditEntry() async throws {
        try await withTestApp { t in
            let m = try await t.ordinaryMemberOfB01()
            let b02 = try await t.org("ZR-B02")
            let officer = try await t.token("jiguan")
            _ = try await t.api(.POST, "/api/v1/members/\(m.idString)/transfer", token: officer, json: ["toOrgId": b02.idString, "date": "2026-11-20", "reason": "调动"])
            #expect(try await t.api(.DELETE, "/api/v1/members/\(m.idString)", token: officer).status == .noContent)
            let e = try #require(try await AuditEntryModel.query(on: t.db).filter(\.$action == "delete").filter(\.$entityID == m.idString).first())
            #expect(e.before?.contains("办公室党支部 → 国土空间规划科党支部（调动）") == true)
        }
    }

    @Test func theTestClockExistsOnlyInTestMode() async throws {
        try await withTestApp { t in
            // without DANGJIAN_TEST_CLOCK=1 nobody can move the server's date
            let res = try await t.api(.POST, "/__test/clock", json: ["today": "2030-01-01"])
            #expect(res.status == .notFound)
            #expect(t.app.clock.today() != Day(iso: "2030-01-01")!)
        }
    }
}
