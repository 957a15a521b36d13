/// Validation result: field name → Chinese message. Forms show each beside its field,
/// the API returns them under `error.fields`.
public struct FieldErrors: Error, Sendable, Equatable {
    public private(set) var messages: [String: String] = [:]
    /// Field names in the order they were reported, for stable display.
    public private(set) var order: [String] = []

    public init() {}
    public init(_ field: String, _ message: String) { add(field, message) }

    public mutating func add(_ field: String, _ message: String) {
        if messages[field] == nil { order.append(field) }
        messages[field] = message
    }

    public mutating func merge(_ other: FieldErrors) {
        for k in other.order { add(k, other.messages[k]!) }
    }

    public var isEmpty: Bool { messages.isEmpty }
    public subscript(field: String) -> String? { messages[field] }

    /// One line for a flash message: "姓名：不能为空；手机号：格式不正确".
    public func summary(labels: [String: String] = [:]) -> String {
        order.map { "\(labels[$0] ?? $0)：\(messages[$0]!)" }.joined(separator: "；")
    }
}

/// Small checks shared by every form and import.
public enum Check {
    public static func required(_ value: String?, _ field: String, _ label: String, max: Int = 100, into errors: inout FieldErrors) -> String? {
        let v = (value ?? "").trimmingSpaces
        if v.isEmpty { errors.add(field, "\(label)不能为空"); return nil }
        if v.unicodeScalars.count > max { errors.add(field, "\(label)不能超过\(max)个字"); return nil }
        return v
    }

    public static func optional(_ value: String?, _ field: String, _ label: String, max: Int = 100, into errors: inout FieldErrors) -> String? {
        let v = (value ?? "").trimmingSpaces
        if v.isEmpty { return nil }
        if v.unicodeScalars.count > max { errors.add(field, "\(label)不能超过\(max)个字"); return nil }
        return v
    }

    /// Accepts YYYY-MM-DD (and lenient forms from spreadsheets); rejects impossible dates and dates after `notAfter`.
    public static func date(_ value: String?, _ field: String, _ label: String, required: Bool, notAfter: Day? = nil, into errors: inout FieldErrors) -> Day? {
        let v = (value ?? "").trimmingSpaces
        if v.isEmpty { if required { errors.add(field, "\(label)不能为空") }; return nil }
        guard let d = Day(iso: v) ?? Day(lenient: v) else { errors.add(field, "\(label)不是有效日期，应为 YYYY-MM-DD"); return nil }
        if let limit = notAfter, d > limit { errors.add(field, "\(label)不能晚于\(limit.iso)"); return nil }
        if d.year < 1900 { errors.add(field, "\(label)不能早于1900年"); return nil }
        return d
    }

    /// Short code: letters, digits, '-' and '_', 1–32 characters.
    public static func code(_ value: String?, _ field: String, _ label: String, into errors: inout FieldErrors) -> String? {
        guard let v = required(value, field, label, max: 32, into: &errors) else { return nil }
        guard v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            errors.add(field, "\(label)只能包含字母、数字、- 和 _"); return nil
        }
        return v
    }

    public static func bool(_ value: String?) -> Bool {
        ["1", "true", "on", "yes", "是", "y", "Y", "√"].contains((value ?? "").trimmingSpaces)
    }
}
