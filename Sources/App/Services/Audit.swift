import Vapor
import Fluent
import Domain

/// every change of state or data is written to the append-only audit log, in the same
/// transaction as the change itself, with who, when, what and before/after.
enum Audit {
    struct Actor: Sendable {
        var id: UUID?
        var name: String
        var requestID: String?
        var ip: String?
        static let system = Actor(id: nil, name: "系统", requestID: nil, ip: nil)
    }

    static func actor(_ req: Request) -> Actor {
        let u = req.auth.get(CurrentUser.self)
        return Actor(id: u?.id, name: u.map { "\($0.displayName)（\($0.username)）" } ?? "匿名访客",
                     requestID: req.id, ip: req.remoteAddress?.ipAddress)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static func json(_ value: (any Encodable)?) -> String? {
        guard let value else { return nil }
        if let flat = value as? [String: String], let s = flatJSON(flat) { return s }
        return (try? encoder.encode(value)).flatMap { String(data: $0, encoding: .utf8) }
    }

    /// What `encoder` makes of a flat string map (the snapshot of almost every audited record),
    /// written by hand: an import of 500,000 members spent 5 % of its time in JSONEncoder. Keys
    /// outside ASCII (whose order JSONEncoder might define differently) are left to JSONEncoder.
    static func flatJSON(_ map: [String: String]) -> String? {
        var keys: [String] = []
        keys.reserveCapacity(map.count)
        for k in map.keys {
            guard k.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
            keys.append(k)
        }
        keys.sort()
        var out = "{"
        out.reserveCapacity(16 * map.count + map.values.reduce(0) { $0 + $1.utf8.count })
        for (i, k) in keys.enumerated() {
            if i > 0 { out += "," }
            appendQuoted(k, to: &out)
            out += ":"
            appendQuoted(map[k]!, to: &out)
        }
        out += "}"
        return out
    }

    private static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        // nothing to escape: the common case, copied whole
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { out += s; out += "\""; return }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }

    /// The audit row of a record written in bulk (imports), in `BulkInsert.auditColumns` order.
    static func row(_ rowID: UUID = UUID(), actor: Actor, at: Date, action: String, entity: String, id: String?, label: String?, orgID: UUID?, orgPath: String?,
                    before: [String: String]? = nil, after: [String: String]?, note: String?) -> BulkInsert.Row {
        [.uuid(rowID), .date(at), .uuid(actor.id), .text(actor.name), .text(action), .text(entity), .text(id), .text(label), .uuid(orgID),
         .text(orgPath), .text(json(before)), .text(json(after)), .text(note), .text(actor.requestID), .text(actor.ip)]
    }

    static func record(on db: any Database, actor: Actor, at: Date, action: String, entity: String,
                       id: String?, label: String?, orgID: UUID?, orgPath: String?,
                       before: (any Encodable)? = nil, after: (any Encodable)? = nil, note: String? = nil) async throws {
        let e = AuditEntryModel()
        e.at = at; e.actorID = actor.id; e.actorName = actor.name
        e.action = action; e.entityType = entity; e.entityID = id; e.entityLabel = label
        e.orgID = orgID; e.orgPath = orgPath
        e.before = json(before); e.after = json(after); e.note = note
        e.requestID = actor.requestID; e.ip = actor.ip
        try await e.create(on: db)
        if !Self.quietActions.contains(action) { DataVersion.bump() }
    }

    /// Entries that record an event, not a change of data a view shows.
    static let quietActions: Set<String> = ["login", "logout", "login_failed", "locked", "denied"]

    static let actionLabels: [String: String] = [
        "create": "新建", "update": "修改", "delete": "删除", "move": "移动", "close": "撤销", "reopen": "恢复",
        "transfer": "组织关系转接", "import": "批量导入", "login": "登录", "logout": "退出登录", "login_failed": "登录失败",
        "locked": "账号锁定", "denied": "越权拒绝", "grant": "授予角色", "revoke": "收回角色", "password": "重置密码",
        "calendar_set": "设置日历", "calendar_remove": "删除日历项",
        "file": "报送", "dispatch": "派单", "decline": "不予受理", "accept": "接单", "hand_back": "退回社区", "claim": "领单",
        "finish": "办结", "rate": "评价", "confirm": "确认", "approve": "审核通过", "reject": "审核不通过", "settings": "修改设置",
    ]

    static let entityLabels: [String: String] = [
        "org": "组织", "member": "党员", "user": "用户", "session": "会话", "calendar": "工作日历", "audit": "审计日志",
        "meeting": "组织生活记录", "filing": "年度清单与计划", "task": "任务", "points": "积分", "community": "社区",
        "pairing": "共建协议", "service": "社区服务记录", "demand": "群众需求", "settings": "设置",
    ]

    static func actionLabel(_ a: String) -> String { actionLabels[a] ?? a }
    static func entityLabel(_ e: String) -> String { entityLabels[e] ?? e }
}
