import Vapor
import Domain

/// Errors the product answers with; mapped to HTTP in one place (ErrorMiddleware).
enum AppError: Error, Sendable {
    case validation(FieldErrors)
    case badRequest(String, field: String? = nil)
    case unauthorized
    case loginFailed
    case forbidden(String)
    case notFound(String)
    case conflict(String, field: String? = nil)
    case tooLarge(String)
    case rateLimited(String)
    case importRejected([RowError])

    var status: HTTPResponseStatus {
        switch self {
        case .validation, .importRejected: return .unprocessableEntity
        case .badRequest: return .badRequest
        case .unauthorized, .loginFailed: return .unauthorized
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .tooLarge: return .payloadTooLarge
        case .rateLimited: return .tooManyRequests
        }
    }

    var code: String {
        switch self {
        case .validation: return "validation_failed"
        case .badRequest: return "bad_request"
        case .unauthorized: return "unauthorized"
        case .loginFailed: return "login_failed"
        case .forbidden: return "forbidden"
        case .notFound: return "not_found"
        case .conflict: return "conflict"
        case .tooLarge: return "too_large"
        case .rateLimited: return "rate_limited"
        case .importRejected: return "import_rejected"
        }
    }

    var message: String {
        switch self {
        case .validation(let e): return "提交的内容有误：" + e.summary()
        case .badRequest(let m, _), .forbidden(let m), .notFound(let m), .conflict(let m, _), .tooLarge(let m), .rateLimited(let m): return m
        case .unauthorized: return "请先登录"
        case .loginFailed: return "用户名或密码错误"
        case .importRejected(let rows): return "导入失败：共有\(rows.count)处错误，未导入任何数据"
        }
    }

    var fields: [String: String]? {
        switch self {
        case .validation(let e): return e.messages
        case .badRequest(let m, let f?), .conflict(let m, let f?): return [f: m]
        default: return nil
        }
    }
}

extension FieldErrors: AbortError {
    public var status: HTTPResponseStatus { .unprocessableEntity }
    public var reason: String { summary() }
}
