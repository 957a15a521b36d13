import Vapor

/// The OpenAPI 3 document at /api/v1/openapi.json, describing exactly what is served.
/// It is a data file (Resources/openapi.json) read once at start-up; tests check that every
/// route registered in routes.swift appears in it and the other way round.
enum OpenAPI {
    private struct Key: StorageKey { typealias Value = Data }

    static func load(_ app: Application) throws {
        let path = app.directory.resourcesDirectory + "openapi.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("找不到 \(path)") }
        app.storage[Key.self] = try withoutNul(data)
        app.storage[FieldsKey.self] = fieldNames(data)
    }

    /// No text the API takes may hold a NUL (PostgreSQL refuses one; `RequestHygieneMiddleware`
    /// answers 400 naming the field): every free string schema of the document (no enum, format or
    /// const) is served with `not: {pattern: \u0000}`, so the refusal is part of the contract.
    static let nulPattern = "\\u0000"

    static func withoutNul(_ data: Data) throws -> Data {
        func walk(_ value: Any) -> Any {
            if var d = value as? [String: Any] {
                let types = (d["type"] as? String).map { [$0] } ?? (d["type"] as? [String]) ?? []
                if types.contains("string"), d["enum"] == nil, d["format"] == nil, d["const"] == nil, d["not"] == nil {
                    d["not"] = ["pattern": nulPattern]
                }
                for (k, v) in d where k != "example" && k != "examples" && k != "default" && k != "not" { d[k] = walk(v) }
                return d
            }
            if let a = value as? [Any] { return a.map(walk) }
            return value
        }
        let doc = try JSONSerialization.jsonObject(with: data)
        return try JSONSerialization.data(withJSONObject: walk(doc), options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// Every property name the document declares: the fields a JSON body may carry to the database
    /// (`RequestHygieneMiddleware` looks for a NUL under these; other keys are ignored by the handlers).
    static func fieldNames(_ data: Data) -> Set<String> {
        var out: Set<String> = []
        func walk(_ value: Any) {
            if let d = value as? [String: Any] {
                if let props = d["properties"] as? [String: Any] { out.formUnion(props.keys) }
                for (k, v) in d where k != "example" && k != "examples" { walk(v) }
            } else if let a = value as? [Any] { a.forEach(walk) }
        }
        if let doc = try? JSONSerialization.jsonObject(with: data) { walk(doc) }
        return out
    }

    private struct FieldsKey: StorageKey { typealias Value = Set<String> }
    static func fields(_ app: Application) -> Set<String> { app.storage[FieldsKey.self] ?? [] }

    static func document(_ app: Application) -> Data { app.storage[Key.self] ?? Data("{}".utf8) }

    static func serve(_ req: Request) async throws -> Response {
        let res = Response(status: .ok, body: .init(data: document(req.application)))
        res.headers.contentType = .json
        return res
    }
}
