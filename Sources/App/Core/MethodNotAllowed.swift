import Vapor
import RoutingKit

/// A path that exists with other methods answers 405 with `Allow`, not 404
/// (what HTTP says, and what a generic API client expects).
struct MethodNotAllowedMiddleware: AsyncMiddleware {
    // built once after the routes are registered and only read afterwards
    final class Index: @unchecked Sendable {
        let routers: [String: TrieRouter<Bool>]
        /// Paths made only of constants ("orgs/export.csv") and their methods.
        let literal: [String: Set<String>]
        init(_ routes: [Route]) {
            var r: [String: TrieRouter<Bool>] = [:]
            var lit: [String: Set<String>] = [:]
            for route in routes where !route.path.isEmpty {
                let m = route.method.rawValue
                if r[m] == nil { r[m] = TrieRouter(Bool.self) }
                r[m]!.register(true, at: route.path)
                let constants = route.path.compactMap { c -> String? in if case .constant(let s) = c { return s }; return nil }
                if constants.count == route.path.count { lit[constants.joined(separator: "/"), default: []].insert(m) }
            }
            routers = r
            literal = lit
        }
        func methods(for path: [String]) -> [String] {
            routers.compactMap { m, router in
                var p = Parameters()
                return router.route(path: path, parameters: &p) == nil ? nil : m
            }.sorted()
        }
    }
    struct Key: StorageKey { typealias Value = Index }

    static func build(_ app: Application) { app.storage[Key.self] = Index(app.routes.all) }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch let e where Self.isNotFound(e) {
            let path = req.url.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
            guard let index = req.application.storage[Key.self] else { throw e }
            let allowed: [String]
            if req.route == nil {
                // a literal path ("orgs/export.csv") allows only its own methods, not those of "orgs/:id"
                allowed = (index.literal[path.joined(separator: "/")].map { $0.sorted() } ?? index.methods(for: path))
                    .filter { $0 != req.method.rawValue }
            } else if let methods = index.literal[path.joined(separator: "/")], !methods.contains(req.method.rawValue) {
                // e.g. PATCH /orgs/export.csv reached PATCH /orgs/:id with the id "export.csv"
                allowed = methods.sorted()
            } else {
                allowed = []
            }
            guard !allowed.isEmpty else { throw e }
            throw MethodNotAllowed(allow: allowed)
        }
    }
}

extension MethodNotAllowedMiddleware {
    static func isNotFound(_ e: any Error) -> Bool {
        if let a = e as? AppError, case .notFound = a { return true }
        return (e as? any AbortError)?.status == .notFound
    }
}

struct MethodNotAllowed: AbortError {
    var allow: [String]
    var status: HTTPResponseStatus { .methodNotAllowed }
    var reason: String { "不支持该请求方法" }
    var headers: HTTPHeaders { ["Allow": allow.joined(separator: ", ")] }
}
