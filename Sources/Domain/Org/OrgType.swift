/// DOMAIN §1: node types of the organization tree, top to bottom.
public enum OrgType: String, Sendable, CaseIterable, Codable {
    case committee        // 党委/工委 (supervising committee, e.g. 市直工委)
    case partyGroup       // 党组
    case organCommittee   // 机关党委
    case generalBranch    // 党总支
    case branch           // 党支部
    case group            // 党小组

    public var label: String {
        switch self {
        case .committee: return "党委/工委"
        case .partyGroup: return "党组"
        case .organCommittee: return "机关党委"
        case .generalBranch: return "党总支"
        case .branch: return "党支部"
        case .group: return "党小组"
        }
    }

    /// Depth order, 0 at the top.
    public var rank: Int { OrgType.allCases.firstIndex(of: self)! }

    /// Accepts the code (`branch`) or any Chinese spelling used in spreadsheets (党支部, 支部, 党委, 工委 …).
    public init?(label text: String) {
        let t = text.trimmingSpaces
        if let v = OrgType(rawValue: t) { self = v; return }
        switch t {
        case "党委/工委", "党委", "工委", "党工委": self = .committee
        case "党组": self = .partyGroup
        case "机关党委": self = .organCommittee
        case "党总支", "总支": self = .generalBranch
        case "党支部", "支部": self = .branch
        case "党小组", "小组": self = .group
        default: return nil
        }
    }

    /// A node's parent must sit higher in the order (a 党小组 under a 党支部, never the reverse).
    /// A 党委 may sit under a 党委 (市委 → 市直工委). Only a committee may be a root.
    public func canBeChild(of parent: OrgType?) -> Bool {
        guard let parent else { return self == .committee }
        if self == .committee { return parent == .committee }
        if self == .group { return parent == .branch || parent == .generalBranch }
        return parent.rank < rank
    }

    /// Usual term length in years (《中国共产党章程》: 基层党委 5 年, 总支部/支部 3 年). A default for forms, editable per node.
    public var defaultTermYears: Int? {
        switch self {
        case .committee, .organCommittee: return 5
        case .generalBranch, .branch: return 3
        case .partyGroup, .group: return nil
        }
    }

    /// Whether members are attached directly to nodes of this type.
    public var holdsMembers: Bool { self == .branch || self == .generalBranch || self == .group }
}

public enum OrgStatus: String, Sendable, CaseIterable, Codable {
    case active, closed
    public var label: String { self == .active ? "正常" : "已撤销" }
}
