import Testing
import Vapor
import VaporTesting
import Fluent
import Domain
import NIOConcurrencyHelpers
@testable import App

/// Issue 7: the expensive views (dashboard, org tree) are computed once and served until the
/// next write; a write through a page, the API or an import is never followed by the old view.
@Suite struct ViewCacheTests {
    static func memberCount(_ html: String) -> Int? {
        // <span class="stat-value">N</span><span class="stat-label">党员及发展对象</span>
        guard let r = html.range(of: "</span><span class=\"stat-label\">党员及发展对象") else { return nil }
        let head = html[..<r.lowerBound]
        guard let open = head.range(of: ">", options: .backwards) else { return nil }
        return Int(head[open.upperBound...])
    }

    @Test func dashboardIsServedFromTheCacheUntilTheNextWrite() async throws {
        try await withTestApp { t in
            let gongwei = try await t.login("gongwei")
            let before = try #require(Self.memberCount(try await gongwei.get("/").body.string))
            // served again: the same figure, and a cache entry exists
            #expect(Self.memberCount(try await gongwei.get("/").body.string) == before)
            #expect(t.app.viewCache.count > 0)
            // a member added through a page form by another user
            let zhibu = try await t.login("zhibu")
            let b01 = try await t.org("ZR-B01")
            try await zhibu.get("/members/new")
            let res = try await zhibu.post("/members/new", ["name": "缓存测试", "gender": "male", "status": "full", "joinDate": "2015-07-01",
                                                            "birthDate": "1988-05-04", "org": b01.idString, "phone": "13900002222"])
            #expect(res.status == .seeOther)
            #expect(Self.memberCount(try await gongwei.get("/").body.string) == before + 1)
            // and one through the JSON API
            let token = try await t.token("zhibu")
            let api = try await t.api(.POST, "/api/v1/members", token: token, json: ["name": "接口测试", "gender": "female", "status": "full",
                                                                                      "joinDate": "2016-07-01", "birthDate": "1990-01-01", "orgId": b01.idString])
            #expect(api.status == .created, "\(api.body.string)")
            #expect(Self.memberCount(try await gongwei.get("/").body.string) == before + 2)
        }
    }

