import Vapor
import Fluent
import SQLKit
import Domain

/// CLI verbs beside Vapor's own `serve` and `migrate`.
enum Commands {
    static func register(on app: Application) {
        app.asyncCommands.use(DemoCommand(), as: "demo")
        app.asyncCommands.use(UserCommand(), as: "user")
        app.asyncCommands.use(BackupCommand(), as: "backup")
        app.asyncCommands.use(RestoreCommand(), as: "restore")
        app.asyncCommands.use(ImportCommand(), as: "import")
        app.asyncCommands.use(GenerateCommand(), as: "generate")
        app.asyncCommands.use(EvaluateCommand(), as: "evaluate")
    }

    /// The CLI acts as the system administrator; its changes are audited as "命令行".
    static func ctx(_ app: Application) -> Ctx {
        let u = CurrentUser(id: UUID(), username: "cli", displayName: "命令行", memberID: nil,
                            scope: Scope(grants: [Grant(role: .admin, orgID: "", orgPath: "/")]), credentialStamp: "")
        return Ctx(db: app.db, user: u, actor: Audit.Actor(id: nil, name: "命令行", requestID: nil, ip: nil), now: app.clock.now())
    }
}

struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "生成演示数据（江州市直工委、自然资源和规划局），并打印演示账号" }
    func run(using context: CommandContext, signature: Signature) async throws {
        // configure() already seeded because the command is `demo`
        DemoData.printLogins(context.application)
    }
}

struct UserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create") var action: String
        @Option(name: "username") var username: String?
        @Option(name: "role", help: "admin | committeeOfficer | unitOfficer | branchSecretary | groupLeader | member | expert") var role: String?
        @Option(name: "org", help: "授权组织的编码或 id") var org: String?
        @Option(name: "name", help: "显示姓名") var name: String?
        @Option(name: "password", help: "不填则随机生成并打印") var password: String?
    }
    var help: String { "user create --username NAME --role ROLE --org CODE [--name 姓名] [--password 密码]" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "create" else { throw ConfigError("未知操作 \(signature.action)，只支持 create") }
        let pw = signature.password ?? "Dj" + Tokens.random(bytes: 9) + "7"
        do {
            let u = try await UserService.create(["username": signature.username ?? "", "displayName": signature.name ?? signature.username ?? "",
                                                  "password": pw, "role": signature.role ?? "", "org": signature.org ?? ""],
                                                 ctx: Commands.ctx(context.application))
            context.console.print("已创建用户 \(u.username)（\(u.grants.first?.roleValue?.label ?? "")），密码：\(pw)")
        } catch let e as AppError {
            throw ConfigError("创建用户失败：" + e.message)
        }
    }
}

struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "to", help: "备份文件路径") var to: String?
    }
    var help: String { "backup --to FILE：在服务运行时生成一致的 SQLite 在线备份（VACUUM INTO）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard case .sqliteFile = app.appConfig.storage else {
            throw ConfigError("当前使用 PostgreSQL，请用 pg_dump 备份")
        }
        let stamp = AppClock.day(of: app.clock.now()).iso
        let target = signature.to ?? "data/backup-\(stamp).sqlite"
        if FileManager.default.fileExists(atPath: target) { throw ConfigError("备份文件已存在：\(target)") }
        try await app.db.sql.raw("VACUUM INTO \(bind: target)").run()
        context.console.print("备份完成：\(target)")
    }
}

struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "from", help: "备份文件路径") var from: String?
    }
    var help: String { "restore --from FILE：停止服务后，用备份文件替换当前 SQLite 数据库（原库另存为 .before-restore）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard case .sqliteFile(let path) = app.appConfig.storage else { throw ConfigError("当前使用 PostgreSQL，请用 pg_restore 恢复") }
        guard let from = signature.from, FileManager.default.fileExists(atPath: from) else { throw ConfigError("请用 --from 指定存在的备份文件") }
        // a running server holds the database's lock file: replacing the file under it would lose its writes
        guard let lock = DatabaseLock.take(path) else { throw ConfigError("服务正在使用数据库 \(path)：请先停止服务，再执行恢复") }
        defer { lock.release() }
        try await app.asyncShutdownDatabases()
        let fm = FileManager.default
        let aside = path + ".before-restore"
        try? fm.removeItem(atPath: aside)
        if fm.fileExists(atPath: path) { try fm.moveItem(atPath: path, toPath: aside) }
        for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: path + suffix) }
        try fm.copyItem(atPath: from, toPath: path)
        context.console.print("已从 \(from) 恢复到 \(path)；原数据库保存在 \(aside)")
    }
}

struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "kind", help: "orgs | members") var kind: String
        @Argument(name: "file", help: "CSV 或 XLSX 文件") var file: String
    }
    var help: String { "import orgs|members FILE：批量导入（全部成功或全部不导入）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let data = FileManager.default.contents(atPath: signature.file) else { throw ConfigError("读不到文件 \(signature.file)") }
        let table = try Spreadsheet.read(data)
        let ctx = Commands.ctx(context.application)
        // a batch job on its own: a 64 MB page cache per connection (the server keeps 32 MB). A larger
        // one (1.5 GB was tried) holds every new page until the commit but is no faster: the pages go
        // to the WAL either way, and a gigabyte of fresh memory costs its own page faults.
        // DANGJIAN_IMPORT_CACHE_MB changes it.
        try await SQLitePragmas.apply(context.application, cacheMB: Int(Environment.get("DANGJIAN_IMPORT_CACHE_MB") ?? "") ?? 64)
        BatchMemory.keepFreedMemory()
        let started = Date()
        do {
            let n: Int
            switch signature.kind {
            case "orgs": n = try await ImportExport.importOrgs(table, ctx: ctx)
            case "members": n = try await ImportExport.importMembers(table, ctx: ctx)
            default: throw ConfigError("只能导入 orgs 或 members")
            }
            let secs = Date().timeIntervalSince(started)
            context.console.print("导入成功：\(n) 行，用时 \(String(format: "%.2f", secs)) 秒（\(Int(Double(n) / max(secs, 0.001))) 行/秒）")
        } catch AppError.importRejected(let rows) {
            var lines = ["导入失败，未导入任何数据。共 \(rows.count) 处错误："]
            for r in rows.prefix(50) { lines.append("  第\(r.row)行 [\(r.column)] \(r.message)") }
            throw ConfigError(lines.joined(separator: "\n"))
        }
    }
}

struct GenerateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "branches", help: "党支部数（默认 20000）") var branches: Int?
        @Option(name: "members", help: "党员数（默认 500000）") var members: Int?
        @Option(name: "years", help: "年数（默认 3，含今年）") var years: Int?
        @Option(name: "seed", help: "随机种子（默认 1）；相同种子生成相同数据") var seed: Int?
        @Option(name: "to", help: "SQLite 文件（设置了 DATABASE_URL 时写入该 PostgreSQL 库）") var to: String?
    }
    var help: String { "generate --branches N --members M --years Y --seed S --to FILE：生成省级规模的测试数据" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var o = Generator.Options()
        if let b = signature.branches { o.branches = b }
        if let m = signature.members { o.members = m }
        if let y = signature.years { o.years = y }
        if let s = signature.seed { o.seed = UInt64(truncatingIfNeeded: s) }
        guard o.branches >= 1, o.members >= o.branches, (1...10).contains(o.years) else {
            throw ConfigError("参数无效：党支部数至少 1，党员数不少于党支部数，年数 1 到 10")
        }
        let ctx = Commands.ctx(app)
        let started = Date()
        let console = context.console
        var g = Generator(db: app.db, options: o, today: ctx.today, log: { line in console.print(line) })
        if case .sqliteFile = app.appConfig.storage { try await app.db.sql.raw("PRAGMA synchronous=OFF").run() }
        let counts = try await g.run(ctx: ctx)
        // the per-org summaries kept beside the rows (R-18's meeting tallies) come from what was generated
        try await app.db.transaction { db in try await MeetingTallies.rebuildAll(on: db) }
        console.print("meeting_tallies: 已按组织和年度汇总")
        if case .sqliteFile = app.appConfig.storage {
            try await app.db.sql.raw("PRAGMA synchronous=NORMAL").run()
            try await app.db.sql.raw("ANALYZE").run()
            try await app.db.sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        } else {
            try await app.db.sql.raw("ANALYZE").run()
        }
        let secs = Date().timeIntervalSince(started)
        let rows = counts.values.reduce(0, +)
        var json = counts
        json["seconds"] = Int(secs.rounded())
        json["rowsPerSecond"] = Int(Double(rows) / max(secs, 0.001))
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        console.print("generated: " + String(decoding: data, as: UTF8.self))
    }
}

struct EvaluateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "year", help: "年度（默认今年）") var year: Int?
        @Flag(name: "scan-sql", help: "只打印读取同样数据的一条聚合 SQL（扫描基线）") var scanSQL: Bool
    }
    var help: String { "evaluate --year Y：计算全库一个年度的评星结果（计算项、R-6 星级、R-7 模范机关），打印用时" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let ctx = Commands.ctx(context.application)
        let year = signature.year ?? ctx.today.year
        if signature.scanSQL { context.console.print(YearEvaluation.scanSQL(year: year)); return }
        let s = try await YearEvaluation.run(year: year, ctx: ctx)
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        context.console.print("evaluate: " + String(decoding: try e.encode(s), as: UTF8.self))
    }
}

/// An advisory lock beside the SQLite file (`FILE.lock`, flock): `serve` holds it while it runs,
/// `restore` needs it free.
final class DatabaseLock: @unchecked Sendable {
    private let fd: Int32
    private init(fd: Int32) { self.fd = fd }

    static func take(_ dbPath: String) -> DatabaseLock? {
        let fd = open(dbPath + ".lock", O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return nil }
        return DatabaseLock(fd: fd)
    }

    func release() { flock(fd, LOCK_UN); close(fd) }
}

extension Application {
    func asyncShutdownDatabases() async throws {
        await databases.shutdownAsync()
    }
}
