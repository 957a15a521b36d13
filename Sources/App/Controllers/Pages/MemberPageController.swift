import Vapor
import Fluent
import Domain

struct MemberListPage: Encodable {
    struct Row: Encodable {
        var id: String; var name: String; var gender: String; var statusLabel: String; var orgName: String
        var post: String; var phone: String; var joinDate: String; var flags: String
    }
    var meta: PageMeta
    var rows: [Row]
    var pager: Pager
    var q: String
    var orgs: OrgPicker
    var statuses: [SelectOption]
    var canWrite: Bool
    var canImport: Bool
    var exportQuery: String
}

struct MemberDetailPage: Encodable {
    var meta: PageMeta
    var member: MemberDTO
    var genderLabel: String
    var groupName: String?
    var full: Bool
    var age: Int?
    var partyYears: Int?
    var transfers: [TransferDTO]
    var canWrite: Bool
}

struct MemberFormPage: Encodable {
    var meta: PageMeta
    var form: FormState
    var genders: [SelectOption]
    var statuses: [SelectOption]
    var orgs: [SelectOption]
    var groups: [SelectOption]
    var isNew: Bool
    var action: String
    /// Phone and birth date are masked for this user: blank fields keep the stored values.
    var detailsHidden: Bool
}

struct TransferPage: Encodable {
    var meta: PageMeta
    var member: MemberDTO
    var form: FormState
    var orgs: [SelectOption]
    var groups: [SelectOption]
}

