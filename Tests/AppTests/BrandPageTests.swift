import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// The pages of Party-building brands (DOMAIN §3): the list and brand page per role, the
/// application form's errors, steps offered only to whom they belong, the public review
/// page (R-11: moderated, escaped, rate-limited), the showcase and the print pages.
@Suite(.serialized) struct BrandPageTests {
    static let content = ["name": "红色领航", "theme": "党建引领业务发展", "connotation": "以党建为引领，服务群众、服务发展",
                          "philosophy": "支部建在项目上", "carriers": "党员先锋岗、红色驿站", "longPlan": "三年打造精品",
                          "yearPlan": "每季度一次主题活动", "achievements": "服务群众满意度显著提升"]

    /// 办公室党支部's brand, created by its secretary through the form; its id.
    func createBrand(_ t: TestApp, name: String = "红色领航") async throws -> (Browser, String) {
        let z = try await t.login("zhibu")
        let b01 = try await t.org("ZR-B01")
        #expect(try await z.get("/brands/new").status == .ok)
        var f = Self.content
        f["org"] = b01.idString; f["name"] = name
        let res = try await z.post("/brands/new", f)
        #expect(res.status == .seeOther, "\(res.body.string)")
        let loc = try #require(res.location)
        return (z, String(loc.dropFirst("/brands/".count)))
    }

    /// Through 培育, 申报, 机关党委 forwarding, 工委 accepting, one expert's sheet and the
    /// shortlist: the brand is a candidate in review. Returns the committee officer's browser.
    func toReview(_ t: TestApp, id: String, zhibu z: Browser) async throws -> Browser {
        for step in ["cultivate", "submit"] {
            _ = try await z.get("/brands/\(id)")
            #expect(try await z.post("/brands/\(id)/steps", ["action": step]).status == .seeOther)
        }
        let j = try await t.login("jiguan")
        _ = try await j.get("/brands/\(id)")
        #expect(try await j.post("/brands/\(id)/steps", ["action": "forward", "opinion": "定位准确，同意报送"]).status == .seeOther)
        let g = try await t.login("gongwei")
        _ = try await g.get("/brands/\(id)")
        #expect(try await g.post("/brands/\(id)/steps", ["action": "accept"]).status == .seeOther)
        let expert = try #require(try await UserModel.query(on: t.db).filter(\.$username == "zhuanjia").first())
        _ = try await g.get("/brands/\(id)")
        #expect(try await g.post("/brands/\(id)/experts", ["user": expert.idString]).status == .seeOther)
        let x = try await t.login("zhuanjia")
        let sheet = try await x.get("/brands/\(id)")
        #expect(sheet.status == .ok && sheet.body.string.contains("id=\"score-form\""))
        let scored = try await x.post("/brands/\(id)/score", ["name": "90", "philosophy": "85", "mechanism": "80", "carriers": "88", "effect": "92", "comment": "特色鲜明"])
        #expect(scored.status == .seeOther)
        _ = try await g.get("/brands/selection")
        let s = try await g.post("/brands/selection", ["year": "2026", "rule": "quota", "quota": "1"])
        #expect(s.status == .seeOther, "\(s.body.string)")
        return g
    }

    @Test func theListAndTheBrandPageRenderForEachRole() async throws {
        try await withTestApp { t in
            // given a draft brand of 办公室党支部
            let (z, id) = try await createBrand(t)
            // then its secretary, the organ committee and the committee see it in the list and on its page
            for who in ["zhibu", "jiguan", "gongwei", "admin", "dangyuan"] {
                let b = who == "zhibu" ? z : try await t.login(who)
                let list = try await b.get("/brands")
                #expect(list.status == .ok, "\(who)")
                #expect(list.body.string.contains("红色领航"), "\(who)")
                let page = try await b.get("/brands/\(id)")
                #expect(page.status == .ok && page.body.string.contains("以党建为引领"), "\(who)")
            }
            let g = try await t.login("gongwei")
            let list = try await g.get("/brands").body.string
            #expect(list.contains("<svg class=\"chart\"") && list.contains("初选排名") && list.contains("命名决定") && list.contains("评分权重"))
            #expect(list.contains("href=\"/brands\"") && list.contains("党建品牌"))                    // the nav item
            #expect(try await g.get("/").body.string.contains("id=\"brand-panel\""))
            // a branch secretary of another branch does not see it, and creates no weights
            let z2 = try await t.login("zhibu2")
            #expect(try await z2.get("/brands/\(id)").status == .forbidden)
            #expect(!(try await z2.get("/brands").body.string.contains("红色领航")))
            #expect(!(try await z.get("/brands").body.string.contains("评分权重")))
            // an expert without assignments has an empty list and no nav item
            let x = try await t.login("zhuanjia")
            let xl = try await x.get("/brands")
            #expect(xl.status == .ok && xl.body.string.contains("目前没有分配给您的评审任务"))
            #expect(!(try await x.get("/").body.string.contains("品牌评审</a>")))
        }
    }

