import Vapor
import Fluent
import Domain

/// 社区与共建: communities, their 共建协议 and the yearly count of 为民办实事.
struct CommunityPageController {
    struct PairRow: Encodable { var org: String; var signedOn: String; var content: String }
    struct Row: Encodable { var id: String; var name: String; var street: String?; var contact: String?; var phone: String?; var pairs: [PairRow]; var deeds: Int; var target: Int; var met: Bool }
    struct Page: Encodable {
        var meta: PageMeta
        var rows: [Row]
        var year: Int
        var canCreate: Bool
        var canPair: Bool
        var units: [SelectOption]
        var pairOrgs: [SelectOption]
        var communities: [SelectOption]
        var form: FormState
        var pairForm: FormState
    }

    static let keys = ["name", "street", "contact", "phone", "org"]
    static let pairKeys = ["community", "org", "signedOn", "content"]

    func index(_ req: Request) async throws -> View {
        try await render(req, form: FormState(keys: Self.keys), pairForm: FormState(values: ["signedOn": req.today.iso], keys: Self.pairKeys))
    }

    func render(_ req: Request, form: FormState, pairForm: FormState) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.readRecords, entity: "community")
        let cs = try await CommunityService.list(ctx: ctx)
        let settings = try await RecordSettings.load(on: req.db)
        let deeds = try await DemandService.deedsByCommunity(year: ctx.today.year, on: req.db)
        var rows: [Row] = []
        for c in cs {
            let r = ServiceCheck.deeds(done: deeds[c.id!] ?? 0, settings: settings.service)
            rows.append(Row(id: c.idString, name: c.name, street: c.street, contact: c.contact, phone: c.phone,
                            pairs: try await CommunityService.pairings(c, on: req.db).map { PairRow(org: $0.orgName, signedOn: $0.signedOn, content: $0.content) },
                            deeds: r.done, target: r.target, met: r.met))
        }
        let orgs = try await OrgService.all(ctx: ctx, includeClosed: false)
        let units = orgs.filter { ctx.scope.allows(.handleDemands, at: $0.path) && [.committee, .partyGroup, .organCommittee].contains($0.orgType) }
        let pairable = orgs.filter { ctx.scope.allows(.writeRecords, at: $0.path) && [.partyGroup, .organCommittee, .generalBranch, .branch].contains($0.orgType) }
        let all = try await DemandService.publicCommunities(on: req.db)
        return try await req.view.render("communities/index", Page(
            meta: await PageMeta.make(req, title: "社区与共建", crumbs: [("群众点单", "/demands"), ("社区与共建", nil)]), rows: rows, year: ctx.today.year,
            canCreate: !units.isEmpty, canPair: !pairable.isEmpty,
            units: Options.orgs(units, selected: form.values["org"]), pairOrgs: Options.orgs(pairable, selected: pairForm.values["org"]),
            communities: all.map { SelectOption(value: $0.idString, label: $0.name, selected: $0.idString == pairForm.values["community"]) },
            form: form, pairForm: pairForm))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let c = try await CommunityService.create(f, ctx: ctx)
            req.flash("已登记社区“\(c.name)”")
            return req.redirect(to: "/communities")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await render(req, form: FormState(values: f, errors: fe, keys: Self.keys), pairForm: FormState(keys: Self.pairKeys)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func pair(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            guard let id = f["community"], !id.isEmpty else { throw AppError.validation(FieldErrors("community", "请选择社区")) }
            let c = try await CommunityService.find(id, ctx: ctx)
            let p = try await CommunityService.pair(c, f, ctx: ctx)
            req.flash("已登记\(p.orgName)与\(c.name)的共建协议")
            return req.redirect(to: "/communities")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await render(req, form: FormState(keys: Self.keys), pairForm: FormState(values: f, errors: fe, keys: Self.pairKeys)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
