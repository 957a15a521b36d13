import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

@Suite struct OrgTests {
    @Test func createEditMoveCloseThroughTheAPI() async throws {
        try await withTestApp { t in
            let token = try await t.token("jiguan")
            let unit = try await t.org("ZR-JGDW")
            // create
            let created = try await t.api(.POST, "/api/v1/orgs", token: token, json: [
                "name": "信息中心党支部", "code": "ZR-B10", "type": "branch", "parentId": unit.idString,
                "termStart": "2023-01-10", "secretary": "陈晨"])
            #expect(created.status == .created)
            let org = try created.content.decode(OrgDTO.self)
            #expect(org.termYears == 3, "a branch's term defaults to 3 years")
            #expect(org.termDue == "2026-01-10")
            #expect(org.termStatus == "overdue")
            // edit
            let edited = try await t.api(.PATCH, "/api/v1/orgs/\(org.id)", token: token, json: ["termStart": "2026-01-08"])
            #expect(try edited.content.decode(OrgDTO.self).termStatus == "ok")
            // a group under it, then move the branch under the general branch of the same unit? not in scope → 403
            let bdcGeneral = try await t.org("BDC-ZZ")
            let moveOut = try await t.api(.POST, "/api/v1/orgs/\(org.id)/move", token: token, json: ["parentId": bdcGeneral.idString])
            #expect(moveOut.status == .forbidden)
            // close
            let closed = try await t.api(.POST, "/api/v1/orgs/\(org.id)/close", token: token)
            #expect(try closed.content.decode(OrgDTO.self).status == "closed")
            let again = try await t.api(.POST, "/api/v1/orgs/\(org.id)/close", token: token)
            #expect(again.status == .conflict)
            // every step is audited with before and after
            let entries = try await AuditEntryModel.query(on: t.db).filter(\.$entityID == org.id).all()
            #expect(entries.map(\.action).sorted() == ["close", "create", "update"])
            let update = try #require(entries.first { $0.action == "update" })
            #expect(update.before?.contains("2023-01-10") == true)
            #expect(update.after?.contains("2026-01-08") == true)
            #expect(update.actorName.contains("jiguan"))
        }
    }

    @Test func moveRewritesTheSubtreeAndItsMembers() async throws {
        try await withTestApp { t in
            let token = try await t.token("gongwei")
            let branch = try await t.org("BDC-B03")
            let general = try await t.org("BDC-ZZ")
            let members = try await MemberModel.query(on: t.db).filter(\.$org.$id == branch.id!).count()
            let res = try await t.api(.POST, "/api/v1/orgs/\(branch.idString)/move", token: token, json: ["parentId": general.idString])
            #expect(res.status == .ok)
            let moved = try await t.org("BDC-B03")
            #expect(moved.path.hasPrefix(general.path))
            #expect(moved.depth == general.depth + 1)
            let group = try await t.org("BDC-B03-G1")
            #expect(group.path.hasPrefix(moved.path))
            #expect(group.depth == moved.depth + 1)
            let under = try await MemberModel.query(on: t.db).filter(\.$orgPath, .contains(inverse: false, .prefix), moved.path).count()
            #expect(under == members, "members follow their branch")
            // a node cannot move under itself
            let loop = try await t.api(.POST, "/api/v1/orgs/\(general.idString)/move", token: token, json: ["parentId": moved.idString])
            #expect(loop.status == .unprocessableEntity)
            #expect(loop.errorFields["parent"] == "不能移动到本组织或其下级组织之下")
        }
    }

