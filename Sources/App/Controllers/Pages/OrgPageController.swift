import Vapor
import Fluent
import Domain

struct OrgTreePage: Encodable {
    struct Row: Encodable {
        var id: String; var name: String; var code: String; var typeLabel: String; var depth: Int; var indent: Int
        /// Position in the list and the parent's position (-1 for a root): the page's script walks these.
        var index: Int; var parent: Int; var hasChildren: Bool; var members: Int; var subtreeMembers: Int
        var secretary: String; var termDue: String; var termStatus: String; var termLabel: String; var closed: Bool
    }
    var meta: PageMeta
    var rows: [Row]
    var total: Int
    var canWrite: Bool
    var canImport: Bool
    var showClosed: Bool
    var collapseFrom: Int
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
    func tree(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.readOrgs, entity: "org")
        let showClosed = (try? req.query.get(String.self, at: "closed")) == "1"
        let orgs = try await OrgService.all(ctx: ctx, includeClosed: showClosed)
        let roots = ctx.scope.roots(for: .readOrgs)
        let counts = try await OrgService.memberCounts(by: .branch, under: roots, on: req.db)
        let groups = try await OrgService.memberCounts(by: .group, under: roots, on: req.db)
        let rows = Self.preorder(orgs, counts: counts, groupCounts: groups, today: ctx.today)
        let page = OrgTreePage(meta: await PageMeta.make(req, title: "组织架构", crumbs: [("组织架构", nil)]), rows: rows, total: rows.count,
                               canWrite: ctx.scope.allows(.writeOrgs), canImport: ctx.scope.allows(.importData) && ctx.scope.allows(.writeOrgs),
                               showClosed: showClosed, collapseFrom: rows.count > 60 ? 2 : 99)
        return try await req.view.render("orgs/tree", page)
    }

    /// Parent before children, siblings by type then code; subtree member totals summed bottom-up.
    static func preorder(_ orgs: [OrgModel], counts: [UUID: Int], groupCounts: [UUID: Int], today: Day) -> [OrgTreePage.Row] {
        let ids = Set(orgs.compactMap(\.id))
        var children: [UUID: [OrgModel]] = [:]
        var roots: [OrgModel] = []
        for o in orgs {
            if let p = o.parentID, ids.contains(p) { children[p, default: []].append(o) } else { roots.append(o) }
        }
        func sortKey(_ a: OrgModel, _ b: OrgModel) -> Bool { (a.orgType.rank, a.code) < (b.orgType.rank, b.code) }
        var subtotal: [UUID: Int] = [:]
        // members hang on their branch (org_id); a group's figure is its own roll and is not added upward twice
        func total(_ o: OrgModel) -> Int {
            let below = (children[o.id!] ?? []).reduce(0) { $0 + total($1) }
            if o.orgType == .group { subtotal[o.id!] = groupCounts[o.id!] ?? 0; return 0 }
            let n = (counts[o.id!] ?? 0) + below
            subtotal[o.id!] = n
            return n
        }
        roots.forEach { _ = total($0) }
        let minDepth = roots.map(\.depth).min() ?? 0
        var out: [OrgTreePage.Row] = []
        func walk(_ o: OrgModel, parent: Int) {
            let t = o.termDue(today: today)
            let kids = (children[o.id!] ?? []).sorted(by: sortKey)
            let index = out.count
            out.append(.init(id: o.idString, name: o.name, code: o.code, typeLabel: o.orgType.label, depth: o.depth - minDepth,
                             indent: min(o.depth - minDepth, 7), index: index, parent: parent, hasChildren: !kids.isEmpty,
                             members: counts[o.id!] ?? 0, subtreeMembers: subtotal[o.id!] ?? 0, secretary: o.secretary ?? "",
                             termDue: t.dueDate?.iso ?? "", termStatus: t.status.rawValue, termLabel: t.status.label, closed: o.orgStatus == .closed))
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
