import Vapor
import Fluent
import Domain

/// A brand's logo (PNG or JPEG up to 2 MB, the type told by the bytes; never SVG) and the
/// labels of its archive.
enum BrandMedia {
    static let maxLogo = 2 << 20

    static func setLogo(_ b: BrandModel, data: Data, ctx: Ctx) async throws -> BrandModel {
        let actors = try await BrandService.actors(b, ctx: ctx)
        guard actors.contains(.owner) || actors.contains(.committee) else {
            throw await ctx.deny("无权上传：品牌标识由创建组织上传", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
        }
        guard b.stateValue != .revoked else { throw AppError.conflict("品牌已取消，不能再更换标识") }
        guard data.count <= maxLogo else { throw AppError.tooLarge("标识图片不能超过2MB（当前\(String(format: "%.1f", Double(data.count) / 1048576))MB）") }
        guard let kind = AttachmentService.sniff(data), kind == .png || kind == .jpeg else {
            throw AppError.validation(FieldErrors("file", "标识只能是 PNG 或 JPG 图片（按文件内容识别，不接受 SVG 等其他格式）"))
        }
        let a = AttachmentService.make(ownerType: "brand_logo", ownerID: b.id!, orgPath: b.orgPath, slot: nil, name: kind == .png ? "logo.png" : "logo.jpg",
                                       kind: kind, data: data, ctx: ctx)
        let old = b.logoID
        b.logoID = a.id; b.updatedAt = ctx.now
        try await BrandService.save(b, version: b.version, ctx: ctx) { db in
            try await a.create(on: db)
            if let o = old { try await AttachmentModel.query(on: db).filter(\.$id == o).delete() }
            try await BrandService.event(b, kind: "logo", from: nil, to: nil, text: old == nil ? "上传品牌标识" : "更换品牌标识", ctx: ctx, on: db)
            try await ctx.audit(on: db, "upload", "brand", id: b.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath, after: ["logo": String(data.count)])
        }
        return b
    }

    /// The logo inline, with its sniffed type, nosniff and a CSP that runs nothing.
    static func logoResponse(_ b: BrandModel, on db: any Database) async throws -> Response {
        guard let id = b.logoID, let a = try await AttachmentModel.find(id, on: db), a.contentType == "image/png" || a.contentType == "image/jpeg" else {
            throw AppError.notFound("该品牌还没有标识")
        }
        let res = Response(status: .ok, body: .init(data: a.data))
        res.headers.replaceOrAdd(name: .contentType, value: a.contentType)
        res.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        res.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; sandbox")
        res.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return res
    }

    static let eventLabels: [String: String] = [
        "create": "定名", "cultivate": "培育", "submit": "申报", "forward": "机关党委审核", "return": "退回", "accept": "工委受理",
        "expert": "指派专家", "score": "专家评分", "shortlist": "初选", "comment": "公开评议", "suggestion": "优化建议", "name": "命名",
        "confirm": "复核确认", "rectify": "复核整改", "revoke": "取消", "goals": "年度目标", "pair": "共建对子", "activity": "共建活动",
        "logo": "品牌标识", "file": "材料",
    ]
    static func eventLabel(_ k: String) -> String { eventLabels[k] ?? k }
}
