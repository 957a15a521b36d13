import Foundation
import Testing
import VaporTesting
@testable import App

/// API.md: the OpenAPI document describes every route as it really is.
@Suite struct OpenAPITests {
    @Test func documentListsExactlyTheServedAPIRoutes() async throws {
        try await withTestApp { t in
            // given the routes registered under /api/v1 (Vapor's ":id" written as OpenAPI's "{id}")
            var served = Set<String>()
            for r in t.app.routes.all {
                let parts = r.path.map { c -> String in
                    switch c {
                    case .constant(let s): return s
                    case .parameter(let p): return "{\(p)}"
                    case .anything: return "*"
                    case .catchall: return "**"
                    }
                }
                guard parts.starts(with: ["api", "v1"]) || parts == ["healthz"] else { continue }
                served.insert("\(r.method.rawValue) /" + parts.joined(separator: "/"))
            }
            // when the document is read as served
            let res = try await t.api(.GET, "/api/v1/openapi.json")
            #expect(res.status == .ok)
            #expect(res.headers.contentType == .json)
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
            #expect((doc["openapi"] as? String)?.hasPrefix("3.") == true)
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, ops) in paths {
                for method in ops.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                    documented.insert("\(method.uppercased()) \(path)")
                }
            }
            // then both sets are the same
            #expect(served.subtracting(documented).sorted() == [], "served but not documented")
            #expect(documented.subtracting(served).sorted() == [], "documented but not served")
            #expect(served.count >= 30)
        }
    }
}
