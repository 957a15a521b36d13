import Vapor
import Fluent
import SQLKit

/// A cheap stamp of what the database holds as any process sees it, for `ViewCache` to tell whether
/// anything was written since a view was computed (a second server, a command-line import). Equal
/// stamps mean no commit in between; a different stamp may also come from this process's own writes
/// or housekeeping, which only costs one computation more.
enum DatabaseStamp {
    static func make(_ app: Application, storage: AppConfig.Storage) -> (@Sendable () async -> String?)? {
        switch storage {
        case .sqliteFile(let path):
            // every commit appends to the write-ahead log and a checkpoint rewrites the file: their sizes
            // and modification times (nanoseconds) change with each
            return { fileStamp(path) + "|" + fileStamp(path + "-wal") }
        case .sqliteMemory:
            return nil      // nothing outside this process can write to it
        case .postgres:
            // the next transaction id: only a transaction that writes takes one, in any session
            return { [weak app] in
                guard let sql = app?.db as? any SQLDatabase else { return nil }
                return try? await sql.raw("SELECT txid_snapshot_xmax(txid_current_snapshot())::text AS s").first()?.decode(column: "s", as: String.self)
            }
        }
    }

    static func fileStamp(_ path: String) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { return "-" }
        return "\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }
}
