import Foundation
import Testing
import VaporTesting
import Fluent
@testable import App

@Suite struct AuthTests {
    @Test func loginPageIsChineseAndLoginSetsASessionCookie() async throws {
        try await withTestApp { t in
            let b = t.browser()
            let page = try await b.get("/login")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("党建工作平台"))
            #expect(page.body.string.contains("name=\"_csrf\""))
            let res = try await b.post("/login", ["username": "zhibu", "password": TestApp.password])
            #expect(res.status == .seeOther)
            #expect(res.location == "/")
            let set = res.headers.first(name: .setCookie) ?? ""
            #expect(set.contains("HttpOnly"))
            #expect(set.lowercased().contains("samesite=lax"))
            let home = try await b.get("/")
            #expect(home.status == .ok)
            #expect(home.body.string.contains("王建国"))
        }
    }

    @Test func wrongPasswordShowsAChineseErrorAndIsAudited() async throws {
        try await withTestApp { t in
            let b = t.browser()
            try await b.get("/login")
            let res = try await b.post("/login", ["username": "zhibu", "password": "wrong-pass-1"])
            #expect(res.status == .unauthorized)
            #expect(res.body.string.contains("用户名或密码错误"))
            #expect(res.body.string.contains("value=\"zhibu\""), "the typed username is kept")
            #expect(try await t.auditCount(action: "login_failed") == 1)
        }
    }

    @Test func fiveWrongPasswordsLockTheAccountEvenForTheRightPassword() async throws {
        try await withTestApp { t in
            for i in 1...4 {
                let r = try await t.api(.POST, "/api/v1/auth/login", json: ["username": "jiguan", "password": "bad\(i)"])
                #expect(r.status == .unauthorized)
            }
            let fifth = try await t.api(.POST, "/api/v1/auth/login", json: ["username": "jiguan", "password": "bad5"])
            #expect(fifth.status == .tooManyRequests)
            #expect(fifth.errorMessage.contains("锁定"))
            let right = try await t.api(.POST, "/api/v1/auth/login", json: ["username": "jiguan", "password": TestApp.password])
            #expect(right.status == .tooManyRequests, "locked for 15 minutes even with the right password")
            #expect(try await t.auditCount(action: "locked") == 1)
            // another account is not affected
            #expect(try await t.api(.POST, "/api/v1/auth/login", json: ["username": "zhibu", "password": TestApp.password]).status == .ok)
        }
    }

    @Test func lockEndsFifteenMinutesAfterTheLastFailure() async throws {
        try await withTestApp { t in
            // given five failures recorded 16 minutes ago
            let past = t.app.clock.now().timeIntervalSince1970 - 16 * 60
            for i in 0..<5 {
                let f = LoginFailureModel(); f.username = "jiguan"; f.at = past + Double(i); try await f.create(on: t.db)
            }
            // then the right password works again
            #expect(try await t.api(.POST, "/api/v1/auth/login", json: ["username": "jiguan", "password": TestApp.password]).status == .ok)
        }
    }

    @Test func formWithoutOrWithAWrongCSRFTokenIsRefused() async throws {
        try await withTestApp { t in
            let b = try await t.login("admin")
            let b01 = try await t.org("ZR-B01")
            try await b.get("/orgs/\(b01.idString)/edit")
            let forged = try await b.post("/orgs/\(b01.idString)/edit", ["name": "被篡改的支部"], csrf: "forged-token")
            #expect(forged.status == .forbidden)
            #expect(forged.body.string.contains("CSRF"))
            let missing = try await b.post("/orgs/\(b01.idString)/edit", ["name": "被篡改的支部"], csrf: "")
            #expect(missing.status == .forbidden)
            #expect(try await t.org("ZR-B01").name == "办公室党支部", "nothing changed")
            let ok = try await b.post("/orgs/\(b01.idString)/edit", ["name": "办公室党支部", "secretary": "王建国"])
            #expect(ok.status == .seeOther)
        }
    }

    @Test func logoutEndsTheSessionAndTheToken() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            try await b.get("/")
            let copied = b.cookie       // the session was read (and kept in the user cache) before logging out
            #expect(try await b.post("/logout").location == "/login?out=1")
            #expect(try await b.get("/members").status == .seeOther)
            b.cookie = copied
            #expect(try await b.get("/members").status == .seeOther, "a copy of the old session cookie is dead too")
            let token = try await t.token("zhibu")
            #expect(try await t.api(.GET, "/api/v1/auth/me", token: token).status == .ok, "the token is read (and cached) first")
            #expect(try await t.api(.POST, "/api/v1/auth/logout", token: token).status == .noContent)
            #expect(try await t.api(.GET, "/api/v1/auth/me", token: token).status == .unauthorized)
        }
    }

    @Test func deactivatedUserCannotLogInAndLosesTokens() async throws {
        try await withTestApp { t in
            let token = try await t.token("zhibu")
            let admin = try await t.token("admin")
            let u = try #require(try await UserModel.query(on: t.db).filter(\.$username == "zhibu").first())
            // the user and the token are read (and kept in the user cache) before the deactivation
            #expect(try await t.api(.GET, "/api/v1/auth/me", token: token).status == .ok)
            let page = try await t.login("zhibu")
            #expect(try await page.get("/").status == .ok)
            #expect(try await t.api(.PATCH, "/api/v1/users/\(u.idString)", token: admin, json: ["active": false]).status == .ok)
            #expect(try await t.api(.GET, "/api/v1/auth/me", token: token).status == .unauthorized)
            #expect(try await page.get("/").status != .ok, "the open session ends at once")
            #expect(try await t.api(.POST, "/api/v1/auth/login", json: ["username": "zhibu", "password": TestApp.password]).status == .unauthorized)
        }
    }

    @Test func nextParameterOnlyRedirectsInsideTheSite() {
        #expect(AuthPageController.safeNext("/members?page=2") == "/members?page=2")
        #expect(AuthPageController.safeNext("//evil.example/x") == "/")
        #expect(AuthPageController.safeNext("https://evil.example") == "/")
        #expect(AuthPageController.safeNext(nil) == "/")
        #expect(AuthPageController.safeNext("/\t/evil.example") == "/")
        #expect(AuthPageController.safeNext("/%2F/x") == "/%2F/x", "encoded slashes stay a path")
        #expect(AuthPageController.safeNext("/\\evil.example") == "/")
    }
}

