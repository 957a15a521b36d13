import Vapor
import Domain

struct LoginPage: Encodable {
    var meta: PageMeta
    var username: String
    var next: String
    var error: String?
    var notice: String?
}

struct AuthPageController {
    func form(_ req: Request) async throws -> Response {
        if req.auth.has(CurrentUser.self) { return req.redirect(to: "/") }
        let notice = (try? req.query.get(String.self, at: "out")) != nil ? "您已安全退出登录" : nil
        let page = LoginPage(meta: await PageMeta.make(req, title: "登录"), username: "",
                             next: Self.safeNext(try? req.query.get(String.self, at: "next")), error: nil, notice: notice)
        return try await req.view.render("auth/login", page).encodeResponse(for: req)
    }

    func login(_ req: Request) async throws -> Response {
        let f = try req.formFields()
        let next = Self.safeNext(f["next"])
        do {
            let user = try await AuthService.login(username: f["username"] ?? "", password: f["password"] ?? "",
                                                   actor: Audit.actor(req), db: req.db, now: req.now)
            req.session.data["uid"] = user.id!.uuidString
            req.session.data["csrf"] = Tokens.random()   // a fresh token after log-in
            return req.redirect(to: next)
        } catch let e as AppError {
            let page = LoginPage(meta: await PageMeta.make(req, title: "登录"), username: f["username"] ?? "", next: next,
                                 error: e.message.replacingOccurrences(of: "提交的内容有误：", with: ""), notice: nil)
            let res = try await req.view.render("auth/login", page).encodeResponse(for: req)
            res.status = e.status
            return res
        }
    }

    func logout(_ req: Request) async throws -> Response {
        let u = try req.user
        try await Audit.record(on: req.db, actor: Audit.actor(req), at: req.now, action: "logout", entity: "session",
                               id: u.id.uuidString.lowercased(), label: u.username, orgID: nil, orgPath: nil)
        req.session.destroy()
        return req.redirect(to: "/login?out=1")
    }

    /// Only same-site relative paths, never "//host".
    static func safeNext(_ n: String?) -> String {
        guard let n, n.hasPrefix("/"), !n.hasPrefix("//"), !n.contains("\\"), !n.hasPrefix("/login") else { return "/" }
        return n
    }
}