    @Test func aRefusedWriteStillMovesTheVersionAndTheLayoutIsPerRequest() async throws {
        try await withTestApp { t in
            let v = DataVersion.current
            let b = try await t.login("zhibu")
            _ = try await b.post("/members/new", [:], csrf: "wrong")       // refused by CSRF
            #expect(DataVersion.current > v)
            // the cached page still carries this request's CSRF token and flash, not the first viewer's
            let first = try await b.get("/").body.string
            let other = try await t.login("zhibu")
            let second = try await other.get("/").body.string
            #expect(Browser.csrf(in: first) != nil && Browser.csrf(in: first) != Browser.csrf(in: second))
            // the layout is kept too (Request.shell): each session's log-out form still carries its own token
            let again = try await b.get("/").body.string
            #expect(again.contains("value=\"\(b.csrf)\"") && second.contains("value=\"\(other.csrf)\""))
            for html in [first, second, again] { #expect(!html.contains(ShellPage.csrfMarker) && !html.contains(ShellPage.bodyMarker)) }
            // a flash message shows once on a kept page, then the kept layout again
            _ = try await b.get("/members")
            let m = try await t.ordinaryMemberOfB01()
            #expect(try await b.post("/members/\(m.idString)/delete").location == "/members")
            #expect(try await b.get("/members").body.string.contains("已删除党员“\(m.name)”"))
            let later = try await b.get("/members").body.string
            #expect(!later.contains("已删除党员") && later.contains("value=\"\(b.csrf)\""))
        }
    }

    @Test func entriesExpireAndConcurrentRequestsShareOneComputation() async throws {
        // its own write counter: the tests running alongside write and move DataVersion
        let writes = NIOLockedValueBox(0)
        let cache = ViewCache(ttl: 0.2, version: { writes.withLockedValue { $0 } })
        let runs = NIOLockedValueBox(0)
        async let a = cache.value("k") { () async throws -> Int in runs.withLockedValue { $0 += 1 }; try await Task.sleep(for: .milliseconds(100)); return 1 }
        async let b = cache.value("k") { () async throws -> Int in runs.withLockedValue { $0 += 1 }; try await Task.sleep(for: .milliseconds(100)); return 2 }
        let (x, y) = try await (a, b)
        #expect(x == y && runs.withLockedValue { $0 } == 1)
        try await Task.sleep(for: .milliseconds(300))
        // older than ttl and no write since: the known value at once, a fresh one computed behind it
        #expect(try await cache.value("k") { () async throws -> Int in runs.withLockedValue { $0 += 1 }; return 3 } == x)
        try await Task.sleep(for: .milliseconds(100))
        #expect(runs.withLockedValue { $0 } == 2, "an entry older than ttl is computed again")
        #expect(try await cache.value("k") { () async throws -> Int in 9 } == 3)
        writes.withLockedValue { $0 += 1 }
        #expect(try await cache.value("k") { () async throws -> Int in 4 } == 4, "a write makes it stale at once")
        // a failed computation is not kept
        await #expect(throws: (any Error).self) { try await cache.value("e") { () async throws -> Int in throw Abort(.internalServerError) } }
        #expect(try await cache.value("e") { () async throws -> Int in 5 } == 5)
    }

    @Test func anEntryPastItsTimeIsKeptWhileTheDatabaseStampIsUnchanged() async throws {
        let writes = NIOLockedValueBox(0), outside = NIOLockedValueBox("s1"), runs = NIOLockedValueBox(0)
        let cache = ViewCache(ttl: 0.2, version: { writes.withLockedValue { $0 } }, stamp: { outside.withLockedValue { $0 } })
        @Sendable func compute() async throws -> Int { runs.withLockedValue { $0 += 1; return $0 } }
        #expect(try await cache.value("k", compute) == 1)
        try await Task.sleep(for: .milliseconds(300))
        // older than ttl, but no process wrote: the same entry, nothing computed again, good for another ttl
        #expect(try await cache.value("k", compute) == 1)
        try await Task.sleep(for: .milliseconds(50))
        #expect(runs.withLockedValue { $0 } == 1)
        // another process wrote: the known value once more, a fresh one computed behind it
        outside.withLockedValue { $0 = "s2" }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await cache.value("k", compute) == 1)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await cache.value("k", compute) == 2)
        #expect(runs.withLockedValue { $0 } == 2)
        // a write in this process is never followed by the old view, stamp or not
        writes.withLockedValue { $0 += 1 }
        #expect(try await cache.value("k", compute) == 3)
    }

    @Test func theDatabaseStampMovesWithACommitOnly() async throws {
        // SQLite in a file: the stamp is the database file's and its write-ahead log's size and time
        let path = NSTemporaryDirectory() + "stamp-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try await withApp(configure: { app in try await configure(app, storage: .sqliteFile(path), clock: .fixed(TestEnv.today)) }) { app in
            try await Self.checkStamp(app, storage: .sqliteFile(path))
        }
        // and the suite's own database (PostgreSQL's next transaction id when the suite runs on it)
        try await withTestApp { t in
            if case .sqliteMemory = t.app.appConfig.storage {
                #expect(DatabaseStamp.make(t.app, storage: .sqliteMemory) == nil)
            } else {
                try await Self.checkStamp(t.app, storage: t.app.appConfig.storage)
            }
        }
    }

    static func checkStamp(_ app: Application, storage: AppConfig.Storage) async throws {
        let stamp = try #require(DatabaseStamp.make(app, storage: storage))
        let before = try #require(await stamp())
        _ = try await UserModel.query(on: app.db).count()
        #expect(await stamp() == before, "a read leaves the stamp as it was")
        try await app.db.sql.raw("CREATE TABLE stamp_probe (x INTEGER)").run()
        try await app.db.sql.raw("INSERT INTO stamp_probe VALUES (1)").run()
        let after = try #require(await stamp())
        #expect(after != before, "a commit moves it")
        #expect(await stamp() == after)
    }
}
