import Vapor
import Fluent
import Domain

/// What a form page needs to keep what was typed and show each error beside its field.
struct FormState: Encodable, Sendable {
    var values: [String: String]
    var errors: [String: String]
    var summary: String?

    init(values: [String: String] = [:], errors: FieldErrors = FieldErrors(), keys: [String]) {
        var v = values
        for k in keys where v[k] == nil { v[k] = "" }
        self.values = v
        self.errors = errors.messages
        summary = errors.isEmpty ? nil : "请修改标出的\(errors.messages.count)处错误后再提交"
    }
}

struct SelectOption: Encodable, Sendable {
    var value: String
    var label: String
    var selected: Bool
}

extension Request {
    /// `?year=` of every list, page and API: this year when absent, 400 when not 2000–2100.
    func yearQuery(_ ctx: Ctx) throws -> Int {
        guard let s = try? query.get(String.self, at: "year"), !s.isEmpty else { return ctx.today.year }
        guard let y = Int(s), (2000...2100).contains(y) else { throw AppError.badRequest("年度 year 应为2000到2100之间的整数", field: "year") }
        return y
    }

    /// The submitted form as field → text (the CSRF field removed).
    func formFields() throws -> [String: String] {
        var f = (try? content.decode([String: String].self)) ?? [:]
        f["_csrf"] = nil
        // a NUL is never typed into a form; PostgreSQL would refuse it (R-1 hardening, issue 7)
        if let bad = f.keys.sorted().first(where: { f[$0]!.contains("\u{0}") || $0.contains("\u{0}") }) {
            throw AppError.badRequest(RequestHygiene.nulMessage(bad), field: bad)
        }
        return f
    }
}

enum Options {
    /// Rating years from 2024 to next year, newest first.
    static func years(selected: Int, ctx: Ctx) -> [SelectOption] {
        (2024...(ctx.today.year + 1)).reversed().map { SelectOption(value: String($0), label: "\($0)年度", selected: $0 == selected) }
    }
    static func orgTypes(selected: String?) -> [SelectOption] {
        OrgType.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == selected) }
    }
    static func statuses(selected: String?) -> [SelectOption] {
        PoliticalStatus.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == selected) }
    }
    static func genders(selected: String?) -> [SelectOption] {
        Gender.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == selected) }
    }
    static func roles(selected: String?, grantable: (Role) -> Bool) -> [SelectOption] {
        Role.allCases.filter(grantable).map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == selected) }
    }
    /// Members (正式、预备党员) the user may record for, "姓名（支部）", the first 500 by branch;
    /// `serving`: only those who owe community service (not retired).
    static func members(ctx: Ctx, selected: Set<String>, serving: Bool = false) async throws -> [SelectOption] {
        let q = MemberModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .writeRecords), path: \.$orgPath)
            .filter(\.$status ~~ PoliticalStatus.partyMemberValues)
        if serving { q.filter(\.$retired == false) }
        return try await q.with(\.$org).sort(\.$orgPath).sort(\.$name).limit(500).all()
            .map { SelectOption(value: $0.idString, label: "\($0.name)（\($0.org.name)）", selected: selected.contains($0.idString)) }
    }

    /// Org choices indented by depth, e.g. "　　规划科党支部（党支部）".
    static func orgs(_ orgs: [OrgModel], selected: String?, where keep: (OrgModel) -> Bool = { _ in true }) -> [SelectOption] {
        let minDepth = orgs.map(\.depth).min() ?? 0
        return orgs.filter(keep).map {
            SelectOption(value: $0.idString, label: String(repeating: "　", count: $0.depth - minDepth) + "\($0.name)（\($0.orgType.label)）",
                   selected: $0.idString == selected || $0.code == selected)
        }
    }

    /// An org filter that stays usable at any size: a select while the scope holds at most
    /// `OrgPicker.limit` orgs, else a search box (name or code, suggestions from /orgs/suggest).
    /// The select's choices are kept per user until the next write (`cache`): reading and labelling
    /// 300 orgs on every view of the members list was most of its time.
    static func orgPicker(ctx: Ctx, cache: ViewCache, action: Action, selected: String?, groups: Bool = true) async throws -> OrgPicker {
        struct Choices: Sendable { var large: Bool; var options: [(id: String, code: String, label: String)] }
        let choices = try await cache.value("orgpicker|\(ctx.user.id)|\(action.rawValue)|\(groups)") { () async throws -> Choices in
            let q = OrgModel.query(on: ctx.db).inScope(ctx.scope.roots(for: action), path: \.$path).filter(\.$status == OrgStatus.active.rawValue)
            // at most limit + 1 rows read, however large the scope
            guard try await q.copy().field(\.$id).limit(OrgPicker.limit + 1).all().count <= OrgPicker.limit else { return Choices(large: true, options: []) }
            let all = try await q.sort(\.$path).all()
            let shown = all.filter { (groups || $0.orgType != .group) && ctx.scope.allows(action, at: $0.path) }
            return Choices(large: false, options: zip(shown, orgs(shown, selected: nil)).map { ($0.idString, $0.code, $1.label) })
        }
        if !choices.large {
            let options = choices.options.map { SelectOption(value: $0.id, label: $0.label, selected: $0.id == selected || $0.code == selected) }
            return OrgPicker(options: options, large: false, text: "", chosen: nil)
        }
        var picker = OrgPicker(options: [], large: true, text: selected ?? "", chosen: nil)
        if let ref = selected?.trimmingSpaces, !ref.isEmpty {
            if let o = try await OrgPicker.resolve(ref, ctx: ctx, action: action) {
                picker.text = o.code; picker.chosen = o.idString; picker.label = "\(o.name)（\(o.orgType.label)）"
            } else {
                picker.error = "未找到名称或编码为“\(ref)”的组织（或不在您的管理范围内）"
            }
        }
        return picker
    }
}

struct OrgPicker: Encodable, Sendable {
    static let limit = 300
    var options: [SelectOption]
    var large: Bool
    /// What the search box shows (the chosen org's code), the chosen id, and its name.
    var text: String
    var chosen: String?
    var label: String = ""
    var error: String?

    /// An id, a code or an exact name, inside the user's scope for `action`.
    static func resolve(_ ref: String, ctx: Ctx, action: Action) async throws -> OrgModel? {
        var found: OrgModel? = try await OrgService.resolve(ref, on: ctx.db)
        if found == nil {
            let named = try await OrgModel.query(on: ctx.db).filter(\.$name == ref).limit(2).all()
            if named.count == 1 { found = named[0] }
        }
        guard let o = found, ctx.scope.allows(action, at: o.path) else { return nil }
        return o
    }
}
