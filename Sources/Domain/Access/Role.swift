/// DOMAIN §1: roles, each granted on an org node and covering its subtree.
public enum Role: String, Sendable, CaseIterable, Codable {
    case admin               // 系统管理员
    case committeeOfficer    // 工委（党委）干部 — supervising committee
    case unitOfficer         // 单位党务干部 — organ committee / party group
    case branchSecretary     // 支部书记
    case groupLeader         // 党小组组长
    case member              // 党员
    case expert              // 评审专家

    public var label: String {
        switch self {
        case .admin: return "系统管理员"
        case .committeeOfficer: return "工委干部"
        case .unitOfficer: return "单位党务干部"
        case .branchSecretary: return "支部书记"
        case .groupLeader: return "党小组组长"
        case .member: return "党员"
        case .expert: return "评审专家"
        }
    }

    public init?(label text: String) {
        let t = text.trimmingSpaces
        if let r = Role(rawValue: t) { self = r; return }
        guard let r = Role.allCases.first(where: { $0.label == t }) else { return nil }
        self = r
    }

    /// Higher is broader. A user may grant only roles strictly below their own best role (admin may grant any).
    public var level: Int {
        switch self {
        case .admin: return 100
        case .committeeOfficer: return 80
        case .unitOfficer: return 60
        case .branchSecretary: return 40
        case .groupLeader: return 30
        case .member: return 10
        case .expert: return 10
        }
    }

    /// The org types a grant of this role may sit on.
    public var grantableOn: Set<OrgType> {
        switch self {
        case .admin, .expert: return Set(OrgType.allCases)
        case .committeeOfficer: return [.committee]
        case .unitOfficer: return [.partyGroup, .organCommittee]
        case .branchSecretary: return [.branch, .generalBranch]
        case .groupLeader: return [.group]
        case .member: return [.branch, .generalBranch, .group]
        }
    }

    public func allows(_ action: Action) -> Bool {
        switch self {
        case .admin: return true
        case .committeeOfficer:
            // DOMAIN §1: personal data in full only to the member's own branch leaders;
            // schemes are edited by the admin; a branch applies for itself (R-4 step 1)
            return ![.manageCalendar, .readMemberDetails, .manageSchemes, .applyRating].contains(action)
        case .unitOfficer:
            // the settings of everyday records (frequency rules, presets, limits) belong to the committee
            // notices, spot checks, the star ledger and 市场主体评 belong to the supervising committee
            return ![.manageCalendar, .readMemberDetails, .manageSchemes, .applyRating, .manageNotices, .adjustStars, .manageRecordSettings, .manageAssessment, .nameBrands].contains(action)
        case .branchSecretary:
            return [.readOrgs, .writeOrgs, .readMembers, .writeMembers, .readMemberDetails, .importData, .readRatings, .applyRating,
                    .readRecords, .writeRecords, .handleDemands, .readSupervision, .readBrands, .manageBrand].contains(action)
        case .groupLeader:
            return [.readOrgs, .readMembers, .readRatings, .readRecords, .writeRecords, .readBrands, .manageBrand].contains(action)
        case .member:
            return [.readOrgs, .readOwnRecord, .readBrands].contains(action)
        case .expert:
            return false
        }
    }
}

/// What a request wants to do; roles allow a set of them, grants say where.
public enum Action: String, Sendable, CaseIterable {
    case readOrgs, writeOrgs
    case readMembers, writeMembers, readMemberDetails
    case readOwnRecord
    case manageUsers
    case readAudit
    case manageCalendar
    case importData
    case readRatings, applyRating, reviewRatings, manageNotices, adjustStars, manageSchemes
    /// DOMAIN §4–§6: organizational life, lists and tasks, service, points; demands; their settings.
    case readRecords, writeRecords, handleDemands, manageRecordSettings
    /// DOMAIN §7–§8: read the problem ledger, risk register and evaluations; record problems,
    /// verify rectifications, keep the risk register, score quarters and run surveys; set the
    /// yearly assessment scheme and publish its ranking.
    case readSupervision, supervise, manageAssessment
    /// DOMAIN §3: read brands; keep one's own brand and apply; review applications (the organ
    /// committee forwards or returns, scores branches' brand creation); run the selection,
    /// naming and re-reviews (the supervising committee).
    case readBrands, manageBrand, reviewBrands, nameBrands

    public var label: String {
        switch self {
        case .readOrgs: return "查看组织"
        case .writeOrgs: return "维护组织"
        case .readMembers: return "查看党员"
        case .writeMembers: return "维护党员"
        case .readMemberDetails: return "查看党员完整信息"
        case .readOwnRecord: return "查看本人信息"
        case .manageUsers: return "管理用户"
        case .readAudit: return "查看审计日志"
        case .manageCalendar: return "维护工作日历"
        case .importData: return "批量导入"
        case .readRatings: return "查看评星"
        case .applyRating: return "支部报星"
        case .reviewRatings: return "审核评星"
        case .manageNotices: return "组织公示、抽查与评议结果导入"
        case .adjustStars: return "动态调星"
        case .manageSchemes: return "维护评星方案"
        case .readRecords: return "查看组织生活、清单、服务与积分"
        case .writeRecords: return "记录组织生活、清单、服务与积分"
        case .handleDemands: return "派单与接单"
        case .manageRecordSettings: return "维护频次规则、时限与积分规则"
        case .readSupervision: return "查看问题台账、风险点与考评"
        case .supervise: return "督导整改、维护风险点与季度考评"
        case .manageAssessment: return "设置年度考核方案并发布排名"
        case .readBrands: return "查看党建品牌"
        case .manageBrand: return "创建和申报党建品牌"
        case .reviewBrands: return "审核党建品牌申报"
        case .nameBrands: return "党建品牌初选、命名与复核"
        }
    }
}
