import Vapor

/// The OpenAPI 3 document at /api/v1/openapi.json, describing exactly what is served.
/// It is a data file (Resources/openapi.json) read once at start-up; tests check that every
/// route registered in routes.swift appears in it and the other way round.
enum OpenAPI {
    private struct Key: StorageKey { typealias Value = Data }

    static func load(_ app: Application) throws {
        let path = app.directory.resourcesDirectory + "openapi.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("找不到 \(path)") }
        app.storage[Key.self] = data
    }

    static func document(_ app: Application) -> Data { app.storage[Key.self] ?? Data("{}".utf8) }

    static func serve(_ req: Request) async throws -> Response {
        let res = Response(status: .ok, body: .init(data: document(req.application)))
        res.headers.contentType = .json
        return res
    }
}
