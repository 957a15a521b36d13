import Vapor
import Fluent
import Crypto
import Domain

/// Evidence files: PDF, JPEG or PNG, at most 10 MB, the type told by the bytes (never by the
/// name or the declared type), kept in the database and served as a download with that type.
enum AttachmentService {
    static let maxBytes = 10 << 20

    enum Kind: String { case pdf = "application/pdf", jpeg = "image/jpeg", png = "image/png" }

    static func sniff(_ data: Data) -> Kind? {
        if data.starts(with: [0x25, 0x50, 0x44, 0x46, 0x2D]) { return .pdf }                     // %PDF-
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    static func check(filename: String, data: Data) throws -> (name: String, kind: Kind) {
        guard !data.isEmpty else { throw AppError.badRequest("文件是空的", field: "file") }
        guard data.count <= maxBytes else { throw AppError.tooLarge("文件不能超过10MB（当前\(data.count / 1024 / 1024)MB）") }
        guard let kind = sniff(data) else { throw AppError.validation(FieldErrors("file", "只能上传 PDF、JPG 或 PNG 文件（按文件内容识别）")) }
        var name = filename.trimmingSpaces.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
        name = String(name.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" }.map(Character.init))
        if name.isEmpty { name = "佐证材料" }
        if name.unicodeScalars.count > 100 { name = String(name.prefix(100)) }
        return (name, kind)
    }

    /// Adds evidence to a criterion of a draft application.
    static func addToRating(_ r: RatingModel, criterion: String, filename: String, data: Data, ctx: Ctx) async throws -> AttachmentModel {
        try await RatingService.requireBranch(r, ctx: ctx, "只有本支部书记可以上传佐证材料")
        guard r.stageValue == .draft else { throw AppError.conflict("当前状态为“\(r.stageValue.label)”，不能再上传材料") }
        let scheme = try await RatingService.scheme(for: r, on: ctx.db)
        guard scheme.criterion(criterion) != nil else { throw AppError.validation(FieldErrors("criterion", "请选择材料对应的评星标准")) }
        let (name, kind) = try check(filename: filename, data: data)
        var answers = r.answerMap
        guard (answers[criterion]?.attachments.count ?? 0) < 20 else { throw AppError.conflict("每条标准最多上传20个文件", field: "file") }
        let a = make(ownerType: "rating", ownerID: r.id!, orgPath: r.branchPath, slot: criterion, name: name, kind: kind, data: data, ctx: ctx)
        var ans = answers[criterion] ?? CriterionAnswer()
        ans.attachments.append(a.idString)
        answers[criterion] = ans
        r.setAnswers(answers)
        try await RatingService.save(r, ctx: ctx) { db in
            try await a.create(on: db)
            try await ctx.audit(on: db, "upload", "rating", id: r.idString, label: "\(r.year)年\(r.branchName)", orgID: r.branchID, orgPath: r.branchPath,
                                after: ["file": name, "size": String(data.count), "criterion": criterion])
        }
        return a
    }

    static func removeFromRating(_ r: RatingModel, attachmentID: String, ctx: Ctx) async throws {
        try await RatingService.requireBranch(r, ctx: ctx, "只有本支部书记可以删除佐证材料")
        guard r.stageValue == .draft else { throw AppError.conflict("当前状态为“\(r.stageValue.label)”，不能再删除材料") }
        let id = try attachmentID.uuid(or: "文件不存在")
        guard let a = try await AttachmentModel.find(id, on: ctx.db), a.ownerID == r.id else { throw AppError.notFound("文件不存在") }
        var answers = r.answerMap
        for k in answers.keys { answers[k]?.attachments.removeAll { $0 == a.idString } }
        r.setAnswers(answers)
        try await RatingService.save(r, ctx: ctx) { db in
            try await a.delete(on: db)
            try await ctx.audit(on: db, "delete", "attachment", id: a.idString, label: a.filename, orgID: r.branchID, orgPath: r.branchPath)
        }
    }

    static func make(ownerType: String, ownerID: UUID, orgPath: String, slot: String?, name: String, kind: Kind, data: Data, ctx: Ctx) -> AttachmentModel {
        let a = AttachmentModel()
        a.id = UUID(); a.ownerType = ownerType; a.ownerID = ownerID; a.orgPath = orgPath; a.slot = slot; a.filename = name
        a.contentType = kind.rawValue; a.size = data.count; a.sha256 = SHA256.hash(data: data).hex; a.data = data; a.uploadedBy = ctx.actor.name
        return a
    }

    /// Who may download: a rating's evidence with the ratings, a record's files with the records
    /// (and a task's owner with their task).
    static func find(_ id: String, ctx: Ctx) async throws -> AttachmentModel {
        let uuid = try id.uuid(or: "文件不存在")
        guard let a = try await AttachmentModel.find(uuid, on: ctx.db) else { throw AppError.notFound("文件不存在") }
        if a.ownerType == "task", let t = try await TaskModel.find(a.ownerID, on: ctx.db), t.ownerMemberID != nil, t.ownerMemberID == ctx.user.memberID { return a }
        if ["brand", "brand_logo"].contains(a.ownerType), let b = try await BrandModel.find(a.ownerID, on: ctx.db) {
            // a brand's files go with the brand (its experts and, once named, everyone signed in read them)
            guard try await BrandService.canRead(b, ctx: ctx) else { throw await ctx.deny("无权下载：该品牌不在您的管理范围内", entity: "attachment", id: a.idString, label: a.filename) }
            return a
        }
        let action: Action = a.ownerType == "rating" ? .readRatings : ["problem", "report"].contains(a.ownerType) ? .readSupervision : .readRecords
        try await ctx.require(action, at: a.orgPath, entity: "attachment", id: a.idString, label: a.filename)
        return a
    }

    /// Photos, minutes and evidence of a meeting or a task (at most 20 each).
    static func addToRecord(ownerType: String, ownerID: UUID, orgPath: String, label: String, filename: String, data: Data, ctx: Ctx) async throws -> AttachmentModel {
        let (name, kind) = try check(filename: filename, data: data)
        guard try await AttachmentModel.query(on: ctx.db).filter(\.$ownerType == ownerType).filter(\.$ownerID == ownerID).count() < 20 else {
            throw AppError.conflict("每条记录最多上传20个文件", field: "file")
        }
        let a = make(ownerType: ownerType, ownerID: ownerID, orgPath: orgPath, slot: nil, name: name, kind: kind, data: data, ctx: ctx)
        try await ctx.db.transaction { db in
            try await a.create(on: db)
            try await ctx.audit(on: db, "upload", ownerType, id: ownerID.uuidString.lowercased(), label: label, orgID: nil, orgPath: orgPath,
                                after: ["file": name, "size": String(data.count)])
        }
        return a
    }

    static func removeFromRecord(ownerType: String, ownerID: UUID, label: String, attachmentID: String, ctx: Ctx) async throws {
        let id = try attachmentID.uuid(or: "文件不存在")
        guard let a = try await AttachmentModel.find(id, on: ctx.db), a.ownerType == ownerType, a.ownerID == ownerID else { throw AppError.notFound("文件不存在") }
        try await ctx.db.transaction { db in
            try await a.delete(on: db)
            try await ctx.audit(on: db, "delete", "attachment", id: a.idString, label: "\(label)：\(a.filename)", orgID: nil, orgPath: a.orgPath)
        }
    }

    struct FileRow: Encodable, Content { var id: String; var filename: String; var size: Int; var contentType: String }

    static func files(ownerType: String, ownerID: UUID, on db: any Database) async throws -> [FileRow] {
        try await AttachmentModel.query(on: db).filter(\.$ownerType == ownerType).filter(\.$ownerID == ownerID)
            .field(\.$id).field(\.$filename).field(\.$size).field(\.$contentType).sort(\.$createdAt).all()
            .map { FileRow(id: $0.idString, filename: $0.filename, size: $0.size, contentType: $0.contentType) }
    }

    static func names(_ ids: [String], on db: any Database) async throws -> [String: (String, Int)] {
        let uuids = ids.compactMap(UUID.init(uuidString:))
        if uuids.isEmpty { return [:] }
        let rows = try await AttachmentModel.query(on: db).filter(\.$id ~~ uuids).field(\.$id).field(\.$filename).field(\.$size).all()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.idString, ($0.filename, $0.size)) })
    }

    static func download(_ a: AttachmentModel) -> Response {
        let res = Response(status: .ok, body: .init(data: a.data))
        res.headers.replaceOrAdd(name: .contentType, value: a.contentType)
        let enc = a.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
        res.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"evidence\"; filename*=UTF-8''\(enc)")
        res.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        res.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return res
    }
}
