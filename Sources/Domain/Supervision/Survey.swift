/// DOMAIN §8 (seed 000 §15): satisfaction surveys for service recipients. A questionnaire
/// of single choice, multiple choice, 1–5 scale and text questions; one answer per link.
public enum SurveyQuestionKind: String, Sendable, Codable, CaseIterable {
    case single, multiple, scale, text
    public var label: String {
        switch self {
        case .single: return "单选"
        case .multiple: return "多选"
        case .scale: return "1—5分评价"
        case .text: return "文字意见"
        }
    }
}

public struct SurveyQuestion: Sendable, Codable, Equatable {
    public var kind: SurveyQuestionKind
    public var text: String
    public var options: [String]
    public var required: Bool
    public init(kind: SurveyQuestionKind, text: String, options: [String] = [], required: Bool = true) {
        self.kind = kind; self.text = text; self.options = options; self.required = required
    }
}

/// One answer: the chosen option indexes (single, multiple), the scale value (1…5) or the text.
public enum SurveyAnswer: Sendable, Codable, Equatable {
    case choices([Int])
    case scale(Int)
    case text(String)
    case skipped
}

public enum SurveyRules {
    /// The builder's checks; questions are numbered from 1 in the messages.
    public static func validate(title: String, questions: [SurveyQuestion]) -> FieldErrors {
        var e = FieldErrors()
        _ = Check.required(title, "title", "问卷标题", max: 100, into: &e)
        if questions.isEmpty { e.add("questions", "请至少添加一道题") }
        if questions.count > 50 { e.add("questions", "最多50道题") }
        for (i, q) in questions.enumerated() {
            let n = i + 1
            if q.text.trimmingSpaces.isEmpty { e.add("questions", "第\(n)题题目不能为空"); break }
            if q.text.unicodeScalars.count > 200 { e.add("questions", "第\(n)题题目不能超过200个字"); break }
            let opts = q.options.map(\.trimmingSpaces).filter { !$0.isEmpty }
            if q.kind == .single || q.kind == .multiple {
                if opts.count < 2 { e.add("questions", "第\(n)题（\(q.kind.label)）至少需要两个选项"); break }
                if opts.count > 20 { e.add("questions", "第\(n)题选项不能超过20个"); break }
                if Set(opts).count != opts.count { e.add("questions", "第\(n)题有重复的选项"); break }
                if opts.contains(where: { $0.unicodeScalars.count > 100 }) { e.add("questions", "第\(n)题选项不能超过100个字"); break }
            }
        }
        return e
    }

    /// Reads a respondent's raw answers (per question: the submitted values) into answers;
    /// every required question must be answered, and values must be among the options.
    public static func answers(_ questions: [SurveyQuestion], raw: [[String]]) -> ([SurveyAnswer], FieldErrors) {
        var e = FieldErrors()
        var out: [SurveyAnswer] = []
        for (i, q) in questions.enumerated() {
            let field = "q\(i + 1)"
            let vals = (i < raw.count ? raw[i] : []).map(\.trimmingSpaces).filter { !$0.isEmpty }
            if vals.isEmpty {
                if q.required { e.add(field, "第\(i + 1)题为必答题") }
                out.append(.skipped); continue
            }
            switch q.kind {
            case .single, .multiple:
                let idx = vals.compactMap(Int.init)
                if idx.count != vals.count || idx.contains(where: { !(0..<q.options.count).contains($0) }) { e.add(field, "第\(i + 1)题的选项无效"); out.append(.skipped); continue }
                if q.kind == .single && idx.count > 1 { e.add(field, "第\(i + 1)题只能选一项"); out.append(.skipped); continue }
                out.append(.choices(Array(Set(idx)).sorted()))
            case .scale:
                guard vals.count == 1, let v = Int(vals[0]), (1...5).contains(v) else { e.add(field, "第\(i + 1)题请选择1到5分"); out.append(.skipped); continue }
                out.append(.scale(v))
            case .text:
                let t = vals.joined(separator: " ")
                if t.unicodeScalars.count > 1000 { e.add(field, "第\(i + 1)题不能超过1000个字"); out.append(.skipped); continue }
                out.append(.text(t))
            }
        }
        return (out, e)
    }

    public struct QuestionResult: Sendable, Equatable {
        public var question: SurveyQuestion
        public var answered: Int
        /// single / multiple: count per option; scale: count per value 1…5.
        public var counts: [Int]
        public var mean: Double?
        public var texts: [String]
    }

    public static func results(_ questions: [SurveyQuestion], responses: [[SurveyAnswer]]) -> [QuestionResult] {
        questions.enumerated().map { i, q in
            var counts = Array(repeating: 0, count: q.kind == .scale ? 5 : q.options.count)
            var answered = 0, sum = 0
            var texts: [String] = []
            for r in responses where i < r.count {
                switch r[i] {
                case .choices(let c): answered += 1; for x in c where (0..<counts.count).contains(x) { counts[x] += 1 }
                case .scale(let v) where (1...counts.count).contains(v): answered += 1; counts[v - 1] += 1; sum += v
                case .scale: break   // an answer that no longer fits the question
                case .text(let t): answered += 1; texts.append(t)
                case .skipped: break
                }
            }
            let mean = q.kind == .scale && answered > 0 ? Double(sum) / Double(answered) : nil
            return QuestionResult(question: q, answered: answered, counts: counts, mean: mean, texts: texts)
        }
    }

    /// Satisfaction on 0…100: the mean of every 1–5 answer, 1 → 0 and 5 → 100; nil without any.
    public static func satisfaction(responses: [[SurveyAnswer]]) -> Double? {
        var sum = 0, n = 0
        for r in responses { for a in r { if case .scale(let v) = a { sum += v; n += 1 } } }
        guard n > 0 else { return nil }
        return ((Double(sum) / Double(n) - 1) / 4 * 100 * 10).rounded() / 10
    }

    /// A ready questionnaire for 服务对象满意度 that the builder starts from.
    public static let template: [SurveyQuestion] = [
        SurveyQuestion(kind: .scale, text: "您对本部门党员干部服务态度的满意程度"),
        SurveyQuestion(kind: .scale, text: "您对办事效率的满意程度"),
        SurveyQuestion(kind: .scale, text: "您对办事流程公开透明的满意程度"),
        SurveyQuestion(kind: .single, text: "办事过程中是否遇到吃拿卡要、推诿扯皮等情况", options: ["没有", "有"]),
        SurveyQuestion(kind: .multiple, text: "您希望我们在哪些方面改进", options: ["服务态度", "办事效率", "信息公开", "便民措施", "其他"], required: false),
        SurveyQuestion(kind: .text, text: "您的意见和建议", required: false),
    ]
}
