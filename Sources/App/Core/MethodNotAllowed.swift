import Vapor
import RoutingKit

/// A path that exists with other methods answers 405 with `Allow`, not 404
/// (what HTTP says, and what a generic API client expects).
struct MethodNotAllowedMiddleware: AsyncMiddleware {
    // built once after the routes are registered and only read afterwards
    final class Index: @unchecked Sendable {
        let routers: [String: TrieRouter<Bool>]
        init(_ routes: [Route]) {
            var r: [String: TrieRouter<Bool>] = [:]
            for route in routes where !route.path.isEmpty {
                let m = route.method.rawValue
                if r[m] == nil { r[m] = TrieRouter(Bool.self) }
                r[m]!.register(true, at: route.path)
            }
            routers = r
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
        } catch let e as any AbortError where e.status == .notFound && req.route == nil {
            let path = req.url.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
            guard let index = req.application.storage[Key.self] else { throw e }
            let allowed = index.methods(for: path).filter { $0 != req.method.rawValue }
            guard !allowed.isEmpty else { throw e }
            throw MethodNotAllowed(allow: allowed)
        }
    }
}

struct MethodNotAllowed: AbortError {
    var allow: [String]
    var status: HTTPResponseStatus { .methodNotAllowed }
    var reason: String { "不支持该请求方法" }
    var headers: HTTPHeaders { ["Allow": allow.joined(separator: ", ")] }
}