@Suite struct AccountTests {
    @Test func loginRotatesTheSessionId() async throws {
        try await withTestApp { t in
            let b = t.browser()
            try await b.get("/login")
            let before = b.cookie
            try await b.post("/login", ["username": "zhibu", "password": TestApp.password])
            #expect(b.cookie != nil)
            #expect(b.cookie != before, "a new session id after log-in")
            // the planted pre-login session id no longer works
            let attacker = t.browser()
            attacker.cookie = before
            #expect(try await attacker.get("/").status == .seeOther)
        }
    }

    @Test func userChangesOwnPasswordWithTheCurrentOne() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            try await b.get("/account")
            let wrong = try await b.post("/account", ["current": "nope", "password": "NewPass2026", "confirm": "NewPass2026"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.body.string.contains("当前密码不正确"))
            let mismatch = try await b.post("/account", ["current": TestApp.password, "password": "NewPass2026", "confirm": "NewPass2027"])
            #expect(mismatch.body.string.contains("两次输入的新密码不一致"))
            let ok = try await b.post("/account", ["current": TestApp.password, "password": "NewPass2026", "confirm": "NewPass2026"])
            #expect(ok.location == "/account")
            #expect(try await t.api(.POST, "/api/v1/auth/login", json: ["username": "zhibu", "password": "NewPass2026"]).status == .ok)
            #expect(try await t.api(.POST, "/api/v1/auth/login", json: ["username": "zhibu", "password": TestApp.password]).status == .unauthorized)
        }
    }
}
