import Vapor
import Fluent
import Domain

struct AuditPage: Encodable {
    struct Row: Encodable {
        var at: String; var actor: String; var action: String; var actionCode: String; var entity: String; var label: String
        var note: String; var before: String; var after: String; var requestId: String
    }
    var meta: PageMeta
    var rows: [Row]
    var pager: Pager
    var filter: [String: String]
    var orgs: OrgPicker
    var entities: [SelectOption]
    var actions: [SelectOption]
}

struct AuditPageController {
    func list(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.readAudit, entity: "audit")
        let paging = try Paging(req, defaultPer: 30)
        var filter = try AuditQuery.Filter(req)
        // a select up to 300 orgs, a search box (name or code) for a province's 20,000
        let picker = try await Options.orgPicker(ctx: ctx, cache: req.application.viewCache, action: .readAudit, selected: filter.orgID)
        if picker.large { filter.orgID = picker.chosen }
        let (rows, total) = picker.error != nil ? ([], 0) : try await AuditQuery.list(ctx: ctx, filter: filter, paging: paging)
        let f: [String: String] = ["orgId": filter.orgID ?? "", "user": filter.user ?? "", "entity": filter.entity ?? "",
                                   "action": filter.action ?? "", "from": filter.from?.iso ?? "", "to": filter.to?.iso ?? ""]
        let page = AuditPage(
            meta: await PageMeta.make(req, title: "审计日志", crumbs: [("审计日志", nil)]),
            rows: rows.map {
                .init(at: Format.dateTime($0.at), actor: $0.actorName, action: Audit.actionLabel($0.action), actionCode: $0.action,
                      entity: Audit.entityLabel($0.entityType), label: $0.entityLabel ?? "", note: $0.note ?? "",
                      before: Self.pretty($0.before), after: Self.pretty($0.after), requestId: $0.requestID ?? "")
            },
            pager: Pager(total: total, paging: paging, baseQuery: f.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, path: "/audit"),
            filter: f,
            orgs: picker,
            entities: Audit.entityLabels.sorted { $0.key < $1.key }.map { SelectOption(value: $0.key, label: $0.value, selected: $0.key == filter.entity) },
            actions: Audit.actionLabels.sorted { $0.key < $1.key }.map { SelectOption(value: $0.key, label: $0.value, selected: $0.key == filter.action) })
        return try await req.view.render("audit/list", page)
    }

    /// "name: 张三 → 李四" style lines from the stored JSON snapshot.
    static func pretty(_ json: String?) -> String {
        guard let json, let data = json.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return json ?? "" }
        return obj.keys.sorted().map { "\($0)：\(obj[$0].map { "\($0)" } ?? "")" }.joined(separator: "\n")
    }
}
