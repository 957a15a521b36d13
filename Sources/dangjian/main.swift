import App
#if canImport(Glibc)
import Glibc
#endif

// A failed command exits 1 after printing its reason, without a crash report.
if await !Entrypoint.run() { exit(1) }
