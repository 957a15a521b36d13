import Vapor
import NIOCore

/// What a request may not carry, checked once for every route instead of in each handler.
///
/// Control characters never belong in a path: `/members/<id>%00abc` must not be read as
/// `<id>` (`UUID(uuidString:)` and C file APIs stop at a NUL), and PostgreSQL refuses a NUL in
/// a text parameter outright (a 500 if it reached a query). Such a path is a page that does
/// not exist (404). A NUL in a form field is refused by `formFields()` with 400 naming the field.
/// Query strings and JSON bodies are not checked here: the OpenAPI document allows any string
/// there, and refusing a schema-valid request is a contract break (Schemathesis ST202).
struct RequestHygieneMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path.removingPercentEncoding ?? request.url.path
        if path.unicodeScalars.contains(where: RequestHygiene.isControl) {
            throw AppError.notFound("找不到该地址：地址中含有控制字符")
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
