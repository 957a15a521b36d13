import Foundation
import Testing
import VaporTesting
import Fluent
@testable import App

/// every route as every role — in scope, out of scope and anonymous — answers the status
/// the spec gives. The expectations are written out per route (not derived from the code under test).
/// In scope = 办公室党支部 (ZR-B01) and a member of its first group; out of scope = 登记业务第一党支部 (BDC-B01), another unit.
@Suite struct PermissionMatrixTests {
    static let roles = ["admin", "gongwei", "jiguan", "zhibu", "xiaozu", "dangyuan", "zhuanjia"]

    struct Case: CustomStringConvertible {
        var method: HTTPMethod
        var path: String
        var body: [String: String]? = nil
        /// Who gets 2xx; everybody else logged in gets 403, anonymous 401 (API) or a redirect to /login (pages).
        var allowed: Set<String>
        var description: String { "\(method.rawValue) \(path)" }
    }

    @Test func r1_apiRoutesAnswerByRoleAndScope() async throws {
        try await withTestApp { t in
            let b01 = try await t.org("ZR-B01").idString
            let bdc = try await t.org("BDC-B01").idString
            let inMember = try await t.ordinaryMemberOfB01().idString
            let outMember = try await t.memberOf("BDC-B01").idString
            var tokens: [String: String] = [:]
            for r in Self.roles { tokens[r] = try await t.token(r) }
            let everyone = Set(Self.roles)
            let cases: [Case] = [
                Case(method: .GET, path: "/api/v1/auth/me", allowed: everyone),
                Case(method: .GET, path: "/api/v1/orgs", allowed: everyone.subtracting(["zhuanjia"])),
                Case(method: .GET, path: "/api/v1/orgs/\(b01)", allowed: ["admin", "gongwei", "jiguan", "zhibu", "dangyuan"]),
                Case(method: .GET, path: "/api/v1/orgs/\(bdc)", allowed: ["admin", "gongwei"]),
                Case(method: .PATCH, path: "/api/v1/orgs/\(b01)", body: ["secretary": "王建国"], allowed: ["admin", "gongwei", "jiguan", "zhibu"]),
                Case(method: .PATCH, path: "/api/v1/orgs/\(bdc)", body: ["secretary": "宋佳"], allowed: ["admin", "gongwei"]),
                Case(method: .GET, path: "/api/v1/orgs/export.csv", allowed: everyone.subtracting(["zhuanjia"])),
                Case(method: .GET, path: "/api/v1/members", allowed: ["admin", "gongwei", "jiguan", "zhibu", "xiaozu"]),
                Case(method: .GET, path: "/api/v1/members/\(inMember)", allowed: ["admin", "gongwei", "jiguan", "zhibu", "xiaozu"]),
                Case(method: .GET, path: "/api/v1/members/\(outMember)", allowed: ["admin", "gongwei"]),
                Case(method: .GET, path: "/api/v1/members/\(inMember)/transfers", allowed: ["admin", "gongwei", "jiguan", "zhibu", "xiaozu"]),
                Case(method: .PATCH, path: "/api/v1/members/\(inMember)", body: ["post": "组织委员"], allowed: ["admin", "gongwei", "jiguan", "zhibu"]),
                Case(method: .PATCH, path: "/api/v1/members/\(outMember)", body: ["post": "组织委员"], allowed: ["admin", "gongwei"]),
                Case(method: .GET, path: "/api/v1/members/export.csv", allowed: ["admin", "gongwei", "jiguan", "zhibu", "xiaozu"]),
                Case(method: .GET, path: "/api/v1/users", allowed: ["admin", "gongwei", "jiguan"]),
                Case(method: .GET, path: "/api/v1/audit", allowed: ["admin", "gongwei", "jiguan"]),
                Case(method: .GET, path: "/api/v1/calendar/days?year=2026", allowed: everyone),
                Case(method: .PUT, path: "/api/v1/calendar/days/2026-12-28", body: ["kind": "holiday", "name": "测试"], allowed: ["admin"]),
            ]
            for c in cases {
                // anonymous
                let anon = try await t.api(c.method, c.path, json: c.body)
                #expect(anon.status == .unauthorized, "anonymous \(c)")
                for role in Self.roles {
                    let res = try await t.api(c.method, c.path, token: tokens[role], json: c.body)
                    if c.allowed.contains(role) {
                        #expect((200..<300).contains(Int(res.status.code)), "\(role) \(c) → \(res.status) \(res.body.string.prefix(200))")
                    } else {
                        #expect(res.status == .forbidden, "\(role) \(c) → \(res.status)")
                    }
                }
            }
        }
    }

    @Test func r1_memberRoleReadsOwnRecordOnly() async throws {
        try await withTestApp { t in
            let token = try await t.token("dangyuan")
            let own = try await t.member("李娜")
            let other = try await t.ordinaryMemberOfB01()
            let a = try await t.api(.GET, "/api/v1/members/\(own.idString)", token: token)
            #expect(a.status == .ok)
            #expect(try a.content.decode(MemberDTO.self).phone == own.phone, "own record in full")
            let b = try await t.api(.GET, "/api/v1/members/\(other.idString)", token: token)
            #expect(b.status == .forbidden)
            let c = try await t.api(.PATCH, "/api/v1/members/\(own.idString)", token: token, json: ["post": "书记"])
            #expect(c.status == .forbidden, "a member may not edit their own roll entry")
        }
    }

