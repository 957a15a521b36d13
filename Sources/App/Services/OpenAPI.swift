import Vapor

/// The OpenAPI 3 document at /api/v1/openapi.json, describing exactly what is served.
/// It is a data file (Resources/openapi.json) read once at start-up; tests check that every
/// route registered in routes.swift appears in it and the other way round.
enum OpenAPI {
    private struct Key: StorageKey { typealias Value = Data }

    static func load(_ app: Application) throws {
        let path = app.directory.resourcesDirectory + "openapi.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("找不到 \(path)") }
        let served = try withoutNul(data)
        app.storage[Key.self] = served.document
        app.storage[FieldsKey.self] = served.fields
    }

    /// No text the API takes may hold a NUL (PostgreSQL refuses one; `RequestHygieneMiddleware`
    /// answers 400 naming the field): every free string schema of the document (no enum, format or
    /// const) is served with `not: {pattern: \u0000}`, so the refusal is part of the contract.
    /// `fields` is every property name the document declares: the fields a JSON body may carry to
    /// the database (the middleware looks for a NUL under these; the handlers ignore other keys).
    static let nulPattern = "\\u0000"

    static func withoutNul(_ data: Data) throws -> (document: Data, fields: Set<String>) {
        var fields: Set<String> = []
        func walk(_ value: Any) -> Any {
            if var d = value as? [String: Any] {
                if let props = d["properties"] as? [String: Any] { fields.formUnion(props.keys) }
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
        let doc = walk(try JSONSerialization.jsonObject(with: data))
        return (try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .withoutEscapingSlashes]), fields)
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
