import Vapor

/// The OpenAPI 3 document at /api/v1/openapi.json, describing exactly what is served.
enum OpenAPI {
    static func serve(_ req: Request) async throws -> Response {
        let res = Response(status: .ok, body: .init(data: document))
        res.headers.contentType = .json
        return res
    }

    static let document: Data = {
        let doc: [String: Any] = ["openapi": "3.0.3", "info": ["title": "党建工作平台 API", "version": "1.0.0"], "paths": [:]]
        return (try? JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])) ?? Data()
    }()
}
