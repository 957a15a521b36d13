import Vapor

/// A page in two parts: its body, rendered from a view model that is the same for everyone who may
/// see it (and so can be kept, `cachedBody`), and the layout around it (navigation, breadcrumbs, a
/// flash message, the CSRF token), rendered for each request by `shell.leaf`. Leaf's serializer was
/// most of a cached page's time: a committee's dashboard or a 400-row org tree was laid out again on
/// every view.
struct ShellPage: Encodable {
    var meta: PageMeta
    var body: String

    /// Stands for the session's CSRF token in a kept body (its forms); random per process, so no
    /// text a user typed can carry it. `cachedBody` puts the request's token in its place.
    static let csrfMarker = "csrf-" + UUID().uuidString.lowercased()
    /// Where the body goes in a kept layout.
    static let bodyMarker = "body-" + UUID().uuidString.lowercased()
    /// The `meta` a kept body is rendered with (bodies use only its CSRF token).
    static let bodyMeta = PageMeta(title: "", userName: nil, roleLabel: nil, nav: [], crumbs: [], flash: nil, csrf: csrfMarker, today: "")
}

extension Request {
    /// `template` (a body without the layout) rendered with what `compute` returns, once per `key`
    /// until the next write (`ViewCache`), and kept with its gzip form; its `#()` output is escaped
    /// as on any page.
    func cachedBody<T: Encodable & Sendable>(_ key: String, template: String, _ compute: @escaping @Sendable () async throws -> T) async throws -> KeptText {
        let app = application
        return try await app.viewCache.value("body|\(template)|\(key)") { () async throws -> KeptText in
            KeptText(try await Self.body(template, try await compute(), app: app), cutAt: ShellPage.csrfMarker)
        }
    }

    /// The same body, rendered for this request only (search results, one-off filters).
    func body(_ template: String, _ context: some Encodable) async throws -> KeptText {
        KeptText(try await Self.body(template, context, app: application), cutAt: ShellPage.csrfMarker)
    }

    private static func body(_ template: String, _ context: some Encodable, app: Application) async throws -> String {
        let view = try await app.view.render(template, context).get()
        return String(buffer: view.data)
    }

    /// The layout around `body`. Without a flash message the layout itself is kept too, per user,
    /// page, title, breadcrumbs and day (cut in two where the body goes), and the page is joined from
    /// the kept parts with the session's CSRF token (`KeptPage`): served without Leaf and, to a
    /// client that takes gzip, without compressing it again.
    func shell(_ meta: PageMeta, body: KeptText) async throws -> Response {
        guard meta.flash == nil, let user = auth.get(CurrentUser.self) else {
            return try await view.render("shell", ShellPage(meta: meta, body: body.text(with: csrfToken))).encodeResponse(for: self)
        }
        let app = application
        var frameMeta = meta
        frameMeta.csrf = meta.csrf.isEmpty ? "" : ShellPage.csrfMarker
        let key = "frame|\(user.id)|\(url.path)|\(meta.title)|\(meta.today)|\(meta.csrf.isEmpty)|" + meta.crumbs.map { "\($0.label)>\($0.href ?? "")" }.joined(separator: "|")
        let fixed = frameMeta
        let frame = try await app.viewCache.value(key) { () async throws -> [KeptText] in
            let whole = try await Self.body("shell", ShellPage(meta: fixed, body: ShellPage.bodyMarker), app: app)
            let parts = whole.components(separatedBy: ShellPage.bodyMarker)
            guard parts.count == 2 else { throw Abort(.internalServerError, reason: "shell.leaf must show the body once") }
            return parts.map { KeptText($0, cutAt: ShellPage.csrfMarker) }
        }
        return try await KeptPage(texts: [frame[0], body, frame[1]], word: csrfToken).encodeResponse(for: self)
    }
}
