import Vapor
import Domain
import Fluent

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
            // a new session id and CSRF token after log-in, so a planted cookie is worth nothing (session fixation)
            if let old = req.session.id {
                try await req.application.sessions.driver.deleteSession(old, for: req).get()
                req.session.id = nil
            }
            req.session.data["uid"] = user.id!.uuidString
            req.session.data["pwv"] = CurrentUser.stamp(user.passwordHash)
            req.session.data["at"] = String(req.now.timeIntervalSince1970)
            req.session.data["csrf"] = Tokens.random()
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

    // MARK: own account

    struct AccountPage: Encodable { var meta: PageMeta; var form: FormState; var username: String; var roles: [String] }

    func account(_ req: Request) async throws -> View {
        try await req.view.render("auth/account", try await accountPage(req, form: FormState(keys: ["current", "password", "confirm"])))
    }

    func accountPage(_ req: Request, form: FormState) async throws -> AccountPage {
        let u = try req.user
        let grants = try await RoleGrantModel.query(on: req.db).filter(\.$user.$id == u.id).with(\.$org).all()
        return AccountPage(meta: await PageMeta.make(req, title: "我的账号", crumbs: [("我的账号", nil)]), form: form, username: u.username,
                           roles: grants.map { "\($0.roleValue?.label ?? $0.role)（\($0.org.name)）" })
    }

    /// Changing one's own password needs the current one.
    func changePassword(_ req: Request) async throws -> Response {
        let u = try req.user
        let f = try req.formFields()
        var e = FieldErrors()
        guard let model = try await UserModel.find(u.id, on: req.db) else { throw AppError.unauthorized }
        if !(await UserService.verify(f["current"] ?? "", hash: model.passwordHash)) { e.add("current", "当前密码不正确") }
        let pw = UserService.validatePassword(f["password"], into: &e)
        if let pw, pw != f["confirm"] { e.add("confirm", "两次输入的新密码不一致") }
        guard e.isEmpty, let pw else {
            let view = try await req.view.render("auth/account", try await accountPage(req, form: FormState(errors: e, keys: ["current", "password", "confirm"])))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
        model.passwordHash = try await UserService.hash(pw)
        let actor = Audit.actor(req), now = req.now
        try await req.db.transaction { db in
            try await model.update(on: db)
            try await UserTokenModel.query(on: db).filter(\.$user.$id == u.id).delete()
            try await Audit.record(on: db, actor: actor, at: now, action: "password", entity: "user", id: model.idString,
                                   label: model.username, orgID: nil, orgPath: nil, note: "本人修改密码")
        }
        req.session.data["pwv"] = CurrentUser.stamp(model.passwordHash)
        req.flash("密码已修改，其他设备上的登录已失效")
        return req.redirect(to: "/account")
    }

    /// Only same-site relative paths, never "//host".
    static func safeNext(_ n: String?) -> String {
        // a same-site path only: browsers drop tabs and newlines, so "/\t/evil" would become "//evil"
        guard let n, n.hasPrefix("/"), !n.hasPrefix("//"), !n.hasPrefix("/login"), n.count <= 500,
              n.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "\\" }) else { return "/" }
        return n
    }
}
