/// An org node as typed in a form or spreadsheet row, validated; the parent stays a reference.
public struct OrgDraft: Sendable, Equatable {
    public var name: String
    public var code: String
    public var type: OrgType
    public var parentRef: String?
    public var foundedOn: Day?
    public var termStart: Day?
    public var termYears: Int?
    public var secretary: String?

    /// Raw fields: name, code, type, parent, foundedOn, termStart, termYears, secretary.
    public static func validate(_ f: [String: String], today: Day) -> Result<OrgDraft, FieldErrors> {
        var e = FieldErrors()
        let name = Check.required(f["name"], "name", "组织名称", max: 60, into: &e)
        let code = Check.code(f["code"], "code", "组织编码", into: &e)
        var type: OrgType?
        if let t = f["type"]?.trimmingSpaces, !t.isEmpty {
            type = OrgType(label: t)
            if type == nil { e.add("type", "组织类型应为：" + OrgType.allCases.map(\.label).joined(separator: "、")) }
        } else { e.add("type", "组织类型不能为空") }
        let parent = Check.optional(f["parent"], "parent", "上级组织", max: 64, into: &e)
        let founded = Check.date(f["foundedOn"], "foundedOn", "成立日期", required: false, notAfter: today, into: &e)
        let termStart = Check.date(f["termStart"], "termStart", "本届开始日期", required: false, notAfter: today, into: &e)
        var years: Int?
        if let y = f["termYears"]?.trimmingSpaces, !y.isEmpty {
            if let v = Int(y), (1...10).contains(v) { years = v } else { e.add("termYears", "任期年限应为1到10之间的整数") }
        }
        if termStart != nil, years == nil, e["termYears"] == nil {
            if let d = type?.defaultTermYears { years = d } else { e.add("termYears", "填写了本届开始日期时须填写任期年限") }
        }
        if let f0 = founded, let t0 = termStart, t0 < f0 { e.add("termStart", "本届开始日期不能早于成立日期") }
        let secretary = Check.optional(f["secretary"], "secretary", "书记", max: 30, into: &e)
        guard e.isEmpty, let name, let code, let type else { return .failure(e) }
        return .success(OrgDraft(name: name, code: code, type: type, parentRef: parent, foundedOn: founded,
                                 termStart: termStart, termYears: years, secretary: secretary))
    }
}
