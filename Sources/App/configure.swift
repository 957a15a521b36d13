import Vapor
import Fluent
import FluentSQLiteDriver
import FluentPostgresDriver
import Leaf
import LeafKit
import Domain

/// Sets up storage, migrations, templates, sessions and routes. Migrations run on start.
func configure(_ app: Application, demo: Bool = false, demoRecords: Bool = true, storage: AppConfig.Storage? = nil, clock: AppClock? = nil) async throws {
    if app.environment == .testing { app.logger.logLevel = .warning }
    var config = try AppConfig.fromEnvironment(app.environment, demo: demo)
    if let storage { config.storage = storage }
    app.appConfig = config
    if let clock { app.clock = clock } else if let d = config.fixedToday { app.clock = .fixed(d) }
    if config.movableClock {
        let m = MovableClock(start: app.clock.now())
        app.movableClock = m
        app.clock = m.clock
        app.logger.warning("测试模式：可通过 POST /__test/clock 调整系统日期（DANGJIAN_TEST_CLOCK=1），切勿用于生产环境")
    }

    switch config.storage {
    case .sqliteFile(let path):
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: .sqlite)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, sqlLogLevel: nil), as: .sqlite)
    case .postgres(let url):
        app.databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: 4, sqlLogLevel: .debug), as: .psql)
    }
    if case .sqliteFile = config.storage {
        // WAL lets readers run while one writer writes; foreign keys are on by default in SQLiteKit.
        try await app.db.sql.raw("PRAGMA journal_mode=WAL").run()
        // The rest is per connection, and the pool keeps one connection per event loop: set it on
        // each (it was set on one only). NORMAL: in WAL mode a commit survives a crash of the
        // process (the crash test kills it 20 times), and a power cut loses at most the last
        // commits, never consistency. A 32 MB page cache (default 2 MB) keeps the indexes of a
        // province-sized file (2 GB) in memory for imports and whole-scope pages.
        try await SQLitePragmas.apply(app, cacheMB: 32)
    }

    let seedFile = app.directory.resourcesDirectory + "calendar/cn-holidays.csv"
    guard let text = try? String(contentsOfFile: seedFile, encoding: .utf8) else {
        throw ConfigError("找不到工作日历数据文件 \(seedFile)；请在项目根目录运行")
    }
    Migrations.register(on: app, calendarSeed: try WorkingCalendar.parseCSV(text))
    app.complaintLimiter = RateLimiter(limit: 5, window: 3600)
    app.demandLimiter = RateLimiter(limit: 10, window: 3600)
    app.brandCommentLimiter = RateLimiter(limit: 20, window: 60)
    try await app.autoMigrate()

    // Parsed templates are kept. Leaf's own provider turns its cache off in the development
    // environment, which `serve` runs in by default: every page was lexed and parsed again (a fifth
    // of its time). DANGJIAN_TEMPLATE_RELOAD=1 reads them from disk on every render while editing.
    let keepTemplates = Environment.get("DANGJIAN_TEMPLATE_RELOAD") != "1"
    app.views.use { app in
        var userInfo = app.leaf.userInfo
        userInfo["application"] = app
        var cache = app.leaf.cache
        cache.isEnabled = keepTemplates
        return LeafRenderer(configuration: app.leaf.configuration, tags: app.leaf.tags, cache: cache, sources: app.leaf.sources,
                            eventLoop: app.eventLoopGroup.next(), userInfo: userInfo)
    }
    app.routes.defaultMaxBodySize = "1mb"
    // large pages (a 2,000-node tree, long lists) shrink ~15× with gzip
    app.http.server.configuration.responseCompression = .enabled(allowRequestOverrides: true)   // kept pages come gzipped already (KeptPage)
    app.sessions.use { app in QuietSessions(inner: app.fluent.sessions.driver()) }
    app.sessions.configuration.cookieName = "dangjian_session"
    let secure = config.secureCookies
    // Max-Age rather than Expires: the cookie is set again on every response, and Vapor formats an
    // Expires date with a new DateFormatter each time (a tenth of a cached page's CPU)
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, expires: nil, maxAge: 60 * 60 * 12, domain: nil,
                          path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    // created here, before requests run, not lazily by the first concurrent readers
    app.viewCache = ViewCache(stamp: DatabaseStamp.make(app, storage: config.storage))
    app.userCache = Application.newUserCache()
    app.middleware = .init()
    if app.environment != .testing { app.middleware.use(SafeRouteLoggingMiddleware(logLevel: .info)) }
    // outside the error middleware, so error pages and JSON errors carry the headers too
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(DataVersionMiddleware())
    app.middleware.use(AppErrorMiddleware())
    app.middleware.use(RequestHygieneMiddleware())
    app.middleware.use(MethodNotAllowedMiddleware())
    app.middleware.use(StaticFilesMiddleware(files: FileMiddleware(publicDirectory: app.directory.publicDirectory, defaultFile: nil)))

    try OpenAPI.load(app)
    if config.demo { try await DemoData.seed(app, records: demoRecords) }
    try routes(app)
    MethodNotAllowedMiddleware.build(app)
}

/// Conservative headers for every answer.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: req)
        res.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        res.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        if res.headers.contentType == .html {
            res.headers.replaceOrAdd(name: "Content-Security-Policy",
                                     value: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
            res.headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        }
        return res
    }
}

enum SQLitePragmas {
    /// Per-connection settings, on every pooled connection (one per event loop).
    static func apply(_ app: Application, cacheMB: Int) async throws {
        guard case .sqliteFile = app.appConfig.storage else { return }
        for loop in app.eventLoopGroup.makeIterator() {
            let db = app.databases.database(.sqlite, logger: app.logger, on: loop)!
            for pragma in ["PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-\(cacheMB * 1024)", "PRAGMA temp_store=MEMORY"] {
                try await db.sql.raw(SQLQueryString(pragma)).run()
            }
        }
    }
}
