import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// The one test harness: a fresh app with the demo bureau on in-memory SQLite, or on the
/// PostgreSQL named by TEST_DATABASE_URL (then the suite runs serialized and each test
/// starts from an empty schema). "Today" is fixed at 2026-11-21.
enum TestEnv {
    static let today = Day(iso: "2026-11-21")!
    static var postgresURL: String? {
        let v = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"]
        return (v?.isEmpty ?? true) ? nil : v
    }
}

func withTestApp(_ body: (TestApp) async throws -> Void) async throws {
    try await withApp(configure: { app in
        var storage = AppConfig.Storage.sqliteMemory
        if let url = TestEnv.postgresURL {
            storage = .postgres(url)
            app.databases.use(try .postgres(url: url, sqlLogLevel: .debug), as: .psql)
            try await app.db.sql.raw("DROP SCHEMA IF EXISTS public CASCADE").run()
            try await app.db.sql.raw("CREATE SCHEMA public").run()
        }
        // the demo's everyday records (meetings, demands) stay out: tests make their own
        try await configure(app, demo: true, demoRecords: false, storage: storage, clock: .fixed(TestEnv.today))
    }) { app in
        try await body(TestApp(app: app))
    }
}

struct TestApp {
    let app: Application
    static let password = DemoData.password

    var db: any Database { app.db }

    // MARK: API

    func token(_ username: String) async throws -> String {
        let res = try await api(.POST, "/api/v1/auth/login", json: ["username": username, "password": Self.password])
        #expect(res.status == .ok, "login \(username): \(res.body.string)")
        return try res.content.decode(LoginResponse.self).token
    }

    func api(_ method: HTTPMethod, _ path: String, token: String? = nil, json: (any Encodable)? = nil,
             raw: String? = nil, contentType: HTTPMediaType = .json, acceptEncoding: String? = nil) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(method, path, beforeRequest: { req in
            req.url = URI(string: path)
            if let token { req.headers.bearerAuthorization = BearerAuthorization(token: token) }
            if let acceptEncoding { req.headers.replaceOrAdd(name: .acceptEncoding, value: acceptEncoding) }
            if let json {
                req.headers.contentType = .json
                req.body = ByteBuffer(data: try JSONEncoder().encode(AnyEncodable(json)))
            } else if let raw {
                req.headers.contentType = contentType
                req.body = ByteBuffer(string: raw)
            }
        })
    }

    /// A browser-like session: cookie jar and the CSRF token of the last page.
    func browser() -> Browser { Browser(app: app) }

    func login(_ username: String) async throws -> Browser {
        let b = browser()
        try await b.login(username)
        return b
    }

    // MARK: fixtures

    func org(_ code: String) async throws -> OrgModel {
        try #require(try await OrgModel.query(on: db).filter(\.$code == code).first(), "org \(code)")
    }

    func member(_ name: String) async throws -> MemberModel {
        try #require(try await MemberModel.query(on: db).filter(\.$name == name).first(), "member \(name)")
    }

    /// A member of 办公室党支部's first group who is not a demo login (neither 李娜 nor 张伟).
    func ordinaryMemberOfB01() async throws -> MemberModel {
        let g1 = try await org("ZR-B01-G1")
        let all = try await MemberModel.query(on: db).filter(\.$group.$id == g1.id!).sort(\.$name).all()
        return try #require(all.first { !["李娜", "张伟", "王建国"].contains($0.name) })
    }

    func memberOf(_ branchCode: String) async throws -> MemberModel {
        let b = try await org(branchCode)
        return try #require(try await MemberModel.query(on: db).filter(\.$org.$id == b.id!).sort(\.$name).first())
    }

    func auditCount(action: String? = nil) async throws -> Int {
        let q = AuditEntryModel.query(on: db)
        if let action { q.filter(\.$action == action) }
        return try await q.count()
    }
}

final class Browser: @unchecked Sendable {
    let app: Application
    var cookie: String?
    var csrf: String = ""
    /// Sent as Accept-Encoding (none by default: bodies come plain).
    var acceptEncoding: String?

    init(app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String) async throws -> TestingHTTPResponse {
        let res = try await send(.GET, path, body: nil, contentType: nil)
        if let t = Browser.csrf(in: res.body.string) { csrf = t }
        return res
    }

    /// Posts a urlencoded form with the session's CSRF token (unless `csrf` is given).
    @discardableResult
    func post(_ path: String, _ form: [String: String] = [:], csrf override: String? = nil) async throws -> TestingHTTPResponse {
        var f = form
        f["_csrf"] = override ?? csrf
        let body = f.map { "\(Browser.enc($0.key))=\(Browser.enc($0.value))" }.joined(separator: "&")
        let res = try await send(.POST, path, body: ByteBuffer(string: body), contentType: .urlEncodedForm)
        if let t = Browser.csrf(in: res.body.string) { csrf = t }
        return res
    }

    /// Posts an url-encoded body as written (e.g. a repeated key from a group of checkboxes).
    func postRaw(_ path: String, _ body: String, csrfField: Bool = true) async throws -> TestingHTTPResponse {
        let res = try await send(.POST, path, body: ByteBuffer(string: csrfField ? body + "&_csrf=" + Browser.enc(csrf) : body), contentType: .urlEncodedForm)
        if let t = Browser.csrf(in: res.body.string) { csrf = t }
        return res
    }

    /// Uploads a file as multipart/form-data field `file`.
    @discardableResult
    func upload(_ path: String, filename: String, data: Data) async throws -> TestingHTTPResponse {
        let boundary = "----dangjian\(UUID().uuidString)"
        var body = Data()
        func line(_ s: String) { body.append(Data((s + "\r\n").utf8)) }
        line("--\(boundary)"); line("Content-Disposition: form-data; name=\"_csrf\""); line(""); line(csrf)
        line("--\(boundary)"); line("Content-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"")
        line("Content-Type: application/octet-stream"); line("")
        body.append(data); line("")
        line("--\(boundary)--")
        return try await send(.POST, path, body: ByteBuffer(data: body), contentType: HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary]))
    }

    func login(_ username: String, password: String = TestApp.password) async throws {
        try await get("/login")
        let res = try await post("/login", ["username": username, "password": password])
        #expect(res.status == .seeOther, "login \(username) → \(res.status)")
    }

    private func send(_ method: HTTPMethod, _ path: String, body: ByteBuffer?, contentType: HTTPMediaType?) async throws -> TestingHTTPResponse {
        let res = try await app.testing().sendRequest(method, path, beforeRequest: { req in
            req.url = URI(string: path)
            if let cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
            if let contentType { req.headers.contentType = contentType }
            if let acceptEncoding { req.headers.replaceOrAdd(name: .acceptEncoding, value: acceptEncoding) }
            if let body { req.body = body }
        })
        if let set = res.headers.first(name: .setCookie), let pair = set.split(separator: ";").first {
            cookie = String(pair)
        }
        return res
    }

    static func csrf(in html: String) -> String? {
        guard let r = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        let rest = html[r.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    static func enc(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }
}

struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ v: any Encodable) { value = v }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

extension TestingHTTPResponse {
    var location: String? { headers.first(name: .location) }
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body.string.utf8)) as? [String: Any] ?? [:]
    }
    var errorFields: [String: String] {
        ((try? json())?["error"] as? [String: Any])?["fields"] as? [String: String] ?? [:]
    }
    var errorMessage: String {
        ((try? json())?["error"] as? [String: Any])?["message"] as? String ?? ""
    }
}
