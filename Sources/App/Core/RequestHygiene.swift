import Vapor
import NIOCore

/// What a request may not carry, checked once for every route instead of in each handler.
///
/// Control characters never belong in a path: `/members/<id>%00abc` must not be read as
/// `<id>` (`UUID(uuidString:)` and C file APIs stop at a NUL), and PostgreSQL refuses a NUL in
/// a text parameter outright (a 500 if it reached a query). Such a path is a page that does
/// not exist (404). A NUL in a form field is refused by `formFields()` with 400 naming the field;
/// one in a query string or a JSON body is refused here, also with 400 naming the field. The
/// OpenAPI document says so (`OpenAPI.withoutNul`: its free strings may not match `\u0000`),
/// so the refusal does not break the contract (Schemathesis ST202 had flagged it before). Keys the
/// document does not name are not looked into: the handlers ignore them.
struct RequestHygieneMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path.removingPercentEncoding ?? request.url.path
        if path.unicodeScalars.contains(where: RequestHygiene.isControl) {
            throw AppError.notFound("找不到该地址：地址中含有控制字符")
        }
        // a NUL is never typed into a record, and PostgreSQL refuses one in text (it was a 500 there):
        // refused with 400 naming the field, in a query string or a JSON body (forms: `formFields`)
        if let query = request.url.query, query.contains("%00") || query.contains("\u{0}"),
           let bad = RequestHygiene.nulQueryField(query) {
            throw AppError.badRequest(RequestHygiene.nulMessage(bad), field: bad)
        }
        let limit = request.application.routes.defaultMaxBodySize.value
        if request.headers.contentType == .json, request.method != .GET {
            // collected as the route would collect it (and kept for it: `collect(max:)` stores the
            // buffer); a body larger than the default limit is left to its route's own limit
            let small = request.headers.first(name: .contentLength).flatMap(Int.init).map { $0 <= limit } ?? false
            let collected = request.body.data != nil ? request.body.data : small ? try await request.body.collect(max: limit).get() : nil
            if let body = collected,
               RequestHygiene.hasEscapedNul(body.readableBytesView),
               let object = try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]) {
                if let bad = RequestHygiene.nulJSONField(object, fields: OpenAPI.fields(request.application)) {
                    throw AppError.badRequest(RequestHygiene.nulMessage(bad), field: bad)
                }
            }
        }
        return try await next.respond(to: request)
    }
}

enum RequestHygiene {
    static func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s == "\u{2028}" || s == "\u{2029}" }

    /// The request line as it may be written to a log: control characters (a CR/LF would start
    /// a forged log line) shown as %XX.
    static func loggable(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            if isControl(s) {
                for b in String(s).utf8 { out += String(format: "%%%02X", b) }
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// The first query parameter whose name or value holds a NUL once decoded.
    static func nulQueryField(_ query: String) -> String? {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if parts.contains(where: { $0.contains("\u{0}") }) { return parts[0].replacingOccurrences(of: "\u{0}", with: "") }
        }
        return nil
    }

    /// Whether JSON text holds the escape of a NUL (`\u0000`, not an escaped backslash before "u0000").
    static func hasEscapedNul(_ bytes: some Collection<UInt8>) -> Bool {
        var it = bytes.makeIterator()
        var pending: [UInt8] = []      // what follows a backslash-u, up to four hex digits
        var afterU = false
        while let b = it.next() {
            if afterU {
                pending.append(b)
                if pending.count == 4 {
                    if pending == Array("0000".utf8) { return true }
                    afterU = false; pending = []
                }
                continue
            }
            if b == UInt8(ascii: "\\") {
                guard let e = it.next() else { return false }
                if e == UInt8(ascii: "u") { afterU = true }
            }
        }
        return false
    }

    /// The dotted path of the first string under a documented field (`fields`, the OpenAPI
    /// document's property names) that holds a NUL; keys the document does not name are ignored,
    /// as the handlers ignore them.
    static func nulJSONField(_ value: Any, fields: Set<String>, path: String = "") -> String? {
        if let s = value as? String { return s.contains("\u{0}") ? (path.isEmpty ? "body" : path) : nil }
        if let d = value as? [String: Any] {
            for key in d.keys.sorted() where fields.contains(key) {
                if let found = nulJSONField(d[key]!, fields: fields, path: path.isEmpty ? key : path + "." + key) { return found }
            }
        }
        if let a = value as? [Any] {
            for (i, v) in a.enumerated() { if let found = nulJSONField(v, fields: fields, path: path + "[\(i)]") { return found } }
        }
        return nil
    }

    static func nulMessage(_ field: String?) -> String {
        "提交的内容中含有空字符（\\u0000）" + (field.map { "：字段 \($0)" } ?? "") + "，请删除后重试"
    }
}

/// Vapor's request log with the path made safe to log (no CR/LF from the client).
struct SafeRouteLoggingMiddleware: AsyncMiddleware {
    let logLevel: Logger.Level

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path.removingPercentEncoding ?? request.url.path
        request.logger.log(level: logLevel, "\(request.method) \(RequestHygiene.loggable(path))")
        return try await next.respond(to: request)
    }
}

/// Static files from Public/. A path continuing below a file (`/css/app.css/x`) or one the
/// file system refuses for any other reason is not a static file: the routes answer it (404),
/// where Vapor's FileMiddleware would pass the stat error up as a 500.
struct StaticFilesMiddleware: AsyncMiddleware {
    let files: FileMiddleware

    private struct Downstream: Error { let inner: any Error }
    private struct Marking: AsyncResponder {
        let next: any AsyncResponder
        func respond(to request: Request) async throws -> Response {
            do { return try await next.respond(to: request) } catch { throw Downstream(inner: error) }
        }
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await files.respond(to: request, chainingTo: Marking(next: next))
        } catch let d as Downstream {
            throw d.inner
        } catch {
            request.logger.debug("static file refused \(RequestHygiene.loggable(request.url.path)): \(error)")
            return try await next.respond(to: request)
        }
    }
}
