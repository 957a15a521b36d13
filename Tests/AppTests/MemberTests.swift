import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

@Suite struct MemberTests {
    @Test func secretaryAddsAMemberWhoAppearsMaskedInTheList() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            let b01 = try await t.org("ZR-B01")
            try await b.get("/members/new")
            let res = try await b.post("/members/new", ["name": "欧阳明", "gender": "male", "status": "full", "joinDate": "2015-07-01",
                                                        "birthDate": "1988-05-04", "org": b01.idString, "phone": "13900001111"])
            #expect(res.status == .seeOther)
            let list = try await b.get("/members?q=" + Browser.enc("欧阳明")).body.string
            #expect(list.contains("欧阳明"))
            #expect(list.contains("139****1111"))
            #expect(!list.contains("13900001111"), "lists mask the phone")
            let detail = try await b.get(try #require(res.location)).body.string
            #expect(detail.contains("13900001111"), "the branch secretary sees full details")
        }
    }

    @Test func groupLeaderSeesMaskedDetailsOnly() async throws {
        try await withTestApp { t in
            let m = try await t.ordinaryMemberOfB01()
            let b = try await t.login("xiaozu")
            let html = try await b.get("/members/\(m.idString)").body.string
            #expect(html.contains(m.name))
            #expect(!html.contains(m.phone ?? "none"))
            #expect(html.contains(Privacy.maskPhone(m.phone)))
            #expect(html.contains("仅本支部负责人可见"))
        }
    }

    @Test func validationErrorsAreChineseAndBesideTheField() async throws {
        try await withTestApp { t in
            let token = try await t.token("zhibu")
            let b01 = try await t.org("ZR-B01")
            let res = try await t.api(.POST, "/api/v1/members", token: token, json: [
                "name": "", "gender": "x", "status": "full", "orgId": b01.idString, "phone": "12345"])
            #expect(res.status == .unprocessableEntity)
            #expect(res.errorFields["name"] == "姓名不能为空")
            #expect(res.errorFields["gender"] == "性别应为“男”或“女”")
            #expect(res.errorFields["joinDate"] == "正式党员须填写入党日期")
            #expect(res.errorFields["phone"] == "手机号格式不正确，应为11位手机号")
            let missing = try await t.api(.POST, "/api/v1/members", token: token, raw: #"{"name":"张三"}"#)
            #expect(missing.status == .badRequest)
            #expect(missing.errorMessage.contains("缺少必填字段"))
        }
    }

    @Test func transferIsKeptInHistoryAndNeedsBothBranchesInScope() async throws {
        try await withTestApp { t in
            let m = try await t.ordinaryMemberOfB01()
            let b02 = try await t.org("ZR-B02")
            let bdc = try await t.org("BDC-B01")
            // the secretary of B01 cannot move a member into B02 (not theirs)
            let sec = try await t.token("zhibu")
            let denied = try await t.api(.POST, "/api/v1/members/\(m.idString)/transfer", token: sec, json: ["toOrgId": b02.idString, "date": "2026-11-20"])
            #expect(denied.status == .forbidden)
            // the unit officer can, within the unit
            let officer = try await t.token("jiguan")
            let ok = try await t.api(.POST, "/api/v1/members/\(m.idString)/transfer", token: officer, json: ["toOrgId": b02.idString, "date": "2026-11-20", "reason": "工作调动"])
            #expect(ok.status == .ok)
            #expect(try ok.content.decode(MemberDTO.self).orgId == b02.idString)
            let history = try await t.api(.GET, "/api/v1/members/\(m.idString)/transfers", token: officer)
            let rows = try history.content.decode([TransferDTO].self)
            #expect(rows.count == 1)
            #expect(rows[0].fromOrgName == "办公室党支部")
            #expect(rows[0].toOrgName == "国土空间规划科党支部")
            #expect(rows[0].reason == "工作调动")
            // and not to another unit
            let out = try await t.api(.POST, "/api/v1/members/\(m.idString)/transfer", token: officer, json: ["toOrgId": bdc.idString, "date": "2026-11-20"])
            #expect(out.status == .forbidden)
            // the secretary of B01 no longer sees the member
            #expect(try await t.api(.GET, "/api/v1/members/\(m.idString)", token: sec).status == .forbidden)
        }
    }

    @Test func deleteKeepsTheLastStateInTheAuditLog() async throws {
        try await withTestApp { t in
            let m = try await t.ordinaryMemberOfB01()
            let token = try await t.token("zhibu")
            #expect(try await t.api(.DELETE, "/api/v1/members/\(m.idString)", token: token).status == .noContent)
            #expect(try await t.api(.GET, "/api/v1/members/\(m.idString)", token: token).status == .notFound)
            let entry = try #require(try await AuditEntryModel.query(on: t.db).filter(\.$action == "delete").filter(\.$entityID == m.idString).first())
            #expect(entry.before?.contains(m.name) == true)
        }
    }

    /// A member named <script>alert(1)</script> renders escaped on every page that shows it.
    @Test func scriptInANameIsEscapedEverywhere() async throws {
        try await withTestApp { t in
            let evil = "<script>alert(1)</script>"
            let token = try await t.token("admin")
            let b01 = try await t.org("ZR-B01")
            let created = try await t.api(.POST, "/api/v1/members", token: token, json: [
                "name": evil, "gender": "male", "status": "masses", "orgId": b01.idString, "post": "<img src=x onerror=alert(2)>"])
            #expect(created.status == .created)
            let id = try created.content.decode(MemberDTO.self).id
            _ = try await t.api(.PATCH, "/api/v1/orgs/\(b01.idString)", token: token, json: ["secretary": evil])
            let b = try await t.login("admin")
            for path in ["/members", "/members?q=" + Browser.enc("script"), "/members/\(id)", "/members/\(id)/edit", "/members/\(id)/transfer",
                         "/orgs", "/orgs/\(b01.idString)", "/audit", "/"] {
                let html = try await b.get(path).body.string
                #expect(!html.contains(evil), "raw script on \(path)")
                #expect(!html.contains("<img src=x"), "raw img on \(path)")
                if path != "/" && path != "/members" { #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped name shown on \(path)") }
            }
            let api = try await t.api(.GET, "/api/v1/members/\(id)", token: token)
            #expect(try api.content.decode(MemberDTO.self).name == evil, "stored raw")
            let csv = try await b.get("/members/export.csv").body.string
            #expect(csv.contains("<script>alert(1)</script>"), "exports carry the raw text")
        }
    }
}
