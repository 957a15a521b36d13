import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// Server bugs found by fuzzing the API against its OpenAPI document.
@Suite struct RegressionTests {
    @Test func aUniqueConstraintRaceAnswers409NotA500() async throws {
        try await withTestApp { t in
            // given a row that slipped past the service's check (as when two requests race)
            let o = OrgModel()
            o.id = UUID(); o.name = "重复"; o.code = "ZR-B01"; o.type = "branch"; o.path = "/x/"; o.depth = 0; o.status = "active"
            let error = await #expect(throws: (any Error).self) { try await o.create(on: t.db) }
            // then the error middleware maps the database's refusal to a 409
            let mapped = AppErrorMiddleware.map(try #require(error))
            #expect(mapped.status == .conflict)
            #expect(mapped.message.contains("已被使用"))
        }
    }

    @Test func wrongMethodOnAKnownPathIs405WithAllow() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            let res = try await t.api(.DELETE, "/api/v1/orgs", token: token)
            #expect(res.status == .methodNotAllowed)
            #expect(res.headers.first(name: "Allow") == "GET, POST")
            #expect(res.errorMessage == "不支持该请求方法")
            #expect(try await t.api(.DELETE, "/api/v1/no-such-thing", token: token).status == .notFound)
            let export = try await t.api(.PATCH, "/api/v1/orgs/export.csv", token: token, json: ["name": "x"])
            #expect(export.status == .methodNotAllowed, "a literal path caught by PATCH /orgs/:id")
            #expect(export.headers.first(name: "Allow") == "GET")
        }
    }

    @Test func workingDaysRefusesDatesItCannotWrite() async throws {
        try await withTestApp { t in
            let res = try await t.api(.GET, "/api/v1/calendar/working-days?from=9999-12-01&count=366")
            #expect(res.status == .badRequest)
            #expect(res.errorFields["from"] != nil)
        }
    }

    @Test func nobodyRevokesTheirOwnRoleOrTheLastAdmin() async throws {
        try await withTestApp { t in
            // given the only admin, who also holds an expert role
            let token = try await t.token("admin")
            let root = try await t.org("JZ-SZGW")
            let me = try #require(try await UserModel.query(on: t.db).filter(\.$username == "admin").with(\.$grants).first())
            let myAdminGrant = try #require(me.grants.first { $0.role == "admin" }?.id?.uuidString)
            _ = try await t.api(.POST, "/api/v1/users/\(me.idString)/grants", token: token, json: ["role": "expert", "orgId": root.idString])
            // then they cannot revoke their own admin role
            let own = try await t.api(.DELETE, "/api/v1/users/\(me.idString)/grants/\(myAdminGrant)", token: token)
            #expect(own.status == .conflict)
            #expect(own.errorMessage == "不能收回自己的角色，请联系其他管理员")
            // given a second admin
            let other = try await UserService.create(["username": "admin2", "displayName": "管理员二", "password": "Secret2026",
                                                      "role": "admin", "org": "JZ-SZGW"], ctx: Commands.ctx(t.app))
            _ = try await t.api(.POST, "/api/v1/users/\(other.idString)/grants", token: token, json: ["role": "expert", "orgId": root.idString])
            let token2 = try await t.api(.POST, "/api/v1/auth/login", json: ["username": "admin2", "password": "Secret2026"]).content.decode(LoginResponse.self).token
            // then one admin may remove the other's admin role…
            #expect(try await t.api(.DELETE, "/api/v1/users/\(me.idString)/grants/\(myAdminGrant)", token: token2).status == .ok)
            // …but the last admin can be neither revoked nor deactivated
            let cli = Commands.ctx(t.app)
            let again = try await UserService.find(other.idString, ctx: cli)
            let lastGrant = try #require(again.grants.first { $0.role == "admin" }?.id?.uuidString)
            do {
                _ = try await UserService.removeGrant(again, grantID: lastGrant, ctx: cli)
                Issue.record("the last admin role was revoked")
            } catch let e as AppError {
                #expect(e.message == "这是系统中最后一个系统管理员角色，不能收回")
            }
            do {
                _ = try await UserService.update(again, ["active": "0"], ctx: cli)
                Issue.record("the last admin was deactivated")
            } catch let e as AppError {
                #expect(e.fields?["active"] == "这是系统中最后一个系统管理员，不能停用")
            }
        }
    }

    @Test func movingAGroupToAnotherBranchMovesItsMembersWithTransfers() async throws {
        try await withTestApp { t in
            let token = try await t.token("jiguan")
            let g1 = try await t.org("ZR-B01-G1")
            let b02 = try await t.org("ZR-B02")
            let members = try await MemberModel.query(on: t.db).filter(\.$group.$id == g1.id!).all()
            #expect(!members.isEmpty)
            let res = try await t.api(.POST, "/api/v1/orgs/\(g1.idString)/move", token: token, json: ["parentId": b02.idString])
            #expect(res.status == .ok)
            for m in members {
                let now = try #require(try await MemberModel.find(m.id, on: t.db))
                #expect(now.$org.id == b02.id, "\(m.name) now belongs to the new branch")
                #expect(try await MemberTransferModel.query(on: t.db).filter(\.$member.$id == m.id!).count() == 1)
            }
            // and the roll still exports and imports cleanly
            let table = try await ImportExport.exportMembers(ctx: Commands.ctx(t.app), filter: .init(q: nil, orgID: b02.idString, status: nil))
            var rows = table.rows
            for i in 1..<rows.count { rows[i][0] += "复" }
            #expect(try await ImportExport.importMembers(SheetTable(rows: rows), ctx: Commands.ctx(t.app)) == rows.count - 1)
        }
    }

    @Test func emptyJSONBodyIsA400() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            let res = try await t.api(.POST, "/api/v1/orgs", token: token, raw: "")
            #expect(res.status == .badRequest)
            #expect(res.errorMessage == "请求体为空或不是有效的 JSON")
        }
    }
}
