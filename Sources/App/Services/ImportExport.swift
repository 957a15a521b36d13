import Vapor
import Fluent
import Domain

/// Bulk import (all or nothing, every bad row named) and export of the org tree and the member roll.
/// The export uses the import's columns so an exported file can be edited and imported again.
enum ImportExport {
    static let orgLayout = ImportLayout(columns: [
        ImportColumn("code", "组织编码", required: true, example: "B101", aliases: ["编码", "code"]),
        ImportColumn("name", "组织名称", required: true, example: "规划科党支部", aliases: ["名称", "name"]),
        ImportColumn("type", "组织类型", required: true, example: "党支部", aliases: ["类型", "type"]),
        ImportColumn("parent", "上级组织编码", example: "U1", aliases: ["上级编码", "parent"]),
        ImportColumn("foundedOn", "成立日期", example: "2015-07-01"),
        ImportColumn("termStart", "本届开始日期", example: "2024-06-28"),
        ImportColumn("termYears", "任期(年)", example: "3", aliases: ["任期", "任期（年）"]),
        ImportColumn("secretary", "书记", example: "王建国"),
    ])

    static let memberLayout = ImportLayout(columns: [
        ImportColumn("name", "姓名", required: true, example: "李明"),
        ImportColumn("gender", "性别", required: true, example: "男"),
        ImportColumn("birthDate", "出生日期", example: "1985-03-12"),
        ImportColumn("status", "政治面貌", required: true, example: "正式党员"),
        ImportColumn("joinDate", "入党日期", example: "2008-07-01"),
        ImportColumn("org", "所在支部编码", required: true, example: "B101", aliases: ["支部编码", "所在支部"]),
        ImportColumn("group", "党小组编码", example: "B101-G1", aliases: ["小组编码"]),
        ImportColumn("post", "党内职务", example: "组织委员", aliases: ["职务"]),
        ImportColumn("phone", "手机号", example: "13800001234", aliases: ["电话", "联系电话"]),
        ImportColumn("retired", "是否退休", example: "否", aliases: ["退休"]),
        ImportColumn("hardship", "是否困难党员", example: "否", aliases: ["困难", "生活困难"]),
    ])

    /// A template: headers (required ones marked *) and one example row.
    static func template(_ layout: ImportLayout) -> SheetTable {
        SheetTable(rows: [layout.columns.map { $0.header + ($0.required ? "*" : "") }, layout.columns.map(\.example)])
    }

    static func rowErrors(_ row: Int, _ e: FieldErrors, _ layout: ImportLayout) -> [RowError] {
        e.order.map { RowError(row: row, column: layout.header(of: $0), message: e[$0]!) }
    }

    // MARK: orgs