    @Test func theFormNamesEachErrorInChineseBesideItsField() async throws {
        try await withTestApp { t in
            let z = try await t.login("zhibu")
            let b01 = try await t.org("ZR-B01")
            _ = try await z.get("/brands/new")
            // when the name and the theme are missing and the connotation has markup
            let bad = try await z.post("/brands/new", ["org": b01.idString, "name": "", "theme": "", "connotation": "<b>内涵</b>"])
            // then the form comes back with each message and keeps what was typed, escaped
            #expect(bad.status == .unprocessableEntity)
            let html = bad.body.string
            #expect(html.contains("品牌名称不能为空") && html.contains("品牌主题不能为空") && html.contains("请修改标出的2处错误"))
            #expect(html.contains("&lt;b&gt;内涵&lt;/b&gt;") && !html.contains("<b>内涵</b>"))
            // without an org every missing field is still named at once
            let noOrg = try await z.post("/brands/new", ["org": "", "name": "", "theme": "主题", "connotation": "内涵"])
            #expect(noOrg.status == .unprocessableEntity && noOrg.body.string.contains("请选择创建品牌的组织") && noOrg.body.string.contains("品牌名称不能为空"))
            // submitting before the 申报表 is complete names what is missing
            let ok = try await z.post("/brands/new", ["org": b01.idString, "name": "先锋", "theme": "主题", "connotation": "内涵"])
            let loc = try #require(ok.location)
            _ = try await z.get(loc)
            #expect(try await z.post(loc + "/steps", ["action": "cultivate"]).status == .seeOther)
            _ = try await z.get(loc)
            #expect(try await z.post(loc + "/steps", ["action": "submit"]).status == .seeOther)
            #expect(try await z.get(loc).body.string.contains("申报前请先修改品牌，补全：品牌理念"))
        }
    }

