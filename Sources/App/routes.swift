import Vapor
import Domain
import Fluent

/// Every route, grouped by how it is authenticated.
func routes(_ app: Application) throws {
    app.get("healthz") { _ in "ok" }
    if let clock = app.movableClock {
        // browser tests only: {"today": "2026-12-20"} moves the server's day
        app.post("__test", "clock") { req -> String in
            struct Body: Content { var today: String }
            let b = try req.content.decode(Body.self)
            guard let d = Day(iso: b.today) else { throw AppError.validation(FieldErrors("today", "日期应为 YYYY-MM-DD")) }
            clock.move(to: d)
            return d.iso
        }
    }

    // MARK: JSON API (bearer tokens)
    let api = app.grouped("api", "v1").grouped(BearerUserMiddleware())
    let auth = AuthAPIController()
    api.post("auth", "login", use: auth.login)
    api.get("calendar", "working-days", use: CalendarAPIController().workingDays)
    api.get("openapi.json", use: OpenAPI.serve)

    let ratings = RatingAPIController()
    api.post("notices", ":id", "complaints", use: ratings.fileComplaint)   // public: anyone may complain during a notice

    let records = RecordAPIController()
    // public: residents post and follow needs by their tracking code (R-21)
    api.get("public", "communities", use: records.communities)
    api.post("public", "demands", use: records.postDemand)
    api.get("public", "demands", ":code", use: records.track)
    api.post("public", "demands", ":code", "rate", use: records.rateDemand)

    let sup = SupervisionAPIController()
    // public: service recipients answer a survey by its link (one answer per link)
    api.get("public", "surveys", ":token", use: sup.publicSurvey)
    api.post("public", "surveys", ":token", use: sup.answerSurvey)

    let brands = BrandAPIController()
    // public: candidates and named brands, their approved comments; 社会网评 / 微信点评 (R-11)
    api.get("public", "brands", ":id", "comments", use: brands.publicComments)
    api.post("public", "brands", ":id", "comments", use: brands.publicComment)
    api.get("public", "brands", ":id", "logo", use: brands.publicLogo)

    let secured = api.grouped(RequireUserMiddleware())
    secured.post("auth", "logout", use: auth.logout)
    secured.get("auth", "me", use: auth.me)

    let orgs = OrgAPIController()
    secured.get("orgs", use: orgs.list)
    secured.post("orgs", use: orgs.create)
    for f in ["csv", "xlsx"] {
        secured.get("orgs", "export.\(f)") { req in req.parameters.set("format", to: f); return try await orgs.export(req) }
    }
    secured.on(.POST, "orgs", "import", body: .collect(maxSize: "20mb"), use: orgs.importFile)
    secured.get("orgs", ":id", use: orgs.get)
    secured.patch("orgs", ":id", use: orgs.update)
    secured.post("orgs", ":id", "move", use: orgs.move)
    secured.post("orgs", ":id", "close", use: orgs.close)
    secured.post("orgs", ":id", "reopen", use: orgs.reopen)

    let members = MemberAPIController()
    secured.get("members", use: members.list)
    secured.post("members", use: members.create)
    for f in ["csv", "xlsx"] {
        secured.get("members", "export.\(f)") { req in req.parameters.set("format", to: f); return try await members.export(req) }
    }
    secured.on(.POST, "members", "import", body: .collect(maxSize: "100mb"), use: members.importFile)
    secured.get("members", ":id", use: members.get)
    secured.patch("members", ":id", use: members.update)
    secured.delete("members", ":id", use: members.delete)
    secured.post("members", ":id", "transfer", use: members.transfer)
    secured.get("members", ":id", "transfers", use: members.transfers)

    let users = UserAPIController()
    secured.get("users", use: users.list)
    secured.post("users", use: users.create)
    secured.get("users", ":id", use: users.get)
    secured.patch("users", ":id", use: users.update)
    secured.post("users", ":id", "grants", use: users.addGrant)
    secured.delete("users", ":id", "grants", ":grantId", use: users.removeGrant)

    secured.get("audit", use: AuditAPIController().list)

    secured.get("ratings", use: ratings.list)
    secured.post("ratings", use: ratings.create)
    secured.get("ratings", "results", use: ratings.results)
    for f in ["csv", "xlsx"] {
        secured.get("ratings", "export.\(f)") { req in req.parameters.set("format", to: f); return try await ratings.export(req) }
    }
    secured.post("ratings", "spot-check", use: ratings.spotCheck)
    secured.get("ratings", "market", use: ratings.market)
    secured.on(.POST, "ratings", "market", "import", body: .collect(maxSize: "20mb"), use: ratings.marketImport)
    secured.get("ratings", "rectifications", use: ratings.rectifications)
    secured.get("ratings", "years", use: ratings.rounds)
    secured.post("ratings", "years", use: ratings.openRound)
    secured.get("ratings", ":id", use: ratings.get)
    secured.put("ratings", ":id", "assessment", use: ratings.assess)
    secured.on(.POST, "ratings", ":id", "attachments", body: .collect(maxSize: "11mb"), use: ratings.upload)
    secured.post("ratings", ":id", "submit", use: ratings.submit)
    secured.post("ratings", ":id", "decide", use: ratings.decide)
    secured.post("ratings", ":id", "return", use: ratings.returnBack)
    secured.get("ratings", ":id", "ledger", use: ratings.ledger)
    secured.post("ratings", ":id", "ledger", use: ratings.addLedger)
    secured.get("attachments", ":id", use: ratings.attachment)

    secured.get("schemes", use: ratings.schemes)
    secured.get("schemes", ":id", use: ratings.scheme)
    secured.put("schemes", ":id", use: ratings.updateScheme)
    secured.post("schemes", ":id", "copy", use: ratings.copyScheme)

    secured.get("notices", use: ratings.notices)
    secured.post("notices", use: ratings.createNotice)
    secured.get("notices", ":id", use: ratings.notice)
    secured.post("notices", ":id", "close", use: ratings.closeNotice)
    secured.get("notices", ":id", "complaints", use: ratings.complaints)
    secured.post("complaints", ":id", "verify", use: ratings.verifyComplaint)

    secured.get("meetings", use: records.meetings)
    secured.post("meetings", use: records.createMeeting)
    secured.get("meetings", ":id", use: records.meeting)
    secured.put("meetings", ":id", use: records.updateMeeting)
    secured.delete("meetings", ":id", use: records.deleteMeeting)
    secured.get("orgs", ":id", "compliance", use: records.compliance)
    for (res, kind) in [("meetings", "meeting"), ("tasks", "task")] {
        secured.get(.constant(res), ":id", "attachments") { req in try await records.files(req, kind: kind) }
        secured.on(.POST, .constant(res), ":id", "attachments", body: .collect(maxSize: "11mb")) { req in try await records.upload(req, kind: kind) }
    }
    secured.get("settings", "records", use: records.settings)
    secured.put("settings", "records", use: records.saveSettings)
    secured.get("points", use: records.points)
    secured.post("points", use: records.award)
    secured.get("points", "ranking", use: records.ranking)
    secured.post("points", ":id", "approve") { req in try await records.decidePoints(req, approve: true) }
    secured.post("points", ":id", "reject") { req in try await records.decidePoints(req, approve: false) }
    secured.get("communities", use: records.communityList)
    secured.post("communities", use: records.createCommunity)
    secured.get("communities", ":id", use: records.community)
    secured.post("communities", ":id", "pairings", use: records.pair)
    secured.get("filings", use: records.filings)
    secured.post("filings", use: records.createFiling)
    secured.get("filings", "status", use: records.filingStatus)
    secured.post("filings", "copy", use: records.copyFilings)
    secured.get("filings", ":id", use: records.filing)
    secured.put("filings", ":id", use: records.updateFiling)
    secured.post("filings", ":id", "file", use: records.fileFiling)
    secured.get("tasks", use: records.tasks)
    secured.post("tasks", use: records.createTask)
    secured.get("tasks", ":id", use: records.task)
    secured.post("tasks", ":id", "events", use: records.taskEvent)
    secured.get("service-records", use: records.serviceRecords)
    secured.post("service-records", use: records.createService)
    secured.post("service-records", ":id", "confirm") { req in try await records.decideService(req, confirm: true) }
    secured.post("service-records", ":id", "reject") { req in try await records.decideService(req, confirm: false) }
    secured.get("orgs", ":id", "service-check", use: records.serviceCheck)
    for kind in RecordExports.Kind.allCases {
        let path: [PathComponent] = kind == .compliance ? ["meetings", "compliance"] : [.constant(kind.rawValue)]
        for f in ["csv", "xlsx"] {
            secured.get(path + [.constant("export.\(f)")]) { req in try await RecordExports.serve(req, kind: kind, format: f) }
        }
    }
    secured.get("demands", use: records.demands)
    secured.get("demands", ":id", use: records.demand)
    for step in ["dispatch", "decline", "accept", "return", "claim", "finish"] {
        secured.post("demands", ":id", .constant(step)) { req in try await records.demandStep(req, step: step) }
    }

    secured.get("problems", use: sup.problems)
    secured.post("problems", use: sup.createProblem)
    secured.get("problems", ":id", use: sup.problem)
    secured.put("problems", ":id", use: sup.updateProblem)
    secured.post("problems", ":id", "steps", use: sup.problemStep)
    secured.get("escalations", use: sup.escalations)
    secured.post("orgs", ":id", "escalation", use: sup.assign)
    secured.get("risks", use: sup.risks)
    secured.post("risks", use: sup.createRisk)
    secured.get("risks", "matrix", use: sup.riskMatrix)
    secured.get("risks", ":id", use: sup.risk)
    secured.put("risks", ":id", use: sup.updateRisk)
    secured.delete("risks", ":id", use: sup.deleteRisk)
    secured.post("risks", ":id", "review", use: sup.reviewRisk)
    secured.get("reports", use: sup.reports)
    secured.post("reports", use: sup.submitReport)
    secured.get("reports", ":id", use: sup.report)
    for (res, kind) in [("problems", "problem"), ("reports", "report")] {
        secured.get(.constant(res), ":id", "attachments") { req in try await records.files(req, kind: kind) }
        secured.on(.POST, .constant(res), ":id", "attachments", body: .collect(maxSize: "11mb")) { req in try await records.upload(req, kind: kind) }
    }
    secured.get("evaluations", "quarters", use: sup.quarters)
    secured.put("evaluations", "quarters", use: sup.scoreQuarter)
    secured.get("assessment", use: sup.assessment)
    secured.get("assessment", "published", use: sup.published)
    secured.post("assessment", "publish", use: sup.publish)
    secured.get("settings", "assessment", use: sup.weights)
    secured.put("settings", "assessment", use: sup.saveWeights)
    secured.get("surveys", use: sup.surveys)
    secured.post("surveys", use: sup.createSurvey)
    secured.get("surveys", ":id", use: sup.survey)
    secured.put("surveys", ":id", use: sup.updateSurvey)
    secured.post("surveys", ":id", "open") { req in try await sup.setSurveyStatus(req, to: "open") }
    secured.post("surveys", ":id", "close") { req in try await sup.setSurveyStatus(req, to: "closed") }
    secured.get("surveys", ":id", "links", use: sup.surveyLinks)
    secured.post("surveys", ":id", "links", use: sup.makeLinks)
    secured.get("awards", use: sup.awards)
    for kind in SupervisionAPIController.Export.allCases {
        for f in ["csv", "xlsx"] {
            secured.get(.constant(kind.rawValue), .constant("export.\(f)")) { req in try await SupervisionAPIController.export(req, kind: kind, format: f) }
        }
    }

    secured.get("brands", use: brands.list)
    secured.post("brands", use: brands.create)
    secured.get("brands", "selection", use: brands.selection)
    secured.post("brands", "selection", "shortlist", use: brands.shortlist)
    secured.get("brands", "comments", "pending", use: brands.pendingComments)
    secured.post("brands", "comments", ":id", "moderate", use: brands.moderate)
    secured.get("brands", "decisions", use: brands.decisions)
    secured.post("brands", "decisions", use: brands.decide)
    secured.get("brands", "assessment", use: brands.assessment)
    secured.put("brands", "assessment", use: brands.scoreBranch)
    secured.post("brands", "assessment", "publish", use: brands.publish)
    secured.post("brands", "pairs", ":id", "activities", use: brands.activity)
    secured.get("settings", "brands", use: brands.settings)
    secured.put("settings", "brands", use: brands.saveSettings)
    for f in ["csv", "xlsx"] {
        secured.get("brands", .constant("export.\(f)")) { req in try await BrandAPIController.export(req, format: f) }
        secured.get("brands", "assessment", .constant("export.\(f)")) { req in try await BrandAPIController.exportScores(req, format: f) }
        secured.get("brands", ":id", .constant("archive.\(f)")) { req in try await BrandAPIController.exportArchive(req, format: f) }
    }
    secured.get("brands", ":id", use: brands.show)
    secured.patch("brands", ":id", use: brands.update)
    secured.post("brands", ":id", "transitions", use: brands.transition)
    for kind in [BrandEvent.Kind.cultivate, .submit, .forward, .returnBack, .accept] {     // API.md: a step is an action sub-resource
        secured.post("brands", ":id", .constant(kind.rawValue)) { req in try await brands.step(req, kind) }
    }
    secured.post("brands", ":id", "name", use: brands.name)
    secured.post("brands", ":id", "reviews", use: brands.reReview)
    secured.get("brands", ":id", "archive", use: brands.archive)
    secured.post("brands", ":id", "experts", use: brands.assignExpert)
    secured.delete("brands", ":id", "experts", ":aid", use: brands.removeExpert)
    secured.put("brands", ":id", "score", use: brands.score)
    secured.post("brands", ":id", "comments", use: brands.mutualComment)
    secured.post("brands", ":id", "suggestions", use: brands.suggest)
    secured.put("brands", ":id", "goals", use: brands.fileGoals)
    secured.get("brands", ":id", "pairs", use: brands.pairs)
    secured.post("brands", ":id", "pairs", use: brands.pair)
    secured.get("brands", ":id", "logo", use: brands.logo)
    secured.on(.PUT, "brands", ":id", "logo", body: .collect(maxSize: "3mb"), use: brands.uploadLogo)
    secured.get("brands", ":id", "attachments") { req in try await records.files(req, kind: "brand") }
    secured.on(.POST, "brands", ":id", "attachments", body: .collect(maxSize: "11mb")) { req in try await records.upload(req, kind: "brand") }

    let cal = CalendarAPIController()
    secured.get("calendar", "days", use: cal.days)
    secured.put("calendar", "days", ":date", use: cal.put)
    secured.delete("calendar", "days", ":date", use: cal.delete)

    // MARK: Pages (cookie session + CSRF)
    let session = app.grouped(app.sessions.middleware, SessionUserMiddleware())
    let forms = session.grouped(CSRFMiddleware(maxBody: 1 << 20))
    let noticePages = NoticePageController()
    forms.get("public", "notices", ":id", use: noticePages.publicPage)      // no login: 公示 and 问题反映
    forms.post("public", "notices", ":id", use: noticePages.publicComplain)
    let demandPages = DemandPageController()
    forms.get("public", "demands", use: demandPages.publicForm)             // no login: 群众点单 and tracking
    forms.post("public", "demands", use: demandPages.publicPost)
    forms.get("public", "demands", "track", use: demandPages.lookup)
    forms.get("public", "demands", ":code", use: demandPages.track)
    forms.post("public", "demands", ":code", "rate", use: demandPages.publicRate)
    let servicePages = ServicePageController()
    forms.get("public", "service", "done", use: servicePages.confirmDone)          // no login: the community contact confirms hours
    forms.get("public", "service", ":token", use: servicePages.confirmPage)
    forms.post("public", "service", ":token", use: servicePages.confirmPost)
    let surveyPages = SurveyPageController()
    forms.get("public", "surveys", ":token", use: surveyPages.publicPage)       // no login: a service recipient answers by link
    forms.post("public", "surveys", ":token", use: surveyPages.publicAnswer)
    let brandPublic = BrandPublicPageController()
    forms.get("showcase", use: brandPublic.showcase)                        // no login: named brands (R-12)
    forms.get("showcase", ":id", use: brandPublic.detail)
    forms.get("public", "brands", ":id", use: brandPublic.review)           // no login: 社会网评 / 微信点评 (?ch=m), R-11
    forms.post("public", "brands", ":id", use: brandPublic.comment)
    forms.get("public", "brand-rankings", use: brandPublic.rankings)        // no login: published R-15 rankings
    let authPages = AuthPageController()
    forms.get("login", use: authPages.form)
    forms.post("login", use: authPages.login)

    let pages = forms.grouped(RequireUserMiddleware())
    let uploads = session.grouped(RequireUserMiddleware(), CSRFMiddleware(maxBody: 100 << 20))
    pages.post("logout", use: authPages.logout)
    pages.get("account", use: authPages.account)
    pages.post("account", use: authPages.changePassword)
    pages.get(use: DashboardController().index)

    let orgPages = OrgPageController()
    pages.get("orgs", use: orgPages.tree)
    pages.get("orgs", "suggest", use: orgPages.suggest)
    pages.get("orgs", "new", use: orgPages.newForm)
    pages.post("orgs", "new", use: orgPages.create)
    for f in ["csv", "xlsx"] {
        pages.get("orgs", "export.\(f)") { req in req.parameters.set("format", to: f); return try await orgs.export(req) }
        pages.get("orgs", "template.\(f)") { _ in try ImportExport.download(ImportExport.template(ImportExport.orgLayout), name: "组织导入模板", format: f) }
    }
    pages.get("orgs", "import", use: orgPages.importForm)
    uploads.on(.POST, "orgs", "import", body: .collect(maxSize: "100mb"), use: orgPages.importFile)
    pages.get("orgs", ":id", use: orgPages.show)
    pages.get("orgs", ":id", "edit", use: orgPages.editForm)
    pages.post("orgs", ":id", "edit", use: orgPages.update)
    pages.get("orgs", ":id", "move", use: orgPages.moveForm)
    pages.post("orgs", ":id", "move", use: orgPages.move)
    pages.post("orgs", ":id", "close", use: orgPages.close)
    pages.post("orgs", ":id", "reopen", use: orgPages.reopen)

    let memberPages = MemberPageController()
    pages.get("members", use: memberPages.list)
    pages.get("members", "new", use: memberPages.newForm)
    pages.post("members", "new", use: memberPages.create)
    for f in ["csv", "xlsx"] {
        pages.get("members", "export.\(f)") { req in req.parameters.set("format", to: f); return try await members.export(req) }
        pages.get("members", "template.\(f)") { _ in try ImportExport.download(ImportExport.template(ImportExport.memberLayout), name: "党员导入模板", format: f) }
    }
    pages.get("members", "import", use: memberPages.importForm)
    uploads.on(.POST, "members", "import", body: .collect(maxSize: "100mb"), use: memberPages.importFile)
    pages.get("members", ":id", use: memberPages.show)
    pages.get("members", ":id", "edit", use: memberPages.editForm)
    pages.post("members", ":id", "edit", use: memberPages.update)
    pages.get("members", ":id", "transfer", use: memberPages.transferForm)
    pages.post("members", ":id", "transfer", use: memberPages.transfer)
    pages.post("members", ":id", "delete", use: memberPages.delete)

    let userPages = UserPageController()
    pages.get("users", use: userPages.list)
    pages.get("users", "new", use: userPages.newForm)
    pages.post("users", "new", use: userPages.create)
    pages.get("users", ":id", use: userPages.show)
    pages.post("users", ":id", use: userPages.update)
    pages.post("users", ":id", "grants", use: userPages.addGrant)
    pages.post("users", ":id", "grants", ":grantId", "delete", use: userPages.removeGrant)

    pages.get("audit", use: AuditPageController().list)

    let ratingPages = RatingPageController()
    pages.get("ratings", use: ratingPages.list)
    pages.post("ratings", "open", use: ratingPages.open)
    pages.post("ratings", "spot-check", use: ratingPages.spotCheck)
    for f in ["csv", "xlsx"] {
        pages.get("ratings", "export.\(f)") { req in req.parameters.set("format", to: f); return try await ratings.export(req) }
    }
    pages.get("ratings", ":id", use: ratingPages.show)
    pages.post("ratings", ":id", "assess", use: ratingPages.assess)
    session.grouped(RequireUserMiddleware(), CSRFMiddleware(maxBody: 11 << 20)).on(.POST, "ratings", ":id", "upload", body: .collect(maxSize: "11mb"), use: ratingPages.upload)
    pages.post("ratings", ":id", "files", ":fileId", "delete", use: ratingPages.removeFile)
    pages.post("ratings", ":id", "decide", use: ratingPages.decide)
    pages.post("ratings", ":id", "ledger", use: ratingPages.adjust)
    pages.get("attachments", ":id", use: ratingPages.file)

    pages.get("notices", use: noticePages.list)
    pages.post("notices", use: noticePages.create)
    pages.get("notices", ":id", use: noticePages.show)
    pages.post("notices", ":id", "close", use: noticePages.close)
    pages.post("complaints", ":id", "verify", use: noticePages.verify)
    pages.get("ratings", "results", use: ResultsPageController().show)

    let setup = RatingSetupPageController()
    pages.get("ratings", "setup", use: setup.setup)
    pages.post("ratings", "years", use: setup.openYear)
    pages.get("schemes", ":id", use: setup.scheme)
    pages.post("schemes", ":id", "copy", use: setup.copy)
    pages.get("schemes", ":id", "edit", use: setup.edit)
    pages.post("schemes", ":id", "edit", use: setup.save)
    pages.get("ratings", "market", use: setup.market)
    pages.get("ratings", "market", "import", use: setup.marketImportForm)
    uploads.on(.POST, "ratings", "market", "import", body: .collect(maxSize: "20mb"), use: setup.marketImport)
    for f in ["csv", "xlsx"] {
        pages.get("ratings", "market", "template.\(f)") { _ in try ImportExport.download(ImportExport.template(MarketService.layout), name: "市场主体评结果导入模板", format: f) }
    }
    pages.get("ratings", "ledger", use: setup.ledger)

    let lifePages = OrgLifePageController()
    pages.get("meetings", use: lifePages.overview)
    pages.get("meetings", "new", use: lifePages.newForm)
    pages.post("meetings", "new", use: lifePages.create)
    pages.get("meetings", ":id", use: lifePages.show)
    pages.get("meetings", ":id", "edit", use: lifePages.editForm)
    pages.post("meetings", ":id", "edit", use: lifePages.update)
    pages.post("meetings", ":id", "delete", use: lifePages.delete)
    pages.get("orgs", ":id", "life", use: lifePages.orgCalendar)
    for (res, kind) in [("meetings", "meeting"), ("tasks", "task")] {
        session.grouped(RequireUserMiddleware(), CSRFMiddleware(maxBody: 11 << 20)).on(.POST, .constant(res), ":id", "upload", body: .collect(maxSize: "11mb")) { req in
            try await RecordFilePages.upload(req, kind: kind, back: "/\(res)/\(req.parameters.get("id") ?? "")#files")
        }
        pages.post(.constant(res), ":id", "files", ":fileId", "delete") { req in
            try await RecordFilePages.remove(req, kind: kind, back: "/\(res)/\(req.parameters.get("id") ?? "")#files")
        }
    }

    let taskPages = TaskPageController()
    pages.get("tasks", use: taskPages.index)
    pages.get("tasks", "new", use: taskPages.newTask)
    pages.post("tasks", "new", use: taskPages.createTask)
    pages.get("tasks", ":id", use: taskPages.show)
    pages.post("tasks", ":id", "events", use: taskPages.event)
    pages.get("filings", "new", use: taskPages.newFiling)
    pages.post("filings", "new", use: taskPages.createFiling)
    pages.post("filings", "copy", use: taskPages.copyLastYear)
    pages.get("filings", ":id", use: taskPages.showFiling)
    pages.get("filings", ":id", "edit", use: taskPages.editFiling)
    pages.post("filings", ":id", "edit", use: taskPages.updateFiling)
    pages.post("filings", ":id", "file", use: taskPages.fileFiling)

    for kind in RecordExports.Kind.allCases {
        let path: [PathComponent] = kind == .compliance ? ["meetings", "compliance"] : [.constant(kind.rawValue)]
        for f in ["csv", "xlsx"] { pages.get(path + [.constant("export.\(f)")]) { req in try await RecordExports.serve(req, kind: kind, format: f) } }
    }

    let settingsPages = RecordSettingsPageController()
    pages.get("settings", "records", use: settingsPages.show)
    pages.post("settings", "records", use: settingsPages.save)

    pages.get("service", use: servicePages.index)
    pages.post("service", use: servicePages.create)
    pages.post("service", ":id", "confirm") { req in try await servicePages.decide(req, confirm: true) }
    pages.post("service", ":id", "reject") { req in try await servicePages.decide(req, confirm: false) }

    let pointPages = PointsPageController()
    pages.get("points", use: pointPages.index)
    pages.post("points", use: pointPages.award)
    pages.post("points", ":id", "approve") { req in try await pointPages.decide(req, approve: true) }
    pages.post("points", ":id", "reject") { req in try await pointPages.decide(req, approve: false) }

    let communityPages = CommunityPageController()
    pages.get("communities", use: communityPages.index)
    pages.post("communities", use: communityPages.create)
    pages.post("communities", "pairings", use: communityPages.pair)

    pages.get("demands", use: demandPages.list)
    pages.get("demands", ":id", use: demandPages.show)
    for step in ["dispatch", "decline", "accept", "return", "claim", "finish"] {
        pages.post("demands", ":id", .constant(step)) { req in try await demandPages.step(req, step: step) }
    }

    let supPages = SupervisionPageController()
    pages.get("supervision", use: supPages.hub)
    pages.post("orgs", ":id", "escalation", use: supPages.assign)
    pages.get("problems", use: supPages.list)
    pages.get("problems", "new", use: supPages.newForm)
    pages.post("problems", "new", use: supPages.create)
    pages.get("problems", ":id", use: supPages.show)
    pages.get("problems", ":id", "edit", use: supPages.editForm)
    pages.post("problems", ":id", "edit", use: supPages.update)
    pages.post("problems", ":id", "steps", use: supPages.step)
    for (res, kind) in [("problems", "problem"), ("reports", "report")] {
        session.grouped(RequireUserMiddleware(), CSRFMiddleware(maxBody: 11 << 20)).on(.POST, .constant(res), ":id", "upload", body: .collect(maxSize: "11mb")) { req in
            try await RecordFilePages.upload(req, kind: kind, back: "/\(res)/\(req.parameters.get("id") ?? "")#files")
        }
        pages.post(.constant(res), ":id", "files", ":fileId", "delete") { req in
            try await RecordFilePages.remove(req, kind: kind, back: "/\(res)/\(req.parameters.get("id") ?? "")#files")
        }
    }
    let riskPages = RiskPageController()
    pages.get("risks", use: riskPages.list)
    pages.get("risks", "new", use: riskPages.newForm)
    pages.post("risks", "new", use: riskPages.create)
    pages.get("risks", ":id", "edit", use: riskPages.editForm)
    pages.post("risks", ":id", "edit", use: riskPages.update)
    pages.post("risks", ":id", "review", use: riskPages.review)
    pages.post("risks", ":id", "delete", use: riskPages.delete)
    let evalPages = EvaluationPageController()
    pages.get("evaluation", use: evalPages.index)
    pages.post("reports", "new", use: evalPages.submitReport)
    pages.get("reports", ":id", use: evalPages.report)
    pages.post("evaluation", "quarters", use: evalPages.scoreQuarter)
    pages.post("evaluation", "publish", use: evalPages.publish)
    pages.get("settings", "assessment", use: evalPages.weights)
    pages.post("settings", "assessment", use: evalPages.saveWeights)
    pages.get("awards", use: evalPages.awards)
    pages.get("surveys", use: surveyPages.list)
    pages.get("surveys", "new", use: surveyPages.newForm)
    pages.post("surveys", "new", use: surveyPages.create)
    pages.get("surveys", ":id", use: surveyPages.show)
    pages.get("surveys", ":id", "edit", use: surveyPages.editForm)
    pages.post("surveys", ":id", "edit", use: surveyPages.update)
    pages.post("surveys", ":id", "open") { req in try await surveyPages.setStatus(req, to: "open") }
    pages.post("surveys", ":id", "close") { req in try await surveyPages.setStatus(req, to: "closed") }
    pages.post("surveys", ":id", "links", use: surveyPages.makeLinks)
    for kind in SupervisionAPIController.Export.allCases {
        for f in ["csv", "xlsx"] { pages.get(.constant(kind.rawValue), .constant("export.\(f)")) { req in try await SupervisionAPIController.export(req, kind: kind, format: f) } }
    }

    let brandPages = BrandPageController()
    pages.get("brands", use: brandPages.list)
    pages.get("brands", "new", use: brandPages.newForm)
    pages.post("brands", "new", use: brandPages.create)
    for f in ["csv", "xlsx"] {
        pages.get("brands", .constant("export.\(f)")) { req in try await BrandAPIController.export(req, format: f) }
        pages.get("brands", "assessment", .constant("export.\(f)")) { req in try await BrandAPIController.exportScores(req, format: f) }
        pages.get("brands", ":id", .constant("archive.\(f)")) { req in try await BrandAPIController.exportArchive(req, format: f) }
    }
    pages.get("brands", "selection", use: brandPages.selection)
    pages.post("brands", "selection", use: brandPages.shortlist)
    pages.get("brands", "comments", use: brandPages.comments)
    pages.post("brands", "comments", ":id", "approve") { req in try await brandPages.moderate(req, approve: true) }
    pages.post("brands", "comments", ":id", "reject") { req in try await brandPages.moderate(req, approve: false) }
    pages.get("brands", "decisions", use: brandPages.decisions)
    pages.post("brands", "decisions", use: brandPages.decide)
    pages.get("brands", "decisions", ":id", use: brandPages.decision)
    pages.get("brands", "assessment", use: brandPages.assessment)
    pages.post("brands", "assessment", use: brandPages.scoreBranch)
    pages.post("brands", "assessment", "publish", use: brandPages.publish)
    pages.get("brands", "settings", use: brandPages.settings)
    pages.post("brands", "settings", use: brandPages.saveSettings)
    pages.get("brands", ":id", use: brandPages.show)
    pages.get("brands", ":id", "edit", use: brandPages.editForm)
    pages.post("brands", ":id", "edit", use: brandPages.update)
    pages.post("brands", ":id", "steps", use: brandPages.step)
    pages.post("brands", ":id", "review", use: brandPages.reReview)
    pages.post("brands", ":id", "experts", use: brandPages.assignExpert)
    pages.post("brands", ":id", "experts", ":aid", "delete", use: brandPages.removeExpert)
    pages.post("brands", ":id", "score", use: brandPages.score)
    pages.post("brands", ":id", "comments", use: brandPages.mutualComment)
    pages.post("brands", ":id", "suggestions", use: brandPages.suggest)
    pages.post("brands", ":id", "goals", use: brandPages.fileGoals)
    pages.post("brands", ":id", "pairs", use: brandPages.pair)
    pages.post("brands", ":id", "pairs", ":pid", "activities", use: brandPages.activity)
    pages.get("brands", ":id", "logo", use: brandPages.logo)
    pages.get("brands", ":id", "application", use: brandPages.application)
    pages.get("brands", ":id", "dossier", use: brandPages.dossier)
    // the logo (≤ 2 MB, checked by the service with its message) and the brand's files (≤ 10 MB)
    let brandUploads = session.grouped(RequireUserMiddleware(), CSRFMiddleware(maxBody: 11 << 20))
    brandUploads.on(.POST, "brands", ":id", "logo", body: .collect(maxSize: "11mb"), use: brandPages.uploadLogo)
    brandUploads.on(.POST, "brands", ":id", "attachments", body: .collect(maxSize: "11mb")) { req in
        try await RecordFilePages.upload(req, kind: "brand", back: "/brands/\(req.parameters.get("id") ?? "")#files")
    }
    pages.post("brands", ":id", "files", ":fileId", "delete") { req in
        try await RecordFilePages.remove(req, kind: "brand", back: "/brands/\(req.parameters.get("id") ?? "")#files")
    }

    let calPages = CalendarPageController()
    pages.get("calendar", use: calPages.show)
    pages.post("calendar", use: calPages.set)
    pages.post("calendar", ":date", "delete", use: calPages.remove)
}
