import Vapor
import Fluent
import Domain

struct OrgTreePage: Encodable {
    struct Row: Encodable {
        var id: String; var name: String; var code: String; var typeLabel: String; var depth: Int; var indent: Int
        /// Position in the list and the parent's position (-1 for a root): the page's script walks these.
        var index: Int; var parent: Int; var hasChildren: Bool; var members: Int; var subtreeMembers: Int
        var secretary: String; var termDue: String; var termStatus: String; var termLabel: String; var closed: Bool
        /// Direct children, and whether they are left out of this page (a large tree is shown a window at a time).
        var childCount: Int = 0; var more: Bool = false
        /// For a search hit: the names above it (…机关党委 › 党总支).
        var context: String = ""
    }
    struct Crumb: Encodable, Sendable { var id: String; var name: String }
    var rows: [Row]
    var total: Int
    var canWrite: Bool
    var canImport: Bool
    var showClosed: Bool
    var collapseFrom: Int
    /// The whole tree is not on the page: the search asks the server, deeper levels open on their own page.
    var partial: Bool = false
    var shown: Int = 0
    var q: String = ""
    var hits: Int = 0
    var under: [Crumb] = []
    var closedQuery: String = ""
}

struct OrgDetailPage: Encodable {
    struct Child: Encodable { var id: String; var name: String; var typeLabel: String; var closed: Bool }
    struct MemberRow: Encodable { var id: String; var name: String; var statusLabel: String; var post: String; var phone: String }
    struct AuditRow: Encodable { var at: String; var actor: String; var action: String; var note: String }
    var meta: PageMeta
    var org: OrgDTO
    var parentName: String?
    var parentId: String?
    var termLabel: String
    var termDays: String
    var children: [Child]
    var members: [MemberRow]
    var memberTotal: Int
    var audit: [AuditRow]
    var canWrite: Bool
    var canWriteMembers: Bool
    var canAddChild: Bool
    var holdsMembers: Bool
    var closed: Bool
}

struct OrgFormPage: Encodable {
    var meta: PageMeta
    var form: FormState
    var types: [SelectOption]
    var parents: [SelectOption]
    var isNew: Bool
    var action: String
    var orgId: String?
}

