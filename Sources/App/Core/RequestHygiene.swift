import Vapor
import NIOCore

/// What a request may not carry, checked once for every route instead of in each handler.
///
/// Control characters never belong in a path: `/members/<id>%00abc` must not be read as
/// `<id>` (`UUID(uuidString:)` and C file APIs stop at a NUL), and PostgreSQL refuses a NUL in
/// a text parameter outright (a 500 if it reached a query). Such a path is a page that does
/// not exist (404). A NUL in the query string is refused here, one in a JSON body by the decoder
/// below and one in a form by `formFields()`, with 400 naming the field.
struct RequestHygieneMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path.removingPercentEncoding ?? request.url.path
        if path.unicodeScalars.contains(where: RequestHygiene.isControl) {
            throw AppError.notFound("找不到该地址：地址中含有控制字符")
        }
        // handlers read optional parameters with `try?`, so the query decoder cannot refuse this one
        if let q = request.url.query, q.contains("%00") || q.contains("\u{0}") {
            let field = q.split(separator: "&").first(where: { $0.contains("%00") || $0.contains("\u{0}") })
                .map { String($0.split(separator: "=", maxSplits: 1).first ?? "").removingPercentEncoding ?? "" }
            throw AppError.badRequest("查询参数中含有空字符（%00）" + (field.map { "：参数 \($0)" } ?? "") + "，请删除后重试", field: field)
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

    static func nulMessage(_ field: String?) -> String {
        "提交的内容中含有空字符（\\u0000）" + (field.map { "：字段 \($0)" } ?? "") + "，请删除后重试"
    }

    /// Where the first NUL sits in a decoded JSON value: its dotted path ("" for the value
    /// itself), or nil when there is none.
    static func nulPath(_ any: Any, path: String = "") -> String? {
        switch any {
        case let s as String: return s.contains("\u{0}") ? path : nil
        case let d as [String: Any]:
            for (k, v) in d.sorted(by: { $0.key < $1.key }) {
                if k.contains("\u{0}") { return path }
                if let hit = nulPath(v, path: path.isEmpty ? k : "\(path).\(k)") { return hit }
            }
        case let a as [Any]:
            for (i, v) in a.enumerated() { if let hit = nulPath(v, path: "\(path)[\(i)]") { return hit } }
        default: break
        }
        return nil
    }

    /// Uses the NUL-refusing decoder for JSON bodies.
    static func install() {
        var c = ContentConfiguration.global
        if !((try? c.requireDecoder(for: .json)) is NulRefusingJSONDecoder) {
            c.use(decoder: NulRefusingJSONDecoder(inner: try! c.requireDecoder(for: .json)), for: .json)
        }
        ContentConfiguration.global = c
    }
}

/// JSON bodies: a `\u0000` escape anywhere is refused (400, naming the field) before decoding.
struct NulRefusingJSONDecoder: ContentDecoder {
    let inner: any ContentDecoder

    func decode<D: Decodable>(_ decodable: D.Type, from body: ByteBuffer, headers: HTTPHeaders) throws -> D {
        try decode(D.self, from: body, headers: headers, userInfo: [:])
    }

    func decode<D: Decodable>(_ decodable: D.Type, from body: ByteBuffer, headers: HTTPHeaders, userInfo: [CodingUserInfoKey: any Sendable]) throws -> D {
        if Self.mayHoldNul(body) {
            let data = Data(body.readableBytesView)
            if let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
               let path = RequestHygiene.nulPath(value) {
                let field = path.isEmpty ? nil : path
                throw AppError.badRequest(RequestHygiene.nulMessage(field), field: field)
            }
        }
        return try inner.decode(D.self, from: body, headers: headers, userInfo: userInfo)
    }

    /// Cheap test on the raw bytes: `\u0000` in any letter case.
    static func mayHoldNul(_ body: ByteBuffer) -> Bool {
        let bytes = body.readableBytesView
        guard bytes.count >= 6 else { return false }
        var i = bytes.startIndex
        let end = bytes.endIndex - 5
        while i < end {
            if bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] | 0x20 == UInt8(ascii: "u"),
               bytes[i + 2] == UInt8(ascii: "0"), bytes[i + 3] == UInt8(ascii: "0"),
               bytes[i + 4] == UInt8(ascii: "0"), bytes[i + 5] == UInt8(ascii: "0") { return true }
            i += 1
        }
        return false
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