    static func importOrgs(_ table: SheetTable, ctx: Ctx) async throws -> Int {
        let layout = orgLayout
        let rows: [(row: Int, fields: [String: String])]
        switch layout.rows(of: table.rows) { case .success(let r): rows = r; case .failure(let e): throw AppError.importRejected(e.rows) }
        guard rows.count <= 20_000 else { throw AppError.importRejected([RowError(row: 1, column: "", message: "一次最多导入20000个组织")]) }
        var errors: [RowError] = []
        var drafts: [(Int, OrgDraft)] = []
        var seen: [String: Int] = [:]
        for (row, f) in rows {
            switch OrgDraft.validate(f, today: ctx.today) {
            case .failure(let e): errors += rowErrors(row, e, layout)
            case .success(let d):
                if let first = seen[d.code] { errors.append(RowError(row: row, column: "组织编码", message: "编码“\(d.code)”与第\(first)行重复")); continue }
                seen[d.code] = row
                drafts.append((row, d))
            }
        }
        let existing = try await OrgModel.query(on: ctx.db).all()
        let byCode = Dictionary(existing.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        for (row, d) in drafts where byCode[d.code] != nil {
            errors.append(RowError(row: row, column: "组织编码", message: "编码“\(d.code)”已存在于系统中"))
        }
        // Place rows parent-first: a row may name a parent from the file (in any order) or from the system.
        var placed: [String: (path: String, depth: Int, type: OrgType)] = [:]
        var models: [OrgModel] = []
        var pending = drafts.filter { byCode[$0.1.code] == nil }
        var progress = true
        while progress && !pending.isEmpty {
            progress = false
            var next: [(Int, OrgDraft)] = []
            for (row, d) in pending {
                var parentPath: String?, parentDepth = -1, parentType: OrgType?, parentID: UUID?
                if let ref = d.parentRef {
                    if let p = byCode[ref] {
                        guard p.orgStatus == .active else { errors.append(RowError(row: row, column: "上级组织编码", message: "上级组织“\(p.name)”已撤销")); progress = true; continue }
                        guard ctx.scope.allows(.writeOrgs, at: p.path) else {
                            errors.append(RowError(row: row, column: "上级组织编码", message: "上级组织“\(p.name)”不在您的管理范围内")); progress = true; continue
                        }
                        parentPath = p.path; parentDepth = p.depth; parentType = p.orgType; parentID = p.id
                    } else if let p = placed[ref] {
                        parentPath = p.path; parentDepth = p.depth; parentType = p.type
                        parentID = UUID(uuidString: String(p.path.dropLast().split(separator: "/").last!))
                    } else if seen[ref] != nil {
                        next.append((row, d)); continue   // its parent is a later row: try again next round
                    } else {
                        errors.append(RowError(row: row, column: "上级组织编码", message: "上级组织编码“\(ref)”在文件和系统中都不存在")); progress = true; continue
                    }
                } else if !ctx.scope.isAdmin {
                    errors.append(RowError(row: row, column: "上级组织编码", message: "只有系统管理员可以导入顶层组织，请填写上级组织编码")); progress = true; continue
                }
                guard d.type.canBeChild(of: parentType) else {
                    errors.append(RowError(row: row, column: "组织类型", message: parentType == nil ? "顶层组织只能是党委/工委" : "\(d.type.label)不能设在\(parentType!.label)之下"))
                    progress = true; continue
                }
                let o = OrgModel()
                let id = UUID()
                o.id = id; o.apply(d); o.parentID = parentID
                o.path = OrgModel.childPath(parentPath: parentPath, id: id); o.depth = parentDepth + 1
                o.status = OrgStatus.active.rawValue
                placed[d.code] = (o.path, o.depth, d.type)
                models.append(o)
                progress = true
            }
            pending = next
        }
        for (row, d) in pending { errors.append(RowError(row: row, column: "上级组织编码", message: "上级组织编码“\(d.parentRef ?? "")”形成循环引用或无法确定")) }
        if !errors.isEmpty { throw AppError.importRejected(errors.sorted { ($0.row, $0.column) < ($1.row, $1.column) }) }
        let sorted = models.sorted { $0.depth < $1.depth }
        try await ctx.db.transaction { db in
            for chunk in sorted.chunked(500) {
                try await chunk.create(on: db)
                let audits = chunk.map { o in auditEntry(ctx, "import", "org", id: o.idString, label: o.name, orgID: o.id, orgPath: o.path, after: OrgDTO.snapshot(o)) }
                try await audits.create(on: db)
            }
        }
        DataVersion.bump()     // committed: views computed before are stale
        return sorted.count
    }

    // MARK: members

    static func importMembers(_ table: SheetTable, ctx: Ctx) async throws -> Int {
        let layout = memberLayout
        // the org tree is read while the rows are laid out
        async let orgsRead = OrgModel.query(on: ctx.db).all()
        let rows: [(row: Int, fields: LaidOutRow)]
        switch layout.lines(of: table.rows) { case .success(let r): rows = r; case .failure(let e): throw AppError.importRejected(e.rows) }
        guard rows.count <= 1_000_000 else { throw AppError.importRejected([RowError(row: 1, column: "", message: "一次最多导入100万名党员")]) }
        let orgs = try await orgsRead
        let byCode = Dictionary(orgs.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let byID = Dictionary(orgs.compactMap { o in o.id.map { ($0, o) } }, uniquingKeysWith: { a, _ in a })
        // imports name orgs by code only
        let lookup = MemberService.OrgLookup(byRef: { byCode[$0] }, byID: { byID[$0] })
        // Rows are written in tree order, with time-ordered ids: each index then grows at a few
        // places instead of half a million random ones (the order of the rows in the file means nothing).
        let rank = Dictionary(orgs.map { ($0.path, $0.id!) }.sorted { $0.0 < $1.0 }.enumerated().map { ($1.1, $0) }, uniquingKeysWith: { a, _ in a })
        let today = ctx.today, scope = ctx.scope
        // Every row checked, on two cores at once (each half stops at 1,000 errors). A file names a
        // few thousand branches for half a million rows: each (branch, group) pair is placed and
        // checked against the user's scope once.
        @Sendable func check(_ part: ArraySlice<(row: Int, fields: LaidOutRow)>) async throws -> (placed: [(MemberDraft, Placement)], errors: [RowError]) {
            var errors: [RowError] = []
            var placed: [(MemberDraft, Placement)] = []
            placed.reserveCapacity(part.count)
            var known: [PlacementKey: PlacementOutcome] = [:]
            rows: for (row, f) in part {
                let d: MemberDraft
                switch MemberDraft.validate(f, today: today) {
                case .failure(let e):
                    errors += rowErrors(row, e, layout)
                    if e["org"] == nil, let code = f["org"]?.trimmingSpaces, !code.isEmpty, byCode[code] == nil {
                        errors.append(RowError(row: row, column: layout.header(of: "org"), message: "所在支部“\(code)”不存在"))
                    }
                    if errors.count >= 1000 { break rows }
                    continue
                case .success(let v): d = v
                }
                let key = PlacementKey(org: d.orgRef, group: d.groupRef)
                let outcome: PlacementOutcome
                if let k = known[key] { outcome = k } else {
                    do {
                        let (org, group) = try await MemberService.placement(d, lookup: lookup)
                        if scope.allows(.writeMembers, at: org.path) {
                            let orgID = org.id!, path = group?.path ?? org.path
                            outcome = .placed(Placement(orgID: orgID, groupID: group?.id, path: path, rank: rank[group?.id ?? orgID] ?? orgs.count))
                        } else {
                            outcome = .outOfScope(org.name)
                        }
                    } catch let AppError.validation(fe) {
                        outcome = .invalid(fe)
                    }
                    known[key] = outcome
                }
                switch outcome {
                case .placed(let p): placed.append((d, p))
                case .invalid(let fe):
                    errors += rowErrors(row, fe, layout)
                    if errors.count >= 1000 { break rows }
                case .outOfScope(let name):
                    errors.append(RowError(row: row, column: "所在支部编码", message: "“\(name)”不在您的管理范围内"))
                    if errors.count >= 1000 { break rows }
                }
            }
            return (placed, errors)
        }
        let half = rows.count / 2
        async let first = check(rows[..<half])
        let second = try await check(rows[half...])
        let (a, b) = try await (first, second)
        var errors = a.errors + b.errors
        if !errors.isEmpty {
            if errors.count >= 1000 {
                errors = Array(errors.prefix(1000))
                errors.append(RowError(row: 0, column: "", message: "错误过多，仅显示前1000处"))
            }
            throw AppError.importRejected(errors)
        }
        let placed = a.placed + b.placed
        // (one bucket per org: no comparisons)
        var buckets = [[Int]](repeating: [], count: orgs.count + 1)
        for (k, p) in placed.enumerated() { buckets[p.1.rank].append(k) }
        let order = buckets.flatMap { $0 }
        var memberIDs = TimeOrderedIDs(now: ctx.now), auditIDs = TimeOrderedIDs(now: ctx.now)
        let ids = order.map { _ in (memberIDs.next(), auditIDs.next()) }
        // The next chunk's rows (the audit snapshot's JSON, every value as the driver takes it) are
        // built on one core while the database writes this one on the other.
        let now = ctx.now, actor = ctx.actor, db = ctx.db
        let chunks = Array(stride(from: 0, to: order.count, by: 2_000).map { $0..<min($0 + 2_000, order.count) })
        @Sendable func build(_ i: Int) -> (members: BulkInsert.Prepared, audits: BulkInsert.Prepared) {
            var members: [BulkInsert.Row] = [], audits: [BulkInsert.Row] = []
            members.reserveCapacity(chunks[i].count); audits.reserveCapacity(chunks[i].count)
            for k in chunks[i] {
                let (d, p) = placed[order[k]], (id, auditID) = ids[k]
                members.append([.uuid(id), .text(d.name), .text(d.gender.rawValue), .text(d.birthDate?.iso), .text(d.status.rawValue),
                                .text(d.joinDate?.iso), .uuid(p.orgID), .text(p.path), .uuid(p.groupID), .text(d.post), .text(d.phone),
                                .bool(d.retired), .bool(d.hardship), .date(now), .date(now)])
                audits.append(Audit.row(auditID, actor: actor, at: now, action: "import", entity: "member", id: id.text(lowercase: true), label: d.name,
                                        orgID: p.orgID, orgPath: p.path, after: MemberDTO.snapshot(d, orgID: p.orgID, groupID: p.groupID), note: "批量导入"))
            }
            return (BulkInsert.Prepared(members, width: BulkInsert.memberColumns.count, for: db),
                    BulkInsert.Prepared(audits, width: BulkInsert.auditColumns.count, for: db))
        }
        try await ctx.db.transaction { db in
            var next: Task<(members: BulkInsert.Prepared, audits: BulkInsert.Prepared), Never>? = chunks.isEmpty ? nil : Task { build(0) }
            var i = 0
            while let pending = next {
                let rows = await pending.value
                next = i + 1 < chunks.count ? Task { [i] in build(i + 1) } : nil
                try await BulkInsert.insert(db, into: MemberModel.schema, columns: BulkInsert.memberColumns, rows.members)
                try await BulkInsert.insert(db, into: AuditEntryModel.schema, columns: BulkInsert.auditColumns, rows.audits)
                i += 1
            }
        }
        DataVersion.bump()
        return placed.count
    }

    /// Where an imported member goes: its branch, its 党小组 if any, the path it is kept under and
    /// its branch's place in tree order.
    struct Placement: Sendable { let orgID: UUID, groupID: UUID?, path: String, rank: Int }
    private struct PlacementKey: Hashable { let org: String, group: String? }
    private enum PlacementOutcome { case placed(Placement), invalid(FieldErrors), outOfScope(String) }

    static func auditEntry(_ ctx: Ctx, _ action: String, _ entity: String, id: String, label: String, orgID: UUID?, orgPath: String, after: [String: String]) -> AuditEntryModel {
        let e = AuditEntryModel()
        e.at = ctx.now; e.actorID = ctx.actor.id; e.actorName = ctx.actor.name; e.action = action; e.entityType = entity
        e.entityID = id; e.entityLabel = label; e.orgID = orgID; e.orgPath = orgPath; e.after = Audit.json(after)
        e.requestID = ctx.actor.requestID; e.ip = ctx.actor.ip; e.note = action == "import" ? "批量导入" : nil
        return e
    }

    // MARK: export

    static func exportOrgs(ctx: Ctx) async throws -> SheetTable {
        let orgs = try await OrgService.all(ctx: ctx)
        let byID = Dictionary(orgs.compactMap { o in o.id.map { ($0, o) } }, uniquingKeysWith: { a, _ in a })
        var rows = [orgLayout.headers + ["状态", "换届到期日", "换届状态"]]
        for o in orgs {
            let due = o.termDue(today: ctx.today)
            rows.append([o.code, o.name, o.orgType.label, o.parentID.flatMap { byID[$0]?.code } ?? "", o.foundedOn ?? "", o.termStart ?? "",
                         o.termYears.map(String.init) ?? "", o.secretary ?? "", o.orgStatus.label, due.dueDate?.iso ?? "", due.status.label])
        }
        return SheetTable(rows: rows)
    }

    static func exportMembers(ctx: Ctx, filter: MemberService.Filter) async throws -> SheetTable {
        let (members, _) = try await MemberService.list(ctx: ctx, filter: filter, paging: Paging(page: 1, per: 2_000_000))
        let orgs = try await OrgModel.query(on: ctx.db).all()
        let byID = Dictionary(orgs.compactMap { o in o.id.map { ($0, o) } }, uniquingKeysWith: { a, _ in a })
        var rows = [memberLayout.headers + ["所在支部名称"]]
        for m in members {
            let full = MemberService.mayReadDetails(m, ctx: ctx)
            rows.append([m.name, m.genderValue.label, full ? (m.birthDate ?? "") : "", m.politicalStatus.label, m.joinDate ?? "",
                         byID[m.$org.id]?.code ?? "", m.$group.id.flatMap { byID[$0]?.code } ?? "", m.post ?? "",
                         full ? (m.phone ?? "") : Privacy.maskPhone(m.phone), m.retired ? "是" : "否", m.hardship ? "是" : "否",
                         byID[m.$org.id]?.name ?? ""])
        }
        return SheetTable(rows: rows)
    }

    /// Answers a table as a download.
    static func download(_ table: SheetTable, name: String, format: String) throws -> Response {
        let data: Data, type: String
        if format == "xlsx" {
            data = try XLSX.write(sheetName: name, table: table)
            type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        } else {
            data = CSV.write(table)
            type = "text/csv; charset=utf-8"
        }
        let res = Response(status: .ok, body: .init(data: data))
        res.headers.replaceOrAdd(name: .contentType, value: type)
        let file = "\(name).\(format)"
        let encoded = file.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "export.\(format)"
        res.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"export.\(format)\"; filename*=UTF-8''\(encoded)")
        return res
    }
}

extension Paging {
    init(page: Int, per: Int) { self.page = page; self.per = per }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
