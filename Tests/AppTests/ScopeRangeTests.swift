import Testing
import Foundation
@testable import App

/// R-1 at province scale: the scope filter's index range selects exactly the paths LIKE 'root%' does.
@Suite struct ScopeRangeTests {
    @Test func r1_theRangeOfASubtreeIsExactlyItsPrefix() {
        #expect(ScopePaths.upperBound("/a1/") == "/a10")
        var rng = SystemRandomNumberGenerator()
        func id() -> String { UUID().uuidString.lowercased() }
        let a = id(), b = id(), c = id()
        let paths = ["/\(a)/", "/\(a)/\(b)/", "/\(a)/\(b)/\(c)/", "/\(b)/", "/\(a)x/", "/\(a)0/", "/\(b)/\(a)/"] + (0..<200).map { _ in "/" + (0..<Int.random(in: 1...4, using: &rng)).map { _ in id() }.joined(separator: "/") + "/" }
        for root in ["/\(a)/", "/\(a)/\(b)/", "/\(b)/"] {
            let upper = ScopePaths.upperBound(root)
            for p in paths {
                // byte order, as SQLite's BINARY collation compares text
                let inRange = Array(p.utf8).lexicographicallyPrecedes(Array(root.utf8)) == false && Array(p.utf8).lexicographicallyPrecedes(Array(upper.utf8))
                #expect(inRange == p.hasPrefix(root), "\(p) under \(root)")
            }
        }
    }
}
