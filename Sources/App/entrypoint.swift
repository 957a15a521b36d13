import Vapor
import Logging

/// Starts the app: `serve [--hostname --port --demo]`, `migrate`, `demo`, `user create`, `backup`, `import`.
public enum Entrypoint {
    /// Runs the command line; false when it failed (the reason is already printed).
    public static func run() async -> Bool {
        do {
            try await main()
            return true
        } catch let e as AppError {
            FileHandle.standardError.write(Data("错误：\(e.message)\n".utf8))
        } catch let e as ConfigError {
            FileHandle.standardError.write(Data("\(e.description)\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("错误：\(error)\n".utf8))
        }
        return false
    }

    /// The address `serve` will listen on, from its --hostname/-H and --port/-p options.
    static func address(_ args: [String]) -> String {
        func value(_ names: [String]) -> String? {
            guard let i = args.firstIndex(where: { names.contains($0) }), i + 1 < args.count else { return nil }
            return args[i + 1]
        }
        return "http://\(value(["--hostname", "-H"]) ?? "127.0.0.1"):\(value(["--port", "-p"]) ?? "8080")"
    }

    static func main() async throws {
        var args = CommandLine.arguments
        // `--demo` belongs to us, not to Vapor's serve command.
        let demo = args.contains("--demo")
        args.removeAll { $0 == "--demo" }
        if args.count == 1 { args.append("serve") }
        var env = try Environment.detect(arguments: args)
        try LoggingSystem.bootstrap(from: &env)
        let app = try await Application.make(env)
        do {
            let command = args.count > 1 ? args[1] : "serve"
            // `generate --to FILE` writes a new SQLite file (unless DATABASE_URL names a PostgreSQL database)
            var storage: AppConfig.Storage? = nil
            if command == "generate", Environment.get("DATABASE_URL") == nil,
               let i = args.firstIndex(of: "--to"), i + 1 < args.count { storage = .sqliteFile(args[i + 1]) }
            try await configure(app, demo: demo || command == "demo", storage: storage)
            Commands.register(on: app)
            // one server per SQLite file; `restore` refuses while it runs
            var lock: DatabaseLock? = nil
            if command == "serve", case .sqliteFile(let path) = app.appConfig.storage {
                guard let l = DatabaseLock.take(path) else { throw ConfigError("数据库 \(path) 正被另一个服务或恢复操作使用") }
                lock = l
            }
            defer { lock?.release() }
            if demo, command == "serve" { DemoData.printLogins(app, address: Self.address(args)) }
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