struct OrgPageController {
    /// Suggestions for an org search box (OrgPicker): up to 20 active orgs in the reader's scope whose
    /// name or code contains `q`, as `[{"value": code, "label": "name（type）"}]`.
    func suggest(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.readOrgs, entity: "org")
        struct Item: Content { var value: String; var label: String }
        let text = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingSpaces
        guard !text.isEmpty, text.unicodeScalars.count <= 50 else { return try await [Item]().encodeResponse(for: req) }
        let q = OrgModel.query(on: req.db).inScope(ctx.scope.roots(for: .readOrgs), path: \.$path).filter(\.$status == OrgStatus.active.rawValue)
        q.group(.or) { $0.filter(\.$name, .contains(inverse: false, .anywhere), text).filter(\.$code, .contains(inverse: false, .anywhere), text) }
        let items = try await q.sort(\.$path).limit(20).all().map { Item(value: $0.code, label: "\($0.name)（\($0.orgType.label)）") }
        return try await items.encodeResponse(for: req)
    }

    /// Rows shown at once; a larger tree (a committee over 20,000 branches) is shown a window at a time.
    static let window = 400

    func tree(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.readOrgs, entity: "org")
        let showClosed = (try? req.query.get(String.self, at: "closed")) == "1"
        let q = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingSpaces
        guard q.unicodeScalars.count <= 50 else { throw AppError.badRequest("搜索内容不能超过50个字", field: "q") }
        let under = ((try? req.query.get(String.self, at: "under")) ?? "").lowercased()
        let roots = ctx.scope.roots(for: .readOrgs)
        // the whole tree with its member totals: computed once per scope and day until the next write
        let key = "orgtree|\((roots ?? ["*"]).sorted().joined(separator: ","))|\(showClosed)|\(ctx.today.iso)"
        let all = try await req.application.viewCache.value(key) { () async throws -> [OrgTreePage.Row] in
            let orgs = try await OrgNode.all(under: roots, includeClosed: showClosed, on: req.db)
            let counts = try await OrgService.memberCounts(by: .branch, under: roots, on: req.db)
            let groups = try await OrgService.memberCounts(by: .group, under: roots, on: req.db)
            return Self.preorder(orgs, counts: counts, groupCounts: groups, today: ctx.today)
        }
        let canWrite = ctx.scope.allows(.writeOrgs), canImport = ctx.scope.allows(.importData) && ctx.scope.allows(.writeOrgs)
        @Sendable func page() -> OrgTreePage {
            OrgTreePage(rows: [], total: all.count, canWrite: canWrite, canImport: canImport, showClosed: showClosed, collapseFrom: 99,
                        q: q, closedQuery: showClosed ? "&closed=1" : "")
        }
        var crumbs: [(String, String?)] = [("组织架构", nil)]
        let body: KeptText
        if !q.isEmpty {
            var p = page()
            p.rows = Self.search(all, q: q, limit: 200, hits: &p.hits)
            p.partial = true; p.shown = p.rows.count
            crumbs = [("组织架构", "/orgs"), ("搜索“\(q)”", nil)]
            body = try await req.body("orgs/tree", p)
        } else {
            let at = under.isEmpty ? nil : all.firstIndex(where: { $0.id == under })
            var chain: [OrgTreePage.Crumb] = []       // the orgs above `under`, top first
            if !under.isEmpty {
                guard let i = at else { throw AppError.notFound("该组织不存在或不在您的管理范围内") }
                var up = all[i].parent
                while up >= 0 { chain.insert(.init(id: all[up].id, name: all[up].name), at: 0); up = all[up].parent }
                crumbs = [("组织架构", "/orgs")] + chain.map { ($0.name, "/orgs?under=\($0.id)" + (showClosed ? "&closed=1" : "")) } + [(all[i].name, nil)]
            }
            let above = chain
            // the window (400 of a province's 22,000 rows) and its markup: once per scope, place and day until the next write
            body = try await req.cachedBody("\(key)|\(under)|\(canWrite)|\(canImport)", template: "orgs/tree") { () -> OrgTreePage in
                var p = page()
                var slice = all[...]
                if let at {
                    let end = all[(at + 1)...].firstIndex(where: { $0.depth <= all[at].depth }) ?? all.endIndex
                    slice = all[at..<end]
                    p.under = above + [.init(id: all[at].id, name: all[at].name)]
                }
                p.rows = Self.window(slice, limit: Self.window)
                p.partial = p.rows.count < all.count
                p.collapseFrom = p.rows.count > 60 ? 2 : 99
                p.shown = p.rows.count
                return p
            }
        }
        return try await req.shell(await PageMeta.make(req, title: "组织架构", crumbs: crumbs), body: body)
    }

    /// The top of a pre-order slice within `limit` rows: breadth first, a node's children all
    /// or none (the first level always), so the upper levels are complete and the rest opens on
    /// its own page; rows whose children are left out are marked `more`. Positions are renumbered.
    static func window(_ slice: ArraySlice<OrgTreePage.Row>, limit: Int) -> [OrgTreePage.Row] {
        guard let top = slice.first?.depth else { return [] }
        var kids: [Int: [Int]] = [:], tops: [Int] = []
        for r in slice {
            if r.parent >= slice.startIndex && r.parent < r.index && r.index > slice.startIndex { kids[r.parent, default: []].append(r.index) } else { tops.append(r.index) }
        }
        var keep = Set(tops), cut = Set<Int>(), queue = tops[...], count = tops.count
        while let i = queue.popFirst() {
            let k = kids[i] ?? []
            guard !k.isEmpty else { continue }
            if slice[i].depth == top || count + k.count <= limit {
                keep.formUnion(k); count += k.count; queue.append(contentsOf: k)
            } else {
                cut.insert(i)
            }
        }
        var out: [OrgTreePage.Row] = []
        var position: [Int: Int] = [:]     // old index → new index
        for r in slice where keep.contains(r.index) {
            var row = r
            position[r.index] = out.count
            row.index = out.count
            row.parent = position[r.parent] ?? -1
            row.depth = r.depth - top; row.indent = min(row.depth, 7)
            row.more = cut.contains(r.index)
            row.hasChildren = r.childCount > 0 && !row.more
            out.append(row)
        }
        return out
    }

    /// Name, code or secretary containing `q`; each hit with the names above it.
    static func search(_ all: [OrgTreePage.Row], q: String, limit: Int, hits: inout Int) -> [OrgTreePage.Row] {
        let needle = q.lowercased()
        var out: [OrgTreePage.Row] = []
        hits = 0
        for r in all where r.name.lowercased().contains(needle) || r.code.lowercased().contains(needle) || r.secretary.contains(q) {
            hits += 1
            guard out.count < limit else { continue }
            var names: [String] = [], p = r.parent
            while p >= 0 { names.insert(all[p].name, at: 0); p = all[p].parent }
            var row = r
            row.context = names.suffix(3).joined(separator: " › ")
            row.index = out.count; row.parent = -1; row.depth = 0; row.indent = 0
            row.more = r.childCount > 0; row.hasChildren = false
            out.append(row)
        }
        return out
    }

    /// Parent before children, siblings by type then code; subtree member totals summed bottom-up.
    static func preorder(_ orgs: [OrgNode], counts: [UUID: Int], groupCounts: [UUID: Int], today: Day) -> [OrgTreePage.Row] {
        let ids = Set(orgs.map(\.id))
        var children: [UUID: [OrgNode]] = [:]
        var roots: [OrgNode] = []
        for o in orgs {
            if let p = o.parentID, ids.contains(p) { children[p, default: []].append(o) } else { roots.append(o) }
        }
        func sortKey(_ a: OrgNode, _ b: OrgNode) -> Bool { (a.orgType.rank, a.code) < (b.orgType.rank, b.code) }
        var subtotal: [UUID: Int] = [:]
        // members hang on their branch (org_id); a group's figure is its own roll and is not added upward twice
        func total(_ o: OrgNode) -> Int {
            let below = (children[o.id] ?? []).reduce(0) { $0 + total($1) }
            if o.orgType == .group { subtotal[o.id] = groupCounts[o.id] ?? 0; return 0 }
            let n = (counts[o.id] ?? 0) + below
            subtotal[o.id] = n
            return n
        }
        roots.forEach { _ = total($0) }
        let minDepth = roots.map(\.depth).min() ?? 0
        var out: [OrgTreePage.Row] = []
        func walk(_ o: OrgNode, parent: Int) {
            let t = o.termDue(today: today)
            let kids = (children[o.id] ?? []).sorted(by: sortKey)
            let index = out.count
            out.append(.init(id: o.idString, name: o.name, code: o.code, typeLabel: o.orgType.label, depth: o.depth - minDepth,
                             indent: min(o.depth - minDepth, 7), index: index, parent: parent, hasChildren: !kids.isEmpty,
                             members: counts[o.id] ?? 0, subtreeMembers: subtotal[o.id] ?? 0, secretary: o.secretary ?? "",
                             termDue: t.dueDate?.iso ?? "", termStatus: t.status.rawValue, termLabel: t.status.label, closed: o.orgStatus == .closed,
                             childCount: kids.count))
            kids.forEach { walk($0, parent: index) }
        }
        roots.sorted(by: sortKey).forEach { walk($0, parent: -1) }
        return out
    }

    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .readOrgs)
        let parent = try await org.parentID.asyncMap { try await OrgModel.find($0, on: req.db) } ?? nil
        let kids = try await OrgModel.query(on: req.db).filter(\.$parentID == org.id).sort(\.$code).all()
        var members: [OrgDetailPage.MemberRow] = [], memberTotal = 0
        if ctx.scope.allows(.readMembers, at: org.path) {
            let q = MemberModel.query(on: req.db).group(.or) { $0.filter(\.$org.$id == org.id!).filter(\.$group.$id == org.id) }
            memberTotal = try await q.count()
            members = try await q.sort(\.$name).limit(30).all().map {
                .init(id: $0.idString, name: $0.name, statusLabel: $0.politicalStatus.label, post: $0.post ?? "", phone: Privacy.maskPhone($0.phone))
            }
        }
        var audit: [OrgDetailPage.AuditRow] = []
        if ctx.scope.allows(.readAudit, at: org.path) {
            audit = try await AuditEntryModel.query(on: req.db).filter(\.$entityType == "org").filter(\.$entityID == org.idString)
                .sort(\.$at, .descending).limit(10).all().map {
                    .init(at: Format.dateTime($0.at), actor: $0.actorName, action: Audit.actionLabel($0.action), note: $0.note ?? "")
                }
        }
        let t = org.termDue(today: ctx.today)
        let days: String
        switch t.status {
        case .overdue: days = "已超期\(-(t.daysLeft ?? 0))天"
        case .dueSoon, .ok: days = "还有\(t.daysLeft ?? 0)天"
        case .unknown: days = "未登记本届开始日期"
        }
        let canWrite = ctx.scope.allows(.writeOrgs, at: org.path)
        let page = OrgDetailPage(
            meta: await PageMeta.make(req, title: org.name, crumbs: [("组织架构", "/orgs"), (org.name, nil)]),
            org: OrgDTO(org, today: ctx.today), parentName: parent?.name, parentId: parent?.idString, termLabel: t.status.label, termDays: days,
            children: kids.map { .init(id: $0.idString, name: $0.name, typeLabel: $0.orgType.label, closed: $0.orgStatus == .closed) },
            members: members, memberTotal: memberTotal, audit: audit, canWrite: canWrite,
            canWriteMembers: ctx.scope.allows(.writeMembers, at: org.path) && org.orgType.holdsMembers && org.orgStatus == .active,
            canAddChild: canWrite && org.orgType != .group && org.orgStatus == .active,
            holdsMembers: org.orgType.holdsMembers, closed: org.orgStatus == .closed)
        return try await req.view.render("orgs/show", page)
    }

    static let fieldKeys = ["name", "code", "type", "parent", "foundedOn", "termStart", "termYears", "secretary"]

    func formPage(_ req: Request, ctx: Ctx, values: [String: String], errors: FieldErrors, org: OrgModel?) async throws -> OrgFormPage {
        let orgs = try await OrgService.all(ctx: ctx, includeClosed: false)
        let parents = Options.orgs(orgs, selected: values["parent"]) { o in
            ctx.scope.allows(.writeOrgs, at: o.path) && o.orgType != .group
        }
        let title = org == nil ? "新建组织" : "编辑组织"
        var crumbs: [(String, String?)] = [("组织架构", "/orgs")]
        if let org { crumbs.append((org.name, "/orgs/\(org.idString)")) }
        crumbs.append((title, nil))
        return OrgFormPage(meta: await PageMeta.make(req, title: title, crumbs: crumbs),
                           form: FormState(values: values, errors: errors, keys: Self.fieldKeys),
                           types: Options.orgTypes(selected: values["type"]), parents: parents, isNew: org == nil,
                           action: org.map { "/orgs/\($0.idString)/edit" } ?? "/orgs/new", orgId: org?.idString)
    }

    func newForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.writeOrgs, entity: "org")
        var values: [String: String] = [:]
        if let p = try? req.query.get(String.self, at: "parent"), let parent = try? await OrgService.find(p, ctx: ctx, for: .writeOrgs) {
            values["parent"] = parent.idString
            let childType: OrgType = switch parent.orgType {
                case .committee: .partyGroup
                case .partyGroup: .organCommittee
                case .organCommittee, .generalBranch: .branch
                case .branch, .group: .group
            }
            values["type"] = childType.rawValue
            values["termYears"] = childType.defaultTermYears.map(String.init) ?? ""
        }
        return try await req.view.render("orgs/form", try await formPage(req, ctx: ctx, values: values, errors: FieldErrors(), org: nil))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let org = try await OrgService.create(f, ctx: ctx)
            req.flash("已新建组织“\(org.name)”")
            return req.redirect(to: "/orgs/\(org.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            let view = try await req.view.render("orgs/form", try await formPage(req, ctx: ctx, values: f, errors: fe, org: nil))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func editForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeOrgs)
        return try await req.view.render("orgs/form", try await formPage(req, ctx: ctx, values: OrgService.editableFields(org), errors: FieldErrors(), org: org))
    }

    func update(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeOrgs)
        var f = try req.formFields()
        f["parent"] = nil
        do {
            _ = try await OrgService.update(org, f, ctx: ctx)
            req.flash("已保存“\(org.name)”")
            return req.redirect(to: "/orgs/\(org.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            f["parent"] = org.parentID?.uuidString.lowercased() ?? ""
            let view = try await req.view.render("orgs/form", try await formPage(req, ctx: ctx, values: f, errors: fe, org: org))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    struct MovePage: Encodable { var meta: PageMeta; var org: OrgDTO; var parents: [SelectOption]; var error: String? }

    func movePage(_ req: Request, ctx: Ctx, org: OrgModel, error: String?) async throws -> MovePage {
        let orgs = try await OrgService.all(ctx: ctx, includeClosed: false)
        let parents = Options.orgs(orgs, selected: org.parentID?.uuidString.lowercased()) { o in
            ctx.scope.allows(.writeOrgs, at: o.path) && !o.path.hasPrefix(org.path) && org.orgType.canBeChild(of: o.orgType)
        }
        return MovePage(meta: await PageMeta.make(req, title: "移动组织", crumbs: [("组织架构", "/orgs"), (org.name, "/orgs/\(org.idString)"), ("移动", nil)]),
                        org: OrgDTO(org, today: ctx.today), parents: parents, error: error)
    }

    func moveForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeOrgs)
        return try await req.view.render("orgs/move", try await movePage(req, ctx: ctx, org: org, error: nil))
    }

    func move(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeOrgs)
        let f = try req.formFields()
        do {
            _ = try await OrgService.move(org, to: f["parent"] ?? "", ctx: ctx)
            req.flash("已将“\(org.name)”移动到新的上级组织之下")
            return req.redirect(to: "/orgs/\(org.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            let view = try await req.view.render("orgs/move", try await movePage(req, ctx: ctx, org: org, error: fe.summary(labels: ["parent": "上级组织", "type": "组织类型"])))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func close(_ req: Request) async throws -> Response { try await setStatus(req, .closed) }
    func reopen(_ req: Request) async throws -> Response { try await setStatus(req, .active) }

    private func setStatus(_ req: Request, _ s: OrgStatus) async throws -> Response {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeOrgs)
        do {
            _ = try await OrgService.setStatus(org, s, ctx: ctx)
            req.flash(s == .closed ? "已撤销“\(org.name)”" : "已恢复“\(org.name)”")
        } catch let e as AppError where e.status == .conflict {
            req.flash(e.message, kind: "error")
        }
        return req.redirect(to: "/orgs/\(org.idString)")
    }

    func importForm(_ req: Request) async throws -> View {
        try await req.require(.importData, entity: "org")
        return try await req.view.render("import", await ImportPages.page(req, .orgs))
    }

    func importFile(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.importData, entity: "org")
        return try await ImportPages.handle(req, .orgs) { .init(rows: try await ImportExport.importOrgs($0, ctx: ctx)) }
    }
}

extension AppError {
    /// Errors that belong beside form fields; others (403, 404) go to the error page.
    var formErrors: FieldErrors? {
        switch self {
        case .validation(let e): return e
        case .conflict(let m, let f?), .badRequest(let m, let f?): return FieldErrors(f, m)
        default: return nil
        }
    }
}

enum Format {
    /// China time, `2026-11-21 10:00:00`; one formatter, built once (the audit page formats every row).
    nonisolated(unsafe) private static let formatter: DateFormatter = {
        let f = DateFormatter()
        f.timeZone = AppClock.china
        f.locale = Locale(identifier: "zh_CN")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f
    }()
    private static let lock = NSLock()

    static func dateTime(_ d: Date) -> String {
        lock.lock(); defer { lock.unlock() }
        return formatter.string(from: d)
    }
}