    @Test func closingAnOrgWithMembersIsRefusedWithAReason() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            let g = try await t.org("ZR-B02-G1")
            let res = try await t.api(.POST, "/api/v1/orgs/\(g.idString)/close", token: token)
            #expect(res.status == .conflict)
            #expect(res.errorMessage.contains("名党员"))
        }
    }

    @Test func invalidOrgInputNamesEachFieldInChinese() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            let unit = try await t.org("ZR-JGDW")
            let bad = try await t.api(.POST, "/api/v1/orgs", token: token, json: [
                "name": "", "code": "有 空格", "type": "支队", "parentId": unit.idString, "termStart": "2026-02-30"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.errorFields["name"] == "组织名称不能为空")
            #expect(bad.errorFields["code"] == "组织编码只能包含字母、数字、- 和 _")
            #expect(bad.errorFields["termStart"] == "本届开始日期不是有效日期，应为 YYYY-MM-DD")
            let dup = try await t.api(.POST, "/api/v1/orgs", token: token, json: ["name": "重复", "code": "ZR-B01", "type": "branch", "parentId": unit.idString])
            #expect(dup.status == .conflict)
            #expect(dup.errorFields["code"] == "组织编码“ZR-B01”已被使用")
            let wrongPlace = try await t.api(.POST, "/api/v1/orgs", token: token, json: ["name": "小组", "code": "X-G", "type": "group", "parentId": unit.idString])
            #expect(wrongPlace.errorFields["parent"] == "党小组不能设在机关党委之下")
        }
    }

    @Test func formKeepsWhatWasTypedAndShowsErrorsBesideFields() async throws {
        try await withTestApp { t in
            let b = try await t.login("jiguan")
            let unit = try await t.org("ZR-JGDW")
            try await b.get("/orgs/new?parent=\(unit.idString)")
            let res = try await b.post("/orgs/new", ["name": "新党支部<b>", "code": "bad code", "type": "branch", "parent": unit.idString, "termYears": "30"])
            #expect(res.status == .unprocessableEntity)
            let html = res.body.string
            #expect(html.contains("value=\"新党支部&lt;b&gt;\""), "typed name kept, escaped")
            #expect(html.contains("组织编码只能包含字母、数字、- 和 _"))
            #expect(html.contains("任期年限应为1到10之间的整数"))
            #expect(html.contains("has-error"))
        }
    }

    @Test func treePageListsTheScopeOnlyAndFlagsOverdueTerms() async throws {
        try await withTestApp { t in
            let b = try await t.login("jiguan")
            let html = try await b.get("/orgs").body.string
            #expect(html.contains("办公室党支部"))
            #expect(html.contains("执法监察支队党支部"))
            #expect(html.contains("换届超期"))
            #expect(!html.contains("登记业务第一党支部"), "another unit's branch is not shown")
        }
    }

    @Test func treePageShowsALargeTreeAWindowAtATimeAndFindsAnyNode() async throws {
        try await withTestApp { t in
            // given 2,000 more groups under the branches (a large bureau)
            let branches = try await OrgModel.query(on: t.db).filter(\.$type == OrgType.branch.rawValue).sort(\.$code).all()
            var rows = [["组织编码", "组织名称", "组织类型", "上级组织编码"]]
            for i in 0..<2000 { rows.append(["BIG-\(i)", "第\(i)党小组", "党小组", branches[i % branches.count].code]) }
            let n = try await ImportExport.importOrgs(SheetTable(rows: rows), ctx: Commands.ctx(t.app))
            #expect(n == 2000)
            // when the admin opens the tree
            let b = try await t.login("admin")
            let res = try await b.get("/orgs")
            // then the top levels are there (at most a window of rows), each cut-off node linking to its own level
            #expect(res.status == .ok)
            let html = res.body.string
            let shown = html.components(separatedBy: "class=\"tree-row").count - 1
            #expect(shown > 0 && shown <= OrgPageController.window, "\(shown) rows")
            #expect(html.contains("共 \(try await OrgModel.query(on: t.db).filter(\.$status == OrgStatus.active.rawValue).count()) 个组织"))
            #expect(html.contains("id=\"tree-search\"") && html.contains("data-server=\"1\""))
            let branch = branches[0]
            #expect(html.contains("href=\"/orgs?under=\(branch.idString)\""), "a branch whose groups are cut off links to them")
            // its own page shows the branch and its groups, with the way up as breadcrumbs
            let sub = try await b.get("/orgs?under=\(branch.idString)")
            #expect(sub.status == .ok)
            let groups = try await OrgModel.query(on: t.db).filter(\.$parentID == branch.id!).count()
            #expect(sub.body.string.components(separatedBy: "class=\"tree-row").count - 1 == groups + 1)
            #expect(sub.body.string.contains("第0党小组"))
            // the search asks the server and finds a node deep down, with the names above it
            let found = try await b.get("/orgs?q=第1999党小组")
            #expect(found.body.string.contains("第1999党小组") && found.body.string.contains(branches[1999 % branches.count].name + "</small>") == false)
            #expect(found.body.string.contains("找到 1 个匹配"))
            #expect(found.body.string.contains("tree-context"))
            // an unknown node is a 404, not an empty page
            #expect(try await b.get("/orgs?under=\(UUID())").status == .notFound)
            // the members filter is a search box at this size (no select of 2,000 orgs), by code or exact name
            let members = try await b.get("/members")
            #expect(members.body.string.contains("data-org-suggest") && !members.body.string.contains("第1999党小组"))
            let memberBranch = try await MemberModel.query(on: t.db).first()!
            let home = try await OrgModel.find(memberBranch.$org.id, on: t.db)!
            let byCode = try await b.get("/members?orgId=\(home.code)")
            #expect(byCode.body.string.contains("所在组织：\(home.name)") && byCode.body.string.contains(memberBranch.name))
            let byName = try await b.get("/members?orgId=\(home.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(byName.body.string.contains("所在组织：\(home.name)"))
            let unknown = try await b.get("/members?orgId=NO-SUCH-ORG")
            #expect(unknown.status == .ok && unknown.body.string.contains("未找到名称或编码为“NO-SUCH-ORG”的组织"))
            // the audit log's org filter is the same search box (the import above it was audited)
            let audit = try await b.get("/audit")
            #expect(audit.body.string.contains("data-org-suggest") && !audit.body.string.contains("第1999党小组"))
            let auditByCode = try await b.get("/audit?orgId=\(branches[0].code)")
            #expect(auditByCode.status == .ok && auditByCode.body.string.contains("组织：\(branches[0].name)"))
            #expect(try await b.get("/audit?orgId=NO-SUCH-ORG").body.string.contains("未找到名称或编码为“NO-SUCH-ORG”的组织"))
            let suggest = try await b.get("/orgs/suggest?q=\("第19".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            let items = try JSONDecoder().decode([[String: String]].self, from: Data(suggest.body.string.utf8))
            #expect(items.count == 20 && items.allSatisfy { $0["label"]!.contains("第19") })
            // a write shows at once: the cached tree is not served after it
            var more = [["组织编码", "组织名称", "组织类型", "上级组织编码"]]
            more.append(["BIG-NEW", "新成立党小组", "党小组", branch.code])
            _ = try await ImportExport.importOrgs(SheetTable(rows: more), ctx: Commands.ctx(t.app))
            #expect(try await b.get("/orgs?under=\(branch.idString)").body.string.contains("新成立党小组"))
        }
    }
}
