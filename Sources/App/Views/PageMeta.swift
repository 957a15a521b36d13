import Vapor
import Fluent
import Domain

/// What the shared layout needs on every page: title, navigation fitted to the role,
/// breadcrumbs, a one-time flash message and the CSRF token.
struct PageMeta: Encodable, Sendable {
    struct NavItem: Encodable, Sendable { var label: String; var href: String; var active: Bool }
    struct Crumb: Encodable, Sendable { var label: String; var href: String? }
    struct Flash: Encodable, Sendable { var kind: String; var message: String }

    var title: String
    var userName: String?
    var roleLabel: String?
    var nav: [NavItem]
    var crumbs: [Crumb]
    var flash: Flash?
    var csrf: String
    var today: String

    static func make(_ req: Request, title: String, crumbs: [(String, String?)] = []) async -> PageMeta {
        let user = req.auth.get(CurrentUser.self)
        let path = req.url.path
        var nav: [NavItem] = []
        func add(_ label: String, _ href: String) {
            let active = href == "/" ? path == "/" : path.hasPrefix(href)
            nav.append(NavItem(label: label, href: href, active: active))
        }
        if let s = user?.scope {
            add("首页", "/")
            if s.allows(.readOrgs) { add("组织架构", "/orgs") }
            if s.allows(.readMembers) { add("党员管理", "/members") }
            else if let own = s.ownMemberID { add("我的信息", "/members/\(own)") }
            if s.allows(.readRatings) { add("五星支部", "/ratings") }
            if s.allows(.readRecords) { add("组织生活", "/meetings") }
            if s.allows(.readRecords) || s.ownMemberID != nil { add("清单与任务", "/tasks") }
            if s.allows(.readRecords) || s.ownMemberID != nil { add("双报到", "/service") }
            if s.allows(.readRecords) || s.ownMemberID != nil { add("群众点单", "/demands") }
            if s.allows(.readRecords) || s.ownMemberID != nil { add("积分", "/points") }
            if s.allows(.readSupervision) { add("督导考评", "/supervision") }
            else if s.allows(.writeRecords) { add("月晒季评", "/evaluation") }
            // DOMAIN §3: brands in scope; an expert (no readBrands) reaches the applications assigned to them
            if s.allows(.readBrands) { add("党建品牌", "/brands") }
            else if let u = user, s.grants.contains(where: { $0.role == .expert }),
                    ((try? await BrandExpertModel.query(on: req.db).filter(\.$userID == u.id).count()) ?? 0) > 0 { add("品牌评审", "/brands") }
            if s.allows(.manageUsers) { add("用户与角色", "/users") }
            if s.allows(.readAudit) { add("审计日志", "/audit") }
            add("工作日历", "/calendar")
        }
        var flash: Flash?
        // pages outside the session group (static files, /healthz, the API) have no session to read
        let hasSession = req.hasSession || req.storage[SessionRoute.self] == true
        if hasSession, let raw = req.session.data["flash"] {
            let parts = raw.split(separator: "\u{1}", maxSplits: 1).map(String.init)
            if parts.count == 2 { flash = Flash(kind: parts[0], message: parts[1]) }
            req.session.data["flash"] = nil
        }
        var allCrumbs = user == nil ? [] : [Crumb(label: "首页", href: "/")]
        allCrumbs += crumbs.map { Crumb(label: $0.0, href: $0.1) }
        return PageMeta(title: title, userName: user?.displayName, roleLabel: user?.primaryRole?.label,
                        nav: nav, crumbs: allCrumbs, flash: flash, csrf: hasSession ? req.csrfToken : "", today: req.today.iso)
    }
}

/// Set by SessionUserMiddleware so pages know the session middleware ran.
struct SessionRoute: StorageKey { typealias Value = Bool }

extension Request {
    /// A message shown once on the next page.
    func flash(_ message: String, kind: String = "success") {
        session.data["flash"] = kind + "\u{1}" + message
    }

    /// A form action that ends on `back`: its result as a success message, or a refused step
    /// (409, 422, 400) as an error message on the same page. A refusal of rights (403) or a
    /// missing record (404) is not a form problem and goes to the error page.
    func flashing(back: String, _ action: () async throws -> String) async throws -> Response {
        do { flash(try await action()) } catch let e as AppError {
            switch e {
            case .forbidden, .notFound: throw e
            case .validation(let fe): flash(fe.order.map { fe[$0]! }.joined(separator: "；"), kind: "error")
            default: flash(e.message, kind: "error")
            }
        }
        return redirect(to: back)
    }
}

struct ErrorPage: Encodable, Sendable {
    var meta: PageMeta
    var status: Int
    var message: String
    var rows: [RowError]
    var requestId: String
}

/// Paging shared by every list page and API list: `?page=&per=` (per ≤ 200).
struct Paging: Sendable {
    var page: Int
    var per: Int

    init(_ req: Request, defaultPer: Int = 20) throws {
        let p = try? req.query.get(String.self, at: "page")
        let n = try? req.query.get(String.self, at: "per")
        if let p, !p.isEmpty {
            guard let v = Int(p), v >= 1, v <= 1_000_000 else { throw AppError.badRequest("页码 page 应为大于 0 的整数", field: "page") }
            page = v
        } else { page = 1 }
        if let n, !n.isEmpty {
            guard let v = Int(n), (1...200).contains(v) else { throw AppError.badRequest("每页条数 per 应为 1 到 200 之间的整数", field: "per") }
            per = v
        } else { per = defaultPer }
    }

    var offset: Int { (page - 1) * per }
    var range: Range<Int> { offset..<(offset + per) }
}

/// Page links for list templates.
struct Pager: Encodable, Sendable {
    struct Link: Encodable, Sendable { var label: String; var href: String?; var current: Bool }
    var total: Int
    var page: Int
    var pages: Int
    var links: [Link]
    var from: Int
    var to: Int

    init(total: Int, paging: Paging, baseQuery: [(String, String)], path: String) {
        self.total = total
        page = paging.page
        pages = max(1, (total + paging.per - 1) / paging.per)
        from = total == 0 ? 0 : paging.offset + 1
        to = min(total, paging.offset + paging.per)
        let pages = self.pages
        func href(_ p: Int) -> String {
            var q = baseQuery.filter { !$0.1.isEmpty }
            q.append(("page", String(p)))
            return path + "?" + q.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        }
        var out: [Link] = []
        let p = paging.page
        out.append(Link(label: "上一页", href: p > 1 ? href(p - 1) : nil, current: false))
        var shown = Set([1, pages, p - 2, p - 1, p, p + 1, p + 2].filter { $0 >= 1 && $0 <= pages }).sorted()
        if shown.isEmpty { shown = [1] }
        var last = 0
        for n in shown {
            if n > last + 1 { out.append(Link(label: "…", href: nil, current: false)) }
            out.append(Link(label: String(n), href: n == p ? nil : href(n), current: n == p))
            last = n
        }
        out.append(Link(label: "下一页", href: p < pages ? href(p + 1) : nil, current: false))
        links = out
    }
}
