import Testing
@testable import Domain

@Suite struct TermDueTests {
    @Test func termDueIsStartPlusTermLengthAndOverdueTheDayAfter() {
        // given a branch elected 2023-11-20 for 3 years
        let start = Day(iso: "2023-11-20")!
        // then it is due 2026-11-20: on that day still in time, the next day overdue
        let onDue = TermDue(termStart: start, termYears: 3, today: Day(iso: "2026-11-20")!)
        #expect(onDue.dueDate?.iso == "2026-11-20")
        #expect(onDue.status == .dueSoon)
        #expect(onDue.daysLeft == 0)
        let after = TermDue(termStart: start, termYears: 3, today: Day(iso: "2026-11-21")!)
        #expect(after.status == .overdue)
        #expect(after.daysLeft == -1)
    }

    @Test func termDueSoonWithinNinetyDaysOtherwiseOk() {
        let start = Day(iso: "2024-03-01")!
        #expect(TermDue(termStart: start, termYears: 3, today: Day(iso: "2026-12-01")!).status == .dueSoon)
        #expect(TermDue(termStart: start, termYears: 3, today: Day(iso: "2026-11-21")!).status == .ok)
        #expect(TermDue(termStart: start, termYears: 5, today: Day(iso: "2026-11-21")!).dueDate?.iso == "2029-03-01")
    }

    @Test func termWithoutStartIsUnknownNotOverdue() {
        let t = TermDue(termStart: nil, termYears: 3, today: Day(iso: "2026-11-21")!)
        #expect(t.status == .unknown)
        #expect(!t.isOverdue)
    }
}

@Suite struct OrgTreeRuleTests {
    @Test func nodeTypesNestTopToBottom() {
        #expect(OrgType.committee.canBeChild(of: nil))
        #expect(!OrgType.branch.canBeChild(of: nil))
        #expect(OrgType.branch.canBeChild(of: .organCommittee))
        #expect(OrgType.group.canBeChild(of: .branch))
        #expect(!OrgType.group.canBeChild(of: .organCommittee))
        #expect(!OrgType.organCommittee.canBeChild(of: .branch))
        #expect(OrgType.committee.canBeChild(of: .committee))
    }

    @Test func orgDraftReportsEachBadFieldInChinese() {
        let r = OrgDraft.validate(["name": "", "code": "a b", "type": "支队", "termStart": "2026-02-30", "termYears": "0"],
                                  today: Day(iso: "2026-11-21")!)
        guard case .failure(let e) = r else { Issue.record("expected failure"); return }
        #expect(e["name"] == "组织名称不能为空")
        #expect(e["code"] == "组织编码只能包含字母、数字、- 和 _")
        #expect(e["type"]?.hasPrefix("组织类型应为") == true)
        #expect(e["termStart"] == "本届开始日期不是有效日期，应为 YYYY-MM-DD")
        #expect(e["termYears"] == "任期年限应为1到10之间的整数")
    }

    @Test func orgDraftDefaultsTermLengthByType() throws {
        let r = OrgDraft.validate(["name": "第一党支部", "code": "B1", "type": "党支部", "termStart": "2025-01-01"], today: Day(iso: "2026-11-21")!)
        #expect(try r.get().termYears == 3)
    }
}

@Suite struct MemberRuleTests {
    let today = Day(iso: "2026-11-21")!

    @Test func phoneIsMaskedInLists() {
        #expect(Privacy.maskPhone("13812341234") == "138****1234")
        #expect(Privacy.maskPhone(nil) == "")
    }

    @Test func fullMemberNeedsAJoinDateAndApplicantMustNotHaveOne() {
        let a = MemberDraft.validate(["name": "张三", "gender": "男", "status": "正式党员", "org": "B1"], today: today)
        guard case .failure(let e) = a else { Issue.record("expected failure"); return }
        #expect(e["joinDate"] == "正式党员须填写入党日期")
        let b = MemberDraft.validate(["name": "李四", "gender": "女", "status": "入党申请人", "joinDate": "2020-01-01", "org": "B1"], today: today)
        guard case .failure(let e2) = b else { Issue.record("expected failure"); return }
        #expect(e2["joinDate"] == "入党申请人不应填写入党日期")
    }

    @Test func validMemberRowBecomesADraft() throws {
        let r = MemberDraft.validate(["name": " 王五 ", "gender": "男", "birthDate": "1980/3/5", "status": "预备党员",
                                      "joinDate": "2026-07-01", "org": "B1", "phone": "13900001111", "retired": "是"], today: today)
        let d = try r.get()
        #expect(d.name == "王五")
        #expect(d.birthDate?.iso == "1980-03-05")
        #expect(d.status == .probationary)
        #expect(d.retired)
        #expect(!d.hardship)
    }

    @Test func badPhoneAndFutureDatesAreRejected() {
        let r = MemberDraft.validate(["name": "赵六", "gender": "男", "birthDate": "2030-01-01", "status": "群众", "org": "B1", "phone": "12345"], today: today)
        guard case .failure(let e) = r else { Issue.record("expected failure"); return }
        #expect(e["phone"] == "手机号格式不正确，应为11位手机号")
        #expect(e["birthDate"] == "出生日期不能晚于2026-11-21")
    }

