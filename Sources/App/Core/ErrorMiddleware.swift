import Vapor
import Fluent
import Domain

/// Maps every error to the answer the caller understands: JSON under /api
/// (`{"error": {code, message, fields, requestId}}`), an HTML page elsewhere.
/// Internals go only to the log; a 500 carries the request id.
struct AppErrorMiddleware: AsyncMiddleware {
    struct Body: Content {
        struct Inner: Content {
            var code: String
            var message: String
            var fields: [String: String]?
            var rows: [RowError]?
            var requestId: String
        }
        var error: Inner
    }

    struct Mapped {
        var status: HTTPResponseStatus
        var code: String
        var message: String
        var fields: [String: String]?
        var rows: [RowError]?
        var headers: HTTPHeaders = [:]
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let m = Self.map(error)
            if m.status == .internalServerError {
                request.logger.report(error: error)
            } else {
                request.logger.debug("\(m.status.code) \(request.url.path): \(String(reflecting: error))")
            }
            return await Self.response(for: m, request: request)
        }
    }

    static func map(_ error: any Error) -> Mapped {
        switch error {
        case let e as AppError:
            var rows: [RowError]?
            if case .importRejected(let r) = e { rows = r }
            return Mapped(status: e.status, code: e.code, message: e.message, fields: e.fields, rows: rows)
        case let e as FieldErrors:
            return Mapped(status: .unprocessableEntity, code: "validation_failed", message: "提交的内容有误：" + e.summary(), fields: e.messages)
        case let e as DecodingError:
            let (field, message) = describe(e)
            return Mapped(status: .badRequest, code: "bad_request", message: message, fields: field.map { [$0: message] })
        case let e as any DatabaseError where e.isConstraintFailure:
            // two people saving the same code/username at once: the database's unique index decides
            return Mapped(status: .conflict, code: "conflict", message: "与现有数据冲突：编码、用户名或日期已被使用（可能有人同时提交），请刷新后重试")
        case let e as any AbortError:
            // Vapor answers 422 for an empty or unreadable body; for the caller that is a bad request
            let status: HTTPResponseStatus = e.status == .unprocessableEntity ? .badRequest : e.status
            var m = Mapped(status: status, code: code(for: status), message: status == .badRequest && e.status == .unprocessableEntity ? "请求体为空或不是有效的 JSON" : chinese(for: status, reason: e.reason))
            m.headers = e.headers
            return m
        default:
            return Mapped(status: .internalServerError, code: "internal_error", message: "服务器内部错误，请稍后重试；如问题持续，请将请求编号告知管理员")
        }
    }

    static func response(for m: Mapped, request: Request) async -> Response {
        let isAPI = request.url.path.hasPrefix("/api/")
        if isAPI || request.headers.accept.first?.mediaType == .json {
            let body = Body(error: .init(code: m.code, message: m.message, fields: m.fields, rows: m.rows, requestId: request.id))
            let res = Response(status: m.status)
            try? res.content.encode(body, as: .json)
            for (k, v) in m.headers where k.lowercased() == "allow" { res.headers.replaceOrAdd(name: k, value: v) }
            return res
        }
        if m.status == .unauthorized {
            let next = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
            return request.redirect(to: "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        let page = ErrorPage(meta: await PageMeta.make(request, title: "出错了"), status: Int(m.status.code),
                             message: m.message, rows: m.rows ?? [], requestId: request.id)
        do {
            let res = try await request.view.render("error", page).encodeResponse(for: request).get()
            res.status = m.status
            return res
        } catch {
            return Response(status: m.status, headers: ["Content-Type": "text/plain; charset=utf-8"],
                            body: .init(string: "\(m.message)（请求编号 \(request.id)）"))
        }
    }

    static func code(for s: HTTPResponseStatus) -> String {
        switch s.code {
        case 400: return "bad_request"
        case 401: return "unauthorized"
        case 403: return "forbidden"
        case 404: return "not_found"
        case 405: return "method_not_allowed"
        case 409: return "conflict"
        case 413: return "too_large"
        case 415: return "unsupported_media_type"
        case 422: return "validation_failed"
        case 429: return "rate_limited"
        default: return s.code >= 500 ? "internal_error" : "error"
        }
    }

    static func chinese(for s: HTTPResponseStatus, reason: String) -> String {
        switch s.code {
        case 400: return "请求格式不正确"
        case 401: return "请先登录"
        case 403: return "无权访问"
        case 404: return "页面或资源不存在"
        case 405: return "不支持该请求方法"
        case 409: return "与现有数据冲突"
        case 413: return "请求内容过大"
        case 415: return "不支持的内容类型，请使用 application/json"
        case 429: return "请求过于频繁，请稍后再试"
        default: return s.code >= 500 ? "服务器内部错误，请稍后重试" : "请求无法处理"
        }
    }

    static func describe(_ e: DecodingError) -> (String?, String) {
        func path(_ c: [any CodingKey]) -> String? {
            let p = c.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? nil : p
        }
        switch e {
        case .keyNotFound(let key, let ctx):
            let f = path(ctx.codingPath + [key]) ?? key.stringValue
            return (f, "缺少必填字段“\(f)”")
        case .typeMismatch(_, let ctx):
            let f = path(ctx.codingPath)
            return (f, f.map { "字段“\($0)”的类型不正确" } ?? "请求内容的结构不正确")
        case .valueNotFound(_, let ctx):
            let f = path(ctx.codingPath)
            return (f, f.map { "字段“\($0)”不能为 null" } ?? "请求内容不能为空")
        case .dataCorrupted(let ctx):
            let f = path(ctx.codingPath)
            return (f, f.map { "字段“\($0)”的值无效" } ?? "请求内容不是有效的 JSON")
        @unknown default:
            return (nil, "请求内容无法解析")
        }
    }
}