struct MemberPageController {
    func list(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.readMembers, entity: "member")
        let paging = try Paging(req, defaultPer: 20)
        var filter = MemberAPIController.filter(req)
        let picker = try await Options.orgPicker(ctx: ctx, cache: req.application.viewCache, action: .readMembers, selected: filter.orgID, groups: false)
        if picker.large { filter.orgID = picker.chosen }
        let chosen = filter, cache = req.application.viewCache
        @Sendable func page() async throws -> MemberListPage {
            let (rows, total) = picker.error != nil ? ([], 0) : try await MemberService.list(ctx: ctx, filter: chosen, paging: paging, cache: cache)
            let query: [(String, String)] = [("q", chosen.q ?? ""), ("orgId", chosen.orgID ?? ""), ("status", chosen.status ?? "")]
            return MemberListPage(
                meta: ShellPage.bodyMeta,
                rows: rows.map {
                    var flags: [String] = []
                    if $0.retired { flags.append("退休") }
                    if $0.hardship { flags.append("困难") }
                    return .init(id: $0.idString, name: $0.name, gender: $0.genderValue.label, statusLabel: $0.politicalStatus.label,
                                 orgName: $0.$org.value?.name ?? "", post: $0.post ?? "", phone: Privacy.maskPhone($0.phone),
                                 joinDate: $0.joinDate ?? "", flags: flags.joined(separator: "、"))
                },
                pager: Pager(total: total, paging: paging, baseQuery: query, path: "/members"),
                q: chosen.q ?? "",
                orgs: picker,
                statuses: Options.statuses(selected: chosen.status),
                canWrite: ctx.scope.allows(.writeMembers), canImport: ctx.scope.allows(.importData) && ctx.scope.allows(.writeMembers),
                exportQuery: query.filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
        }
        // browsing (no search text) is kept per user, filter and page until the next write; a search is laid out for its request
        let body = (filter.q ?? "").isEmpty
            ? try await req.cachedBody(req.queryKey(ctx), template: "members/list", page)
            : try await req.body("members/list", try await page())
        return try await req.shell(await PageMeta.make(req, title: "党员管理", crumbs: [("党员管理", nil)]), body: body)
    }

    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .readMembers)
        let full = MemberService.mayReadDetails(m, ctx: ctx)
        let transfers = try await MemberService.transfers(m, on: req.db).map(TransferDTO.init)
        let today = ctx.today
        func years(since iso: String?) -> Int? {
            guard let d = iso.flatMap(Day.init(iso:)) else { return nil }
            var y = today.year - d.year
            if (today.month, today.day) < (d.month, d.day) { y -= 1 }
            return y
        }
        let crumbs: [(String, String?)] = ctx.scope.allows(.readMembers) ? [("党员管理", "/members"), (m.name, nil)] : [(m.name, nil)]
        let page = MemberDetailPage(meta: await PageMeta.make(req, title: m.name, crumbs: crumbs),
                                    member: MemberDTO(m, orgName: m.org.name, full: full), genderLabel: m.genderValue.label,
                                    groupName: m.group?.name, full: full, age: full ? years(since: m.birthDate) : nil,
                                    partyYears: years(since: m.joinDate), transfers: transfers,
                                    canWrite: ctx.scope.allows(.writeMembers, at: m.orgPath))
        return try await req.view.render("members/show", page)
    }

    static let fieldKeys = ["name", "gender", "birthDate", "status", "joinDate", "org", "group", "post", "phone", "retired", "hardship"]

    func formPage(_ req: Request, ctx: Ctx, values: [String: String], errors: FieldErrors, member: MemberModel?) async throws -> MemberFormPage {
        let orgs = try await OrgService.all(ctx: ctx, includeClosed: false)
        let byID = Dictionary(orgs.compactMap { o in o.id.map { ($0, o) } }, uniquingKeysWith: { a, _ in a })
        let branches = Options.orgs(orgs, selected: values["org"]) { o in
            (o.orgType == .branch || o.orgType == .generalBranch) && ctx.scope.allows(.writeMembers, at: o.path)
        }.map { SelectOption(value: $0.value, label: $0.label.trimmingSpaces, selected: $0.selected) }
        let groups = orgs.filter { $0.orgType == .group && ctx.scope.allows(.writeMembers, at: $0.path) }.map {
            SelectOption(value: $0.idString, label: "\($0.parentID.flatMap { byID[$0]?.name } ?? "")／\($0.name)", selected: $0.idString == values["group"])
        }
        let title = member == nil ? "新增党员" : "编辑党员信息"
        var crumbs: [(String, String?)] = [("党员管理", "/members")]
        if let m = member { crumbs.append((m.name, "/members/\(m.idString)")) }
        crumbs.append((title, nil))
        let hidden = member.map { !MemberService.mayReadDetails($0, ctx: ctx) } ?? false
        var shown = values
        if hidden, errors.isEmpty { shown["phone"] = ""; shown["birthDate"] = "" }
        return MemberFormPage(meta: await PageMeta.make(req, title: title, crumbs: crumbs),
                              form: FormState(values: shown, errors: errors, keys: Self.fieldKeys),
                              genders: Options.genders(selected: values["gender"]), statuses: Options.statuses(selected: values["status"]),
                              orgs: branches, groups: groups, isNew: member == nil,
                              action: member.map { "/members/\($0.idString)/edit" } ?? "/members/new", detailsHidden: hidden)
    }

    func newForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.writeMembers, entity: "member")
        var values: [String: String] = ["status": PoliticalStatus.full.rawValue]
        if let o = try? req.query.get(String.self, at: "org") {
            if let org = try? await OrgService.find(o, ctx: ctx, for: .writeMembers) {
                if org.orgType == .group { values["group"] = org.idString; values["org"] = org.parentID?.uuidString.lowercased() ?? "" }
                else { values["org"] = org.idString }
            }
        } else if let only = ctx.scope.grants.first(where: { $0.role == .branchSecretary }) {
            values["org"] = only.orgID
        }
        return try await req.view.render("members/form", try await formPage(req, ctx: ctx, values: values, errors: FieldErrors(), member: nil))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let m = try await MemberService.create(f, ctx: ctx)
            req.flash("已新增党员“\(m.name)”")
            return req.redirect(to: "/members/\(m.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            let view = try await req.view.render("members/form", try await formPage(req, ctx: ctx, values: f, errors: fe, member: nil))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func editForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeMembers)
        return try await req.view.render("members/form", try await formPage(req, ctx: ctx, values: MemberService.editableFields(m), errors: FieldErrors(), member: m))
    }

    func update(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeMembers)
        var f = try req.formFields()
        // unchecked boxes are absent from the form
        f["retired"] = f["retired"] ?? ""; f["hardship"] = f["hardship"] ?? ""
        f["org"] = m.$org.id.uuidString.lowercased()
        do {
            _ = try await MemberService.update(m, f, ctx: ctx)
            req.flash("已保存“\(m.name)”的信息")
            return req.redirect(to: "/members/\(m.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            let view = try await req.view.render("members/form", try await formPage(req, ctx: ctx, values: f, errors: fe, member: m))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func transferPage(_ req: Request, ctx: Ctx, m: MemberModel, values: [String: String], errors: FieldErrors) async throws -> TransferPage {
        let orgs = try await OrgService.all(ctx: ctx, includeClosed: false)
        let branches = Options.orgs(orgs, selected: values["toOrg"]) { o in
            (o.orgType == .branch || o.orgType == .generalBranch) && o.id != m.$org.id && ctx.scope.allows(.writeMembers, at: o.path)
        }.map { SelectOption(value: $0.value, label: $0.label.trimmingSpaces, selected: $0.selected) }
        let byID = Dictionary(orgs.compactMap { o in o.id.map { ($0, o) } }, uniquingKeysWith: { a, _ in a })
        let groups = orgs.filter { $0.orgType == .group && $0.parentID != m.$org.id && ctx.scope.allows(.writeMembers, at: $0.path) }.map {
            SelectOption(value: $0.idString, label: "\($0.parentID.flatMap { byID[$0]?.name } ?? "")／\($0.name)", selected: $0.idString == values["toGroup"])
        }
        var v = values
        if v["date"] == nil { v["date"] = ctx.today.iso }
        return TransferPage(meta: await PageMeta.make(req, title: "组织关系转接", crumbs: [("党员管理", "/members"), (m.name, "/members/\(m.idString)"), ("组织关系转接", nil)]),
                            member: MemberDTO(m, orgName: m.org.name, full: false),
                            form: FormState(values: v, errors: errors, keys: ["toOrg", "toGroup", "date", "reason"]),
                            orgs: branches, groups: groups)
    }

    func transferForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeMembers)
        return try await req.view.render("members/transfer", try await transferPage(req, ctx: ctx, m: m, values: [:], errors: FieldErrors()))
    }

    func transfer(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeMembers)
        let f = try req.formFields()
        do {
            _ = try await MemberService.transfer(m, fields: f, ctx: ctx)
            req.flash("已为“\(m.name)”办理组织关系转接")
            return req.redirect(to: "/members/\(m.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            let fresh = try await MemberService.find(m.idString, ctx: ctx, for: .writeMembers)
            let view = try await req.view.render("members/transfer", try await transferPage(req, ctx: ctx, m: fresh, values: f, errors: fe))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func delete(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeMembers)
        try await MemberService.delete(m, ctx: ctx)
        req.flash("已删除党员“\(m.name)”（删除前的信息保存在审计日志中）")
        return req.redirect(to: "/members")
    }

    func importForm(_ req: Request) async throws -> View {
        try await req.require(.importData, entity: "member")
        return try await req.view.render("import", await ImportPages.page(req, .members))
    }

    func importFile(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.importData, entity: "member")
        return try await ImportPages.handle(req, .members) { .init(rows: try await ImportExport.importMembers($0, ctx: ctx)) }
    }
}
