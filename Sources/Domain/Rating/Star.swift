/// DOMAIN §2: the five stars of a 五星支部, in the order of seed 001 §三.
public enum Star: String, Sendable, CaseIterable, Codable, Comparable {
    case political   // 政治坚定星
    case business    // 业务出彩星
    case service     // 服务有力星
    case integrity   // 清廉高效星
    case strong      // 支部过硬星

    public var label: String {
        switch self {
        case .political: return "政治坚定星"
        case .business: return "业务出彩星"
        case .service: return "服务有力星"
        case .integrity: return "清廉高效星"
        case .strong: return "支部过硬星"
        }
    }

    public var order: Int { Star.allCases.firstIndex(of: self)! }
    public static func < (a: Star, b: Star) -> Bool { a.order < b.order }

    /// The four stars a branch must hold before 支部过硬星 (R-3).
    public static let firstFour: Set<Star> = [.political, .business, .service, .integrity]
}

/// A set of stars; the level is how many. Stored as "political,business".
public struct StarSet: Sendable, Hashable, Codable {
    public private(set) var stars: Set<Star>

    public init(_ stars: Set<Star> = []) { self.stars = stars }
    public init(_ list: [Star]) { stars = Set(list) }

    /// Parses the stored form; unknown names are ignored.
    public init(stored: String) {
        stars = Set(stored.split(separator: ",").compactMap { Star(rawValue: String($0)) })
    }

    public var stored: String { sorted.map(\.rawValue).joined(separator: ",") }
    public var level: Int { stars.count }
    public var sorted: [Star] { stars.sorted() }
    public func contains(_ s: Star) -> Bool { stars.contains(s) }
    public var labels: String { sorted.map(\.label).joined(separator: "、") }

    /// The stars kept when a level is capped: the first ones in scheme order, and never
    /// 支部过硬星 without the other four (R-3).
    public func capped(at level: Int) -> StarSet {
        guard self.level > level else { return self }
        let kept = sorted.filter { $0 != .strong }.prefix(max(0, level))
        return StarSet(Set(kept))
    }

    public func isSubset(of other: StarSet) -> Bool { stars.isSubset(of: other.stars) }
    public func inserting(_ s: Star) -> StarSet { var c = stars; c.insert(s); return StarSet(c) }
    public func removing(_ s: Star) -> StarSet { var c = stars; c.remove(s); return StarSet(c) }
}

public extension Int {
    /// "★★★☆☆"
    var starGlyphs: String { String(repeating: "★", count: Swift.max(0, Swift.min(5, self))) + String(repeating: "☆", count: Swift.max(0, 5 - Swift.min(5, self))) }
    var levelLabel: String { self == 0 ? "无星" : "\(["", "一", "二", "三", "四", "五"][Swift.min(5, self)])星" }
}
