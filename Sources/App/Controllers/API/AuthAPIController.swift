import Vapor
import Fluent
import Domain

struct AuthAPIController {
    func login(_ req: Request) async throws -> LoginResponse {
        let body = try req.content.decode(LoginRequest.self)
        let user = try await AuthService.login(username: body.username, password: body.password, actor: Audit.actor(req), db: req.db, now: req.now)
        let token = try await AuthService.issueToken(for: user, db: req.db, now: req.now)
        let grants = try await RoleGrantModel.query(on: req.db).filter(\.$user.$id == user.id!).with(\.$org).all()
        return LoginResponse(token: token, user: UserDTO(user, grants: grants))
    }

    func logout(_ req: Request) async throws -> HTTPStatus {
        let u = try req.user
        if let bearer = req.headers.bearerAuthorization {
            let hash = Tokens.hash(bearer.token)
            try await UserTokenModel.query(on: req.db).filter(\.$tokenHash == hash).delete()
            // log-out is quiet (it does not empty the view caches), so the token leaves the user cache here
            req.application.userCache.remove(BearerUserMiddleware.cacheKey(hash))
        }
        try await Audit.record(on: req.db, actor: Audit.actor(req), at: req.now, action: "logout", entity: "session",
                               id: u.id.uuidString.lowercased(), label: u.username, orgID: nil, orgPath: nil)
        return .noContent
    }

    func me(_ req: Request) async throws -> UserDTO {
        let u = try req.user
        guard let model = try await UserModel.find(u.id, on: req.db) else { throw AppError.unauthorized }
        let grants = try await RoleGrantModel.query(on: req.db).filter(\.$user.$id == u.id).with(\.$org).all()
        return UserDTO(model, grants: grants)
    }
}