    @Test func theLogoIsAPngOrJpegOfAtMostTwoMegabytesAndFilesAttach() async throws {
        try await withTestApp { t in
            let (z, id) = try await createBrand(t)
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 0, count: 64)
            _ = try await z.get("/brands/\(id)")
            // an SVG and an oversized image are refused with the reason on the page
            #expect(try await z.upload("/brands/\(id)/logo", filename: "logo.svg", data: Data("<svg onload=alert(1)/>".utf8)).status == .seeOther)
            #expect(try await z.get("/brands/\(id)").body.string.contains("标识只能是 PNG 或 JPG 图片"))
            #expect(try await z.upload("/brands/\(id)/logo", filename: "big.png", data: png + Data(count: 2 << 20)).status == .seeOther)
            #expect(try await z.get("/brands/\(id)").body.string.contains("标识图片不能超过2MB"))
            // a small PNG becomes the logo, served with its type
            #expect(try await z.upload("/brands/\(id)/logo", filename: "logo.png", data: png).status == .seeOther)
            let page = try await z.get("/brands/\(id)").body.string
            #expect(page.contains("已上传品牌标识") && page.contains("src=\"/brands/\(id)/logo\""))
            let logo = try await z.get("/brands/\(id)/logo")
            #expect(logo.status == .ok && logo.headers.contentType?.subType == "png")
            // a supporting file goes to the brand's files and its dossier
            #expect(try await z.upload("/brands/\(id)/attachments", filename: "材料.pdf", data: Data("%PDF-1.4 test".utf8)).status == .seeOther)
            #expect(try await z.get("/brands/\(id)/dossier").body.string.contains("材料.pdf"))
        }
    }

    @Test func aStepIsOfferedOnlyToWhomItBelongs() async throws {
        try await withTestApp { t in
            let (z, id) = try await createBrand(t)
            // 定名: only the owner may start cultivating
            #expect(try await z.get("/brands/\(id)").body.string.contains("data-step=\"cultivate\""))
            let j = try await t.login("jiguan")
            #expect(!(try await j.get("/brands/\(id)").body.string.contains("data-step=")))
            for step in ["cultivate", "submit"] {
                _ = try await z.get("/brands/\(id)")
                #expect(try await z.post("/brands/\(id)/steps", ["action": step]).status == .seeOther)
            }
            // 申报 via the organ committee: the forward form is the 机关党委's, not the owner's nor the committee's
            #expect(try await j.get("/brands/\(id)").body.string.contains("id=\"forward-form\""))
            #expect(!(try await z.get("/brands/\(id)").body.string.contains("id=\"forward-form\"")))
            let g = try await t.login("gongwei")
            #expect(!(try await g.get("/brands/\(id)").body.string.contains("id=\"forward-form\"")))
            // a forged step is refused: the owner may not forward
            _ = try await z.get("/brands/\(id)")
            #expect(try await z.post("/brands/\(id)/steps", ["action": "forward", "opinion": "自己同意"]).status == .forbidden)
            // an empty opinion comes back beside the field; returning needs a reason
            _ = try await j.get("/brands/\(id)")
            let empty = try await j.post("/brands/\(id)/steps", ["action": "forward", "opinion": ""])
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains("机关党委意见不能为空"))
            let noReason = try await j.post("/brands/\(id)/steps", ["action": "return", "note": ""])
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("请选择退回原因"))
            #expect(try await j.post("/brands/\(id)/steps", ["action": "return", "reason.vague": "1", "note": ""]).status == .seeOther)
            let back = try await z.get("/brands/\(id)").body.string
            #expect(back.contains("退回原因") && back.contains("品牌概念模糊") && back.contains("data-step=\"submit\""))
        }
    }

    @Test func anExpertScoresOnTheSheetAndTheCommitteeRanks() async throws {
        try await withTestApp { t in
            let (z, id) = try await createBrand(t)
            for step in ["cultivate", "submit"] {
                _ = try await z.get("/brands/\(id)")
                _ = try await z.post("/brands/\(id)/steps", ["action": step])
            }
            let j = try await t.login("jiguan")
            _ = try await j.get("/brands/\(id)")
            _ = try await j.post("/brands/\(id)/steps", ["action": "forward", "opinion": "同意"])
            let g = try await t.login("gongwei")
            _ = try await g.get("/brands/\(id)")
            _ = try await g.post("/brands/\(id)/steps", ["action": "accept"])
            let page = try await g.get("/brands/\(id)").body.string
            #expect(page.contains("id=\"expert-form\"") && page.contains("/surveys/"))
            let expert = try #require(try await UserModel.query(on: t.db).filter(\.$username == "zhuanjia").first())
            #expect(try await g.post("/brands/\(id)/experts", ["user": expert.idString]).status == .seeOther)
            // the expert reaches it from the nav and scores; a missing score is named beside its field
            let x = try await t.login("zhuanjia")
            let home = try await x.get("/").body.string
            #expect(home.contains("品牌评审") && home.contains("id=\"brand-tasks\""))
            _ = try await x.get("/brands/\(id)")
            let bad = try await x.post("/brands/\(id)/score", ["name": "90", "philosophy": "101", "mechanism": "80", "carriers": "88", "effect": "", "comment": ""])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("“理念先进”的分数应为0到100的整数") && bad.body.string.contains("请为“富有效果”打分") && bad.body.string.contains("评审意见不能为空"))
            #expect(try await x.post("/brands/\(id)/score", ["name": "90", "philosophy": "85", "mechanism": "80", "carriers": "88", "effect": "92", "comment": "好"]).status == .seeOther)
            let ranking = try await g.get("/brands/selection").body.string
            #expect(ranking.contains("红色领航") && ranking.contains("赵文博 87.1"))
        }
    }

    @Test func aPublicCommentIsShownOnlyOnceApprovedAndAlwaysEscaped() async throws {
        try await withTestApp { t in
            let (z, id) = try await createBrand(t)
            let g = try await toReview(t, id: id, zhibu: z)
            // given a visitor on the public page, no login
            let v = t.browser()
            let page = try await v.get("/public/brands/\(id)")
            #expect(page.status == .ok && page.body.string.contains("以党建为引领") && page.body.string.contains("服务群众满意度显著提升"))
            // when they post markup with a rating
            let bad = try await v.post("/public/brands/\(id)", ["rating": "", "body": ""])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("请选择1到5星评价") && bad.body.string.contains("请填写评议内容"))
            let posted = try await v.post("/public/brands/\(id)", ["rating": "4", "author": "市民", "body": "<img src=x onerror=alert(1)>好品牌"])
            #expect(posted.status == .seeOther)
            // then it is thanked for and not shown until approved
            let after = try await v.get(try #require(posted.location)).body.string
            #expect(after.contains("感谢您的评议，审核通过后将公开显示") && !after.contains("好品牌"))
            // the QR link posts as 微信点评
            _ = try await v.get("/public/brands/\(id)?ch=m")
            #expect(try await v.post("/public/brands/\(id)?ch=m", ["rating": "5", "body": "手机评议"]).status == .seeOther)
            #expect(try await BrandCommentModel.query(on: t.db).filter(\.$channel == "mobile").count() == 1)
            // the committee approves from the queue, where the text is escaped too
            let queue = try await g.get("/brands/comments").body.string
            #expect(queue.contains("&lt;img src=x onerror=alert(1)&gt;") && !queue.contains("<img src=x"))
            let c = try #require(try await BrandCommentModel.query(on: t.db).filter(\.$channel == "web").first())
            #expect(try await g.post("/brands/comments/\(c.idString)/approve").status == .seeOther)
            let shown = try await v.get("/public/brands/\(id)").body.string
            #expect(shown.contains("&lt;img src=x onerror=alert(1)&gt;好品牌") && !shown.contains("<img src=x"))
            #expect(!shown.contains("手机评议"))   // still pending
            // 机关互评: an officer of another unit comments from the brand page; the brand's own unit may not
            let other = try await t.login("zhongxin")
            let mutual = try await other.get("/brands/\(id)")
            #expect(mutual.status == .ok && mutual.body.string.contains("机关互评"))
            #expect(try await other.post("/brands/\(id)/comments", ["rating": "5", "body": "值得学习"]).status == .seeOther)
            #expect(try await BrandCommentModel.query(on: t.db).filter(\.$channel == "mutual").count() == 1)
            let j = try await t.login("jiguan")
            #expect(!(try await j.get("/brands/\(id)").body.string.contains("id=\"mutual\"")))
        }
    }

    @Test func theTwentyFirstCommentFromOneAddressWithinAMinuteIs429() async throws {
        try await withTestApp { t in
            let (z, id) = try await createBrand(t)
            _ = try await toReview(t, id: id, zhibu: z)
            let v = t.browser()
            _ = try await v.get("/public/brands/\(id)")
            for i in 1...20 {
                #expect(try await v.post("/public/brands/\(id)", ["rating": "5", "body": "第\(i)条"]).status == .seeOther)
            }
            let limited = try await v.post("/public/brands/\(id)", ["rating": "5", "body": "第21条"])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.body.string.contains("提交过于频繁") && limited.body.string.contains("第21条"))   // kept in the form
            #expect(try await BrandCommentModel.query(on: t.db).count() == 20)
        }
    }

    @Test func aNamedBrandIsInTheShowcaseAndThePrintPagesRender() async throws {
        try await withTestApp { t in
            let (z, id) = try await createBrand(t)
            let g = try await toReview(t, id: id, zhibu: z)
            // a malformed document number comes back beside its field
            _ = try await g.get("/brands/decisions")
            let bad = try await g.post("/brands/decisions", ["document": "21号", "decidedOn": "2026-11-20", "title": "关于命名的决定", "brand.\(id)": "1"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("文号格式应为"))
            let ok = try await g.post("/brands/decisions", ["document": "江直工委〔2026〕21号", "decidedOn": "2026-11-20", "title": "关于命名2026年度市直机关党建品牌的决定", "brand.\(id)": "1"])
            #expect(ok.status == .seeOther)
            let decision = try await g.get(try #require(ok.location)).body.string
            #expect(decision.contains("江直工委〔2026〕21号") && decision.contains("红色领航") && decision.contains("2026年11月20日") && decision.contains("data-print"))
            // the showcase, no login
            let v = t.browser()
            let showcase = try await v.get("/showcase")
            #expect(showcase.status == .ok && showcase.body.string.contains("红色领航") && showcase.body.string.contains("/showcase/\(id)"))
            #expect(try await v.get("/showcase/\(id)").body.string.contains("以党建为引领"))
            // 申报表 with the organ committee's opinion, and the dossier with the whole timeline
            let app = try await z.get("/brands/\(id)/application")
            #expect(app.status == .ok)
            #expect(app.body.string.contains("市直机关党建品牌申报表") && app.body.string.contains("定位准确，同意报送") && app.body.string.contains("data-print"))
            let dossier = try await z.get("/brands/\(id)/dossier").body.string
            for text in ["创建档案", "定名：红色领航", "机关党委审核通过并报送工委", "专家赵文博评分", "初选入围", "江直工委〔2026〕21号", "/brands/\(id)/archive.xlsx"] {
                #expect(dossier.contains(text), "\(text)")
            }
            #expect(try await z.get("/brands/\(id)/archive.xlsx").status == .ok)
            // named: the owner files the year's goals, the committee re-reviews
            let page = try await z.get("/brands/\(id)").body.string
            #expect(page.contains("id=\"goals-form\"") && !page.contains("id=\"rereview-form\""))
            let bad2 = try await z.post("/brands/\(id)/goals", ["year": "2026", "goals": "", "measures": "措施"])
            #expect(bad2.status == .unprocessableEntity && bad2.body.string.contains("年度目标任务不能为空"))
            #expect(try await g.get("/brands/\(id)").body.string.contains("id=\"rereview-form\""))
        }
    }
}