    @Test func thePhoneRuleReadByteByByteIsTheCharacterRule() {
        // the rule as first written, over Characters
        func reference(_ p: String) -> Bool {
            let digits = p.filter { $0 != "-" && $0 != " " }
            guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            if digits.first == "1" { return digits.count == 11 }
            return digits.first == "0" && (10...12).contains(digits.count)
        }
        for p in ["13800001234", "138-0000-1234", "138 0000 1234", "0377-12345678", "010-1234567", "03771234567890", "1380000123",
                  "138000012345", "２3800001234", "1380000123４", "+8613800001234", "", "-", "1-\u{301}3800001234", "2380000123", "0"] {
            #expect(Privacy.isValidPhone(p) == reference(p), "\(p)")
        }
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789-  1\t+x٣\u{301}")
        for _ in 0..<5_000 {
            let p = String((0..<Int.random(in: 0...14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            #expect(Privacy.isValidPhone(p) == reference(p), "\(p.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(Privacy.isValidPhone("13800001234") && Privacy.isValidPhone("0377-12345678") && !Privacy.isValidPhone("12345"))
    }
}

@Suite struct LockoutTests {
    @Test func fiveWrongPasswordsInFifteenMinutesLockForFifteenMinutes() {
        let rule = Lockout()
        let fails: [Double] = [0, 60, 120, 180, 240]
        #expect(rule.lockedUntil(failures: Array(fails.prefix(4)), now: 250) == nil)
        let until: Double? = rule.lockedUntil(failures: fails, now: 250)
        #expect(until == Double(240 + 900))
        #expect(rule.lockedUntil(failures: fails, now: 240 + 899) != nil)
        #expect(rule.lockedUntil(failures: fails, now: 240 + 900) == nil)
    }

    @Test func failuresSpreadOverMoreThanFifteenMinutesDoNotLock() {
        let fails: [Double] = [0, 300, 600, 900, 1000]   // first to fifth = 1000 s > 900 s
        #expect(Lockout().lockedUntil(failures: fails, now: 1001) == nil)
    }
}

@Suite struct ImportLayoutTests {
    let layout = ImportLayout(columns: [ImportColumn("name", "姓名", required: true), ImportColumn("phone", "手机号")])

    @Test func headersWithStarsAreRecognizedAndBlankRowsSkipped() throws {
        let rows = try layout.rows(of: [["姓名*", "手机号"], ["张三", "139"], ["", ""], ["李四", ""]]).get()
        #expect(rows.map(\.row) == [2, 4])
        #expect(rows[1].fields["name"] == "李四")
    }

    @Test func aLaidOutRowReadsEveryFieldAsTheRowsDictionary() throws {
        // short rows, blank rows, a column the layout does not know, a header with a star
        let table = [["备注", "手机号", "姓名*"], ["x", "139", "张三"], ["", ""], ["y", ""], ["", "138", "李四", "多余"], ["z"]]
        let dicts = try layout.rows(of: table).get(), lines = try layout.lines(of: table).get()
        #expect(dicts.map(\.row) == [2, 4, 5, 6] && lines.map(\.row) == dicts.map(\.row))
        for (d, l) in zip(dicts, lines) {
            for field in ["name", "phone", "note", "other"] { #expect(l.fields[field] == d.fields[field], "row \(d.row) \(field)") }
        }
        #expect(lines[1].fields["name"] == nil && lines[1].fields["phone"] == "" && lines[2].fields["name"] == "李四")
        let member = MemberDraft.validate(try layout.lines(of: [["姓名", "手机号"], ["张三", "12345"]]).get()[0].fields, today: Day(iso: "2026-11-21")!)
        guard case .failure(let e) = member else { Issue.record("expected failure"); return }
        #expect(e["phone"] == "手机号格式不正确，应为11位手机号" && e["name"] == nil, "validate reads a laid-out row as it reads a dictionary")
    }

    @Test func missingRequiredColumnIsNamed() {
        guard case .failure(let e) = layout.rows(of: [["手机号"], ["139"]]) else { Issue.record("expected failure"); return }
        #expect(e.rows == [RowError(row: 1, column: "姓名", message: "缺少必需的列“姓名”")])
    }
}

@Suite struct OrgLifecycleTests {
    @Test func closingNeedsAnEmptyNode() {
        #expect(OrgLifecycle.closeBlocker(activeChildren: 0, members: 0) == nil)
        #expect(OrgLifecycle.closeBlocker(activeChildren: 2, members: 0) == "该组织下还有2个正常状态的下级组织，请先撤销或移走")
        #expect(OrgLifecycle.closeBlocker(activeChildren: 0, members: 7) == "该组织还有7名党员，请先办理组织关系转接")
    }

    @Test func reopeningNeedsAnActiveParent() {
        #expect(OrgLifecycle.reopenBlocker(parentName: "机关党委", parentClosed: false) == nil)
        #expect(OrgLifecycle.reopenBlocker(parentName: "机关党委", parentClosed: true) == "上级组织“机关党委”已撤销，请先恢复上级组织")
    }

    @Test func aNodeWithMembersKeepsAMemberHoldingType() {
        #expect(OrgLifecycle.typeChangeBlocker(to: .generalBranch, members: 12) == nil)
        #expect(OrgLifecycle.typeChangeBlocker(to: .organCommittee, members: 0) == nil)
        #expect(OrgLifecycle.typeChangeBlocker(to: .organCommittee, members: 12)?.hasPrefix("该组织还有12名党员") == true)
    }
}