    @Test func r1_pageRoutesAnswerByRoleAndScope() async throws {
        try await withTestApp { t in
            let b01 = try await t.org("ZR-B01").idString
            let bdc = try await t.org("BDC-B01").idString
            let inMember = try await t.ordinaryMemberOfB01().idString
            let outMember = try await t.memberOf("BDC-B01").idString
            let everyone = Set(Self.roles)
            let cases: [Case] = [
                Case(method: .GET, path: "/", allowed: everyone),
                Case(method: .GET, path: "/orgs", allowed: everyone.subtracting(["zhuanjia"])),
                Case(method: .GET, path: "/orgs/\(b01)", allowed: ["admin", "gongwei", "jiguan", "zhibu", "dangyuan"]),
                Case(method: .GET, path: "/orgs/\(bdc)", allowed: ["admin", "gongwei"]),
                Case(method: .GET, path: "/orgs/\(b01)/edit", allowed: ["admin", "gongwei", "jiguan", "zhibu"]),
                Case(method: .GET, path: "/orgs/\(bdc)/edit", allowed: ["admin", "gongwei"]),
                Case(method: .GET, path: "/orgs/new", allowed: ["admin", "gongwei", "jiguan", "zhibu"]),
                Case(method: .GET, path: "/orgs/import", allowed: ["admin", "gongwei", "jiguan", "zhibu"]),
                Case(method: .GET, path: "/members", allowed: ["admin", "gongwei", "jiguan", "zhibu", "xiaozu"]),
                Case(method: .GET, path: "/members/\(inMember)", allowed: ["admin", "gongwei", "jiguan", "zhibu", "xiaozu"]),
                Case(method: .GET, path: "/members/\(outMember)", allowed: ["admin", "gongwei"]),
                Case(method: .GET, path: "/members/\(inMember)/edit", allowed: ["admin", "gongwei", "jiguan", "zhibu"]),
                Case(method: .GET, path: "/members/\(outMember)/edit", allowed: ["admin", "gongwei"]),
                Case(method: .GET, path: "/members/\(inMember)/transfer", allowed: ["admin", "gongwei", "jiguan", "zhibu"]),
                Case(method: .GET, path: "/members/new", allowed: ["admin", "gongwei", "jiguan", "zhibu"]),
                Case(method: .GET, path: "/members/export.xlsx", allowed: ["admin", "gongwei", "jiguan", "zhibu", "xiaozu"]),
                Case(method: .GET, path: "/users", allowed: ["admin", "gongwei", "jiguan"]),
                Case(method: .GET, path: "/users/new", allowed: ["admin", "gongwei", "jiguan"]),
                Case(method: .GET, path: "/audit", allowed: ["admin", "gongwei", "jiguan"]),
                Case(method: .GET, path: "/calendar", allowed: everyone),
                Case(method: .GET, path: "/account", allowed: everyone),
                Case(method: .POST, path: "/members/\(outMember)/edit", body: ["post": "组织委员"], allowed: ["admin", "gongwei"]),
                Case(method: .POST, path: "/orgs/\(bdc)/edit", body: ["secretary": "宋佳"], allowed: ["admin", "gongwei"]),
                Case(method: .POST, path: "/calendar", body: ["date": "2026-12-28", "kind": "holiday", "name": "测试"], allowed: ["admin"]),
            ]
            let anon = t.browser()
            for c in cases {
                let res = c.method == .GET ? try await anon.get(c.path) : try await anon.post(c.path, c.body ?? [:])
                if c.method == .GET {
                    #expect(res.status == .seeOther, "anonymous \(c) → \(res.status)")
                    #expect(res.location?.hasPrefix("/login") == true, "anonymous \(c) goes to the login page")
                } else {
                    #expect(res.status == .forbidden, "anonymous POST without a session is refused by CSRF: \(c) → \(res.status)")
                }
            }
            for role in Self.roles {
                let b = try await t.login(role)
                for c in cases {
                    let res: TestingHTTPResponse
                    if c.method == .GET { res = try await b.get(c.path) } else {
                        try await b.get("/")   // fresh CSRF token
                        res = try await b.post(c.path, c.body ?? [:])
                    }
                    if c.allowed.contains(role) {
                        #expect([200, 303].contains(Int(res.status.code)), "\(role) \(c) → \(res.status)")
                    } else {
                        #expect(res.status == .forbidden, "\(role) \(c) → \(res.status)")
                        #expect(res.body.string.contains("无权"), "\(role) \(c): the 403 page says why in Chinese")
                    }
                }
            }
        }
    }

    @Test func r1_refusalIsWrittenToTheAuditLog() async throws {
        try await withTestApp { t in
            // given a branch secretary and a member of another branch
            let token = try await t.token("zhibu")
            let other = try await t.memberOf("ZR-B02")
            let before = try await t.auditCount(action: "denied")
            // when they try to read and change it through the API and the pages
            #expect(try await t.api(.GET, "/api/v1/members/\(other.idString)", token: token).status == .forbidden)
            #expect(try await t.api(.PATCH, "/api/v1/members/\(other.idString)", token: token, json: ["name": "改名"]).status == .forbidden)
            let b = try await t.login("zhibu")
            #expect(try await b.get("/members/\(other.idString)").status == .forbidden)
            // then three refusals are logged, naming the actor and the target, and the member is unchanged
            let denied = try await AuditEntryModel.query(on: t.db).filter(\.$action == "denied").filter(\.$entityID == other.idString).all()
            #expect(try await t.auditCount(action: "denied") == before + 3)
            #expect(denied.count == 3)
            #expect(denied.allSatisfy { $0.actorName.contains("zhibu") })
            #expect(try await t.member(other.name).name == other.name)
            // and the unit officer of that branch sees the refusals in the audit page
            let officer = try await t.login("jiguan")
            let page = try await officer.get("/audit?action=denied")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("越权拒绝"))
            #expect(page.body.string.contains(other.name))
        }
    }
}
