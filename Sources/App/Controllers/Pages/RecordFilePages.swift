import Vapor
import Domain

/// Upload and removal of a meeting's or a task's files from their pages (minutes, photos,
/// evidence): PDF/JPG/PNG told by content, ≤10 MB, at most 20 per record.
enum RecordFilePages {
    static func upload(_ req: Request, kind: String, back: String) async throws -> Response {
        let ctx = try req.ctx()
        let (id, path, label) = try await RecordAPIController.fileOwner(req, kind: kind, write: true)
        struct Upload: Content { var file: File? }
        let u = try? req.content.decode(Upload.self)
        return try await req.flashing(back: back) {
            guard let file = u?.file, file.data.readableBytes > 0 else { throw AppError.validation(FieldErrors("file", "请选择要上传的文件")) }
            let a = try await AttachmentService.addToRecord(ownerType: kind, ownerID: id, orgPath: path, label: label, filename: file.filename, data: Data(buffer: file.data), ctx: ctx)
            return "已上传“\(a.filename)”"
        }
    }

    static func remove(_ req: Request, kind: String, back: String) async throws -> Response {
        let ctx = try req.ctx()
        let (id, _, label) = try await RecordAPIController.fileOwner(req, kind: kind, write: true)
        return try await req.flashing(back: back) {
            try await AttachmentService.removeFromRecord(ownerType: kind, ownerID: id, label: label, attachmentID: req.parameters.get("fileId") ?? "", ctx: ctx)
            return "已删除文件"
        }
    }
}
