import Foundation
import Testing
import VaporTesting
@testable import App

/// Bad input anywhere answers 400/404/413/422 with a Chinese message, never a 500.
@Suite struct RobustnessTests {
    @Test func malformedJSONWrongTypesHugeBodiesAndUnknownIds() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            let m = try await t.ordinaryMemberOfB01()
            let cases: [(HTTPMethod, String, String?, UInt)] = [
                (.POST, "/api/v1/orgs", "{not json", 400),
                (.POST, "/api/v1/orgs", #"{"name": 5, "code": "x", "type": "branch"}"#, 400),
                (.POST, "/api/v1/orgs", #"[]"#, 400),
                (.PATCH, "/api/v1/members/\(m.idString)", #"{"retired": "yes"}"#, 400),
                (.POST, "/api/v1/members", #"{"name": null}"#, 400),
                (.POST, "/api/v1/auth/login", #"{"username": "admin"}"#, 400),
                (.GET, "/api/v1/members/not-a-uuid", nil, 404),
                (.GET, "/api/v1/members/00000000-0000-0000-0000-000000000000", nil, 404),
                (.PATCH, "/api/v1/orgs/00000000-0000-0000-0000-000000000000", #"{"name":"x"}"#, 404),
                (.GET, "/api/v1/users/zzz", nil, 404),
                (.GET, "/api/v1/members?page=0", nil, 400),
                (.GET, "/api/v1/members?per=500", nil, 400),
                (.GET, "/api/v1/members?status=nope", nil, 400),
                (.GET, "/api/v1/nowhere", nil, 404),
            ]
            for (method, path, body, status) in cases {
                let res = try await t.api(method, path, token: token, raw: body)
                #expect(res.status.code == status, "\(method) \(path) \(body ?? "") → \(res.status) \(res.body.string)")
                #expect(res.errorMessage.unicodeScalars.contains { $0.value > 0x4E00 }, "Chinese message for \(path)")
                #expect(res.body.string.contains("requestId"))
            }
        }
    }

    /// A loopback port nobody listens on: bound to port 0, read back, closed.
    static func freePort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: addr.sin_port)) : nil
    }

    /// Body limits are enforced while streaming, so this runs a real server on a loopback port.
    @Test func hugeBodyIsA413() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            let huge = "{\"name\":\"" + String(repeating: "党", count: 600_000) + "\"}"
            // a port the kernel says is free (a random one could be taken: VaporTesting records the
            // failed bind as an issue of its own)
            let port = try #require(Self.freePort())
            let res = try await t.app.testing(method: .running(hostname: "127.0.0.1", port: port)).sendRequest(.POST, "/api/v1/orgs", beforeRequest: { req in
                req.headers.bearerAuthorization = BearerAuthorization(token: token)
                req.headers.contentType = .json
                req.body = ByteBuffer(string: huge)
            })
            #expect(res.status == .payloadTooLarge)
            #expect(res.errorMessage == "请求内容过大")
        }
    }

    @Test func unknownPageIsAChinese404Page() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            let res = try await b.get("/members/00000000-0000-0000-0000-000000000000")
            #expect(res.status == .notFound)
            #expect(res.body.string.contains("党员不存在"))
            #expect(try await b.get("/no/such/page").status == .notFound)
        }
    }

    @Test func healthzDoesNoDatabaseWork() async throws {
        try await withTestApp { t in
            let res = try await t.api(.GET, "/healthz")
            #expect(res.status == .ok)
            #expect(res.body.string == "ok")
        }
    }
}
