import Foundation
import Testing
import VaporTesting
import Fluent
@testable import App

@Suite struct AuditTests {
    @Test func r2_auditLogIsAppendOnlyInTheDatabase() async throws {
        try await withTestApp { t in
            let entry = try #require(try await AuditEntryModel.query(on: t.db).first())
            entry.actorName = "篡改"
            await #expect(throws: (any Error).self) { try await entry.update(on: t.db) }
            await #expect(throws: (any Error).self) { try await entry.delete(on: t.db) }
            await #expect(throws: (any Error).self) { try await AuditEntryModel.query(on: t.db).delete() }
            #expect(try await AuditEntryModel.find(entry.id, on: t.db)?.actorName != "篡改")
        }
    }

    @Test func r2_everyChangeRecordsActorTimeEntityBeforeAndAfter() async throws {
        try await withTestApp { t in
            let token = try await t.token("zhibu")
            let m = try await t.ordinaryMemberOfB01()
            _ = try await t.api(.PATCH, "/api/v1/members/\(m.idString)", token: token, json: ["post": "宣传委员"])
            let e = try #require(try await AuditEntryModel.query(on: t.db).filter(\.$action == "update").filter(\.$entityID == m.idString).first())
            #expect(e.actorName == "王建国（zhibu）")
            #expect(e.entityType == "member")
            #expect(e.at == t.app.clock.now())
            #expect(e.after?.contains("宣传委员") == true)
            #expect(e.before?.contains("宣传委员") != true)
            #expect(e.requestID != nil)
        }
    }

    @Test func r2_snapshotsWrittenByHandAreWhatJSONEncoderWrites() throws {
        // Audit.json writes flat string maps itself (imports write hundreds of thousands); the
        // stored before/after must not depend on which path wrote them
        var every = ""
        for v in 0..<0x80 { every.unicodeScalars.append(Unicode.Scalar(v)!) }
        let values = ["", "王建国", every, "a\"b\\c/d", "行1\n行2\r\t", "\u{2028}\u{2029}\u{7F}", "😀 e\u{301}", "<script>&amp;"]
        for (i, v) in values.enumerated() {
            let map = ["name": v, "birthDate": "1980-01-0\(i)", "orgId": "x", "Zeta": v, "a_b": "", "a": v]
            let expected = String(decoding: try Audit.encoder.encode(map), as: UTF8.self)
            #expect(Audit.flatJSON(map) == expected, "value \(i)")
            #expect(Audit.json(map) == expected)
        }
        #expect(Audit.flatJSON(["名称": "x"]) == nil, "non-ASCII keys are left to JSONEncoder")
        #expect(Audit.json(["名称": "x", "a": "y"]) == String(decoding: try Audit.encoder.encode(["名称": "x", "a": "y"]), as: UTF8.self))
        #expect(Audit.flatJSON([:]) == "{}")
    }

    @Test func auditIsFilteredByOrgUserEntityAndDateAndScoped() async throws {
        try await withTestApp { t in
            let admin = try await t.token("admin")
            let b02 = try await t.org("ZR-B02")
            // the unit officer of 自然资源和规划局 sees none of the other unit's entries
            let officer = try await t.token("jiguan")
            let bdc = try await t.org("BDC-B01")
            let theirs = try await t.api(.GET, "/api/v1/audit?orgId=\(bdc.idString)", token: officer)
            #expect(theirs.status == .forbidden)
            let mine = try await t.api(.GET, "/api/v1/audit?orgId=\(b02.idString)&entity=member&per=200", token: officer)
            let list = try mine.content.decode(ListResponse<AuditDTO>.self)
            #expect(list.total > 0)
            #expect(list.items.allSatisfy { $0.entityType == "member" })
            let byUser = try await t.api(.GET, "/api/v1/audit?user=" + Browser.enc("演示") + "&from=2026-11-21&to=2026-11-21", token: admin)
            #expect(try byUser.content.decode(ListResponse<AuditDTO>.self).total > 0)
            let none = try await t.api(.GET, "/api/v1/audit?from=2026-11-22", token: admin)
            #expect(try none.content.decode(ListResponse<AuditDTO>.self).total == 0)
            let badDate = try await t.api(.GET, "/api/v1/audit?from=2026-13-01", token: admin)
            #expect(badDate.status == .badRequest)
            #expect(badDate.errorFields["from"] != nil)
        }
    }
}
