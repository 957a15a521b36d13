/// DOMAIN §1: political status (政治面貌) of a person on the member roll.
public enum PoliticalStatus: String, Sendable, CaseIterable, Codable {
    case full            // 正式党员
    case probationary    // 预备党员
    case candidate       // 发展对象
    case activist        // 入党积极分子
    case applicant       // 入党申请人
    case masses          // 群众

    public var label: String {
        switch self {
        case .full: return "正式党员"
        case .probationary: return "预备党员"
        case .candidate: return "发展对象"
        case .activist: return "入党积极分子"
        case .applicant: return "入党申请人"
        case .masses: return "群众"
        }
    }

    public init?(label text: String) {
        let t = text.trimmingSpaces
        if let v = PoliticalStatus(rawValue: t) { self = v; return }
        guard let v = PoliticalStatus.allCases.first(where: { $0.label == t }) else { return nil }
        self = v
    }

    /// Full and probationary members have a join date (入党日期); the others do not yet.
    public var isPartyMember: Bool { self == .full || self == .probationary }
}

public enum Gender: String, Sendable, CaseIterable, Codable {
    case male, female
    public var label: String { self == .male ? "男" : "女" }
    public init?(label text: String) {
        switch text.trimmingSpaces {
        case "男", "male", "M", "m": self = .male
        case "女", "female", "F", "f": self = .female
        default: return nil
        }
    }
}

public enum Privacy {
    /// DOMAIN §1: phones are masked in lists, `138****1234`.
    public static func maskPhone(_ phone: String?) -> String {
        guard let p = phone, !p.isEmpty else { return "" }
        let chars = Array(p)
        guard chars.count >= 7 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(3)) + "****" + String(chars.suffix(4))
    }

    /// A mainland mobile number: 11 digits starting with 1; a landline like 0377-12345678 is accepted too.
    /// (Read byte by byte: it runs for every row of an import.)
    public static func isValidPhone(_ p: String) -> Bool {
        var count = 0, first: UInt8 = 0
        for c in p.utf8 where c != UInt8(ascii: "-") && c != UInt8(ascii: " ") {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { return false }
            if count == 0 { first = c }
            count += 1
        }
        if first == UInt8(ascii: "1") { return count == 11 }
        return first == UInt8(ascii: "0") && (10...12).contains(count)
    }
}

/// A member as typed in a form or a spreadsheet row, validated; org references stay as given
/// (ids from forms, codes from imports) and are resolved by the caller.
public struct MemberDraft: Sendable, Equatable {
    public var name: String
    public var gender: Gender
    public var birthDate: Day?
    public var status: PoliticalStatus
    public var joinDate: Day?
    public var orgRef: String
    public var groupRef: String?
    public var post: String?
    public var phone: String?
    public var retired: Bool
    public var hardship: Bool

    public init(name: String, gender: Gender, birthDate: Day?, status: PoliticalStatus, joinDate: Day?, orgRef: String,
                groupRef: String?, post: String?, phone: String?, retired: Bool, hardship: Bool) {
        self.name = name; self.gender = gender; self.birthDate = birthDate; self.status = status; self.joinDate = joinDate
        self.orgRef = orgRef; self.groupRef = groupRef; self.post = post; self.phone = phone; self.retired = retired; self.hardship = hardship
    }

    /// Raw fields by name: name, gender, birthDate, status, joinDate, org, group, post, phone, retired, hardship.
    public static func validate(_ f: some FieldSource, today: Day) -> Result<MemberDraft, FieldErrors> {
        var e = FieldErrors()
        let name = Check.required(f["name"], "name", "姓名", max: 30, into: &e)
        var gender: Gender?
        if let g = f["gender"]?.trimmingSpaces, !g.isEmpty {
            gender = Gender(label: g)
            if gender == nil { e.add("gender", "性别应为“男”或“女”") }
        } else { e.add("gender", "性别不能为空") }
        let birth = Check.date(f["birthDate"], "birthDate", "出生日期", required: false, notAfter: today, into: &e)
        var status: PoliticalStatus?
        if let s = f["status"]?.trimmingSpaces, !s.isEmpty {
            status = PoliticalStatus(label: s)
            if status == nil { e.add("status", "政治面貌应为：" + PoliticalStatus.allCases.map(\.label).joined(separator: "、")) }
        } else { e.add("status", "政治面貌不能为空") }
        let join = Check.date(f["joinDate"], "joinDate", "入党日期", required: false, notAfter: today, into: &e)
        if let s = status, s.isPartyMember, join == nil, e["joinDate"] == nil {
            e.add("joinDate", "\(s.label)须填写入党日期")
        }
        if let s = status, !s.isPartyMember, join != nil {
            e.add("joinDate", "\(s.label)不应填写入党日期")
        }
        if let b = birth, let j = join, j < b.adding(years: 18) {
            e.add("joinDate", "入党日期应在年满18周岁之后")
        }
        let org = Check.required(f["org"], "org", "所在支部", max: 64, into: &e)
        let group = Check.optional(f["group"], "group", "党小组", max: 64, into: &e)
        let post = Check.optional(f["post"], "post", "党内职务", max: 50, into: &e)
        var phone = Check.optional(f["phone"], "phone", "手机号", max: 20, into: &e)
        if let p = phone, !Privacy.isValidPhone(p) { e.add("phone", "手机号格式不正确，应为11位手机号"); phone = nil }
        guard e.isEmpty, let name, let gender, let status, let org else { return .failure(e) }
        return .success(MemberDraft(name: name, gender: gender, birthDate: birth, status: status, joinDate: join,
                                    orgRef: org, groupRef: group, post: post, phone: phone,
                                    retired: Check.bool(f["retired"]), hardship: Check.bool(f["hardship"])))
    }
}
